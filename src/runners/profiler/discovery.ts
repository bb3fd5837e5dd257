/**
 * Finding local Node processes and their inspector ports: /proc on Linux, `ps` and `lsof`
 * elsewhere. Also answers "who holds this port?", for the message when the inspector port a
 * target wants (9229 by default) is taken.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { probeInspector, type InspectorAddress } from './endpoint';
import * as procfs from './procfs';

const execFileAsync = promisify(execFile);

/** A Node process that could be attached. */
export interface NodeProcessInfo {
  pid: number;
  ppid?: number;
  argv: string[];
  /** The command line as one string, for display. */
  command: string;
  cwd?: string;
  /** Where its inspector listens, when it is open and could be found. */
  inspector?: InspectorAddress;
}

/** Inspector flags of a process (from its argv and NODE_OPTIONS). */
export interface InspectFlags {
  /** `--inspect`, `--inspect-brk` or `--inspect-wait` was given: the inspector opened at start. */
  openAtStart: boolean;
  host: string;
  /** The port the inspector uses (or would use on SIGUSR1); 0 = a free one chosen at random. */
  port: number;
  /** Whether the port was given explicitly. */
  explicitPort: boolean;
}

export const DEFAULT_INSPECTOR_PORT = 9229;

/** Reads `--inspect[-brk|-wait][=[host:]port]` and `--inspect-port=[host:]port`, last one wins. */
export function parseInspectFlags(argv: readonly string[], nodeOptions = ''): InspectFlags {
  const flags: InspectFlags = { openAtStart: false, host: '127.0.0.1', port: DEFAULT_INSPECTOR_PORT, explicitPort: false };
  // Node options come before the script; arguments after it belong to the script.
  const nodeArgs: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-') || a === '--') break;
    nodeArgs.push(a);
    // Options that take a separate value: skip it so it is not taken for the script.
    if (/^(-r|--require|--import|--loader|--experimental-loader|--env-file|--input-type|--conditions|-C)$/.test(a)) nodeArgs.push(argv[++i] ?? '');
  }
  const all = [...nodeOptions.split(/\s+/).filter(Boolean), ...nodeArgs];
  for (const a of all) {
    const m = /^--(inspect|inspect-brk|inspect-wait|inspect-port|debug-port)(?:=(.*))?$/.exec(a);
    if (!m) continue;
    if (m[1] !== 'inspect-port' && m[1] !== 'debug-port') flags.openAtStart = true;
    if (m[2] === undefined) continue;
    const value = m[2];
    const hp = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value);
    if (hp) {
      flags.host = (hp[1] ?? hp[2]) || flags.host;
      flags.port = Number(hp[3]);
      flags.explicitPort = true;
    } else if (/^\d+$/.test(value)) {
      flags.port = Number(value);
      flags.explicitPort = true;
    } else {
      flags.host = value;
    }
  }
  return flags;
}

function isNodeArgv0(argv0: string | undefined, exe: string | undefined): boolean {
  const names = [argv0, exe].filter(Boolean).map((p) => path.basename(p!).toLowerCase());
  return names.some((n) => n === 'node' || n === 'node.exe' || /^node\d*$/.test(n) || n === 'nodejs');
}

/**
 * Lists Node processes of this machine (those we may read: our own user's), without this one.
 * `probe` additionally asks candidate ports whether they are an inspector, for processes started
 * with `--inspect=0` (the port is in no flag); it never probes processes without inspector flags.
 */
export async function listNodeProcesses(opts: { probe?: boolean } = {}): Promise<NodeProcessInfo[]> {
  if (process.platform === 'linux') return listLinux(opts.probe ?? true);
  return listWithPs(opts.probe ?? true);
}

async function listLinux(probe: boolean): Promise<NodeProcessInfo[]> {
  const pids = (await procfs.listPids()).filter((pid) => pid !== process.pid);
  const found = await Promise.all(
    pids.map(async (pid): Promise<NodeProcessInfo | undefined> => {
      const argv = await procfs.readCmdline(pid);
      if (!argv?.length) return undefined;
      if (!isNodeArgv0(argv[0], await procfs.readExe(pid))) return undefined;
      const [ppid, cwd] = await Promise.all([procfs.readPpid(pid), procfs.readCwd(pid)]);
      return { pid, ppid, argv, command: argv.join(' '), cwd };
    }),
  );
  const list = found.filter((p): p is NodeProcessInfo => p !== undefined);
  await Promise.all(
    list.map(async (p) => {
      const flags = parseInspectFlags(p.argv, (await procfs.readEnvVar(p.pid, 'NODE_OPTIONS')) ?? '');
      if (flags.openAtStart) p.inspector = await openInspectorOf(p.pid, flags, probe);
    }),
  );
  return list.sort((a, b) => a.pid - b.pid);
}

async function listWithPs(probe: boolean): Promise<NodeProcessInfo[]> {
  if (process.platform === 'win32') return [];
  const { stdout } = await execFileAsync('ps', ['-A', '-o', 'pid=,ppid=,command='], { maxBuffer: 16 * 1024 * 1024 });
  const list: NodeProcessInfo[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    const command = m[3]!;
    // ps gives one string: split on spaces, good enough for the executable and the flags.
    const argv = command.split(/\s+/);
    if (pid === process.pid || !isNodeArgv0(argv[0], undefined)) continue;
    const info: NodeProcessInfo = { pid, ppid: Number(m[2]), argv, command };
    const flags = parseInspectFlags(argv);
    if (flags.openAtStart) info.inspector = await openInspectorOf(pid, flags, probe);
    list.push(info);
  }
  return list;
}

/** The inspector of a process started with inspector flags: the flagged port, or a probed one. */
async function openInspectorOf(pid: number, flags: InspectFlags, probe: boolean): Promise<InspectorAddress | undefined> {
  const ports = await listeningPortsOf(pid);
  if (flags.explicitPort && flags.port !== 0) {
    const hit = ports.find((p) => p.port === flags.port);
    return hit ? { host: loopbackFor(hit.address), port: hit.port } : undefined;
  }
  return probe ? probeInspectorAmong(ports) : undefined;
}

/** Asks each listening port whether it is a Node inspector; the first that says so. */
export async function probeInspectorAmong(ports: readonly { address: string; port: number }[]): Promise<InspectorAddress | undefined> {
  for (const p of ports) {
    const address = { host: loopbackFor(p.address), port: p.port };
    if (await probeInspector(address)) return address;
  }
  return undefined;
}

/** A loopback address to reach a socket bound to `address` (any-address binds included). */
export function loopbackFor(address: string): string {
  if (address === '0.0.0.0' || address.startsWith('127.')) return address === '0.0.0.0' ? '127.0.0.1' : address;
  if (address === '::' || address === '::1') return '::1';
  if (address.startsWith('::ffff:127.')) return address.slice(7);
  return address;
}

/** TCP ports `pid` listens on (address + port). */
export async function listeningPortsOf(pid: number): Promise<{ address: string; port: number }[]> {
  if (process.platform === 'linux') return procfs.listeningSocketsOf(pid);
  try {
    const { stdout } = await execFileAsync('lsof', ['-nP', '-a', '-p', String(pid), '-iTCP', '-sTCP:LISTEN', '-Fn']);
    return parseLsofNames(stdout);
  } catch {
    return [];
  }
}

function parseLsofNames(stdout: string): { address: string; port: number }[] {
  const out: { address: string; port: number }[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^n(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(line);
    if (m) out.push({ address: (m[1] ?? m[2]) === '*' ? '0.0.0.0' : (m[1] ?? m[2])!, port: Number(m[3]) });
  }
  return out;
}

/** Who listens on a local TCP port: pid and command line when visible, undefined when nobody. */
export async function portHolder(port: number): Promise<{ pid?: number; command?: string } | undefined> {
  if (process.platform === 'linux') {
    const sockets = (await procfs.listeningSockets()).filter((s) => s.port === port);
    if (sockets.length === 0) return undefined;
    const pid = await procfs.pidOfSocket(new Set(sockets.map((s) => s.inode)));
    if (pid === undefined) return {};
    return { pid, command: (await procfs.readCmdline(pid))?.join(' ') };
  }
  try {
    const { stdout } = await execFileAsync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc']);
    const pid = /^p(\d+)$/m.exec(stdout)?.[1];
    if (!pid) return undefined;
    return { pid: Number(pid), command: await commandOf(Number(pid)) };
  } catch {
    return undefined;
  }
}

/** A process's command line, for messages. */
export async function commandOf(pid: number): Promise<string | undefined> {
  if (process.platform === 'linux') return (await procfs.readCmdline(pid))?.join(' ');
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'command=', '-p', String(pid)]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether a pid runs Node (by its executable or argv[0]); true when it cannot be told. */
export async function isNodeProcess(pid: number): Promise<boolean> {
  if (process.platform === 'linux') {
    const argv = await procfs.readCmdline(pid);
    if (!argv) return true;
    return isNodeArgv0(argv[0], await procfs.readExe(pid));
  }
  const command = await commandOf(pid);
  return command === undefined || isNodeArgv0(command.split(/\s+/)[0], undefined);
}

/** Inspector flags of a running process (argv plus NODE_OPTIONS where readable). */
export async function inspectFlagsOf(pid: number): Promise<InspectFlags> {
  if (process.platform === 'linux') {
    const argv = (await procfs.readCmdline(pid)) ?? [];
    return parseInspectFlags(argv, (await procfs.readEnvVar(pid, 'NODE_OPTIONS')) ?? '');
  }
  return parseInspectFlags(((await commandOf(pid)) ?? '').split(/\s+/));
}

/** Describes a holder for a message: `pid 1234 (node other.js)`. */
export function describeHolder(holder: { pid?: number; command?: string }): string {
  if (holder.pid === undefined) return 'a process this user cannot see (another user, or a container)';
  const command = holder.command && holder.command.length > 120 ? `${holder.command.slice(0, 117)}...` : holder.command;
  return `pid ${holder.pid}${command ? ` (${command})` : ''}`;
}
