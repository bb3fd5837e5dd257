/**
 * Finding local Node processes and their inspector ports: /proc on Linux, `ps` and `lsof`
 * elsewhere. An inspector is found by what the process really listens on (one opened by SIGUSR1
 * has no flag saying so), and reported on the address its socket is bound to (`0.0.0.0` is not
 * `127.0.0.1`: the network can reach it). Also answers "who holds this port?", for the message
 * when the inspector port a target wants (9229 by default) is taken.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { isLoopbackHost } from '../../core/config/hosts';
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
  inspector?: ListeningInspector;
}

/** An open inspector: the address its socket is bound to, and how to reach it from here. */
export interface ListeningInspector {
  /** As bound: `127.0.0.1:9229`, `0.0.0.0:9230`, `:::9229`. The address PerfLab reports. */
  bound: InspectorAddress;
  /** Where to connect: the bound address, or loopback for an any-address bind. */
  reach: InspectorAddress;
}

/** A listening TCP socket of a process. */
export interface ListeningPort {
  address: string;
  port: number;
}

/**
 * Where a process's inspector listens, or would on SIGUSR1, by its flags (argv and NODE_OPTIONS).
 * Whether it is open is not in the flags (SIGUSR1 opens it later): its listening sockets tell.
 */
export interface InspectFlags {
  host: string;
  /** The port the inspector uses (or would use on SIGUSR1); 0 = a free one chosen at random. */
  port: number;
}

export const DEFAULT_INSPECTOR_PORT = 9229;

/** Reads `--inspect[-brk|-wait][=[host:]port]` and `--inspect-port=[host:]port`, last one wins. */
export function parseInspectFlags(argv: readonly string[], nodeOptions = ''): InspectFlags {
  const flags: InspectFlags = { host: '127.0.0.1', port: DEFAULT_INSPECTOR_PORT };
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
    if (m[2] === undefined) continue;
    const value = m[2];
    const hp = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value);
    if (hp) {
      flags.host = (hp[1] ?? hp[2]) || flags.host;
      flags.port = Number(hp[3]);
    } else if (/^\d+$/.test(value)) {
      flags.port = Number(value);
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
 * `probe` (default) also finds each one's open inspector, whether it opened at start or later by
 * SIGUSR1: the listening socket on the port its flags give (9229 when none do) that answers as an
 * inspector, or, for a process started with `--inspect-port=0` / `--inspect=0`, whichever of its
 * listening sockets does.
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
      if (!probe) return;
      const flags = parseInspectFlags(p.argv, (await procfs.readEnvVar(p.pid, 'NODE_OPTIONS')) ?? '');
      p.inspector = await findInspector(await listeningPortsOf(p.pid), flags.port);
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
    if (probe) info.inspector = await findInspector(await listeningPortsOf(pid), parseInspectFlags(argv).port);
    list.push(info);
  }
  return list;
}

/**
 * The inspector among a process's listening sockets: the one on `port` (the port its flags give,
 * where SIGUSR1 opens it) or, with port 0 (a random one), any of them, that answers
 * `/json/version` as a Node inspector. Only that HTTP question is asked: no session is opened.
 */
export async function findInspector(sockets: readonly ListeningPort[], port = 0): Promise<ListeningInspector | undefined> {
  for (const s of sockets) {
    if (port !== 0 && s.port !== port) continue;
    const reach = { host: loopbackFor(s.address), port: s.port };
    if (await probeInspector(reach)) return { bound: { host: s.address, port: s.port }, reach };
  }
  return undefined;
}

/** Whether an inspector bound there is reachable from this machine only. */
export function isLoopbackBound(bound: InspectorAddress): boolean {
  return isLoopbackHost(bound.host);
}

/** `all network interfaces` for 0.0.0.0 and ::, else `not loopback`: how exposed a bind is, for messages. */
export function exposure(bound: InspectorAddress): string {
  return bound.host === '0.0.0.0' || bound.host === '::' ? 'all network interfaces' : 'an address other machines can reach';
}

/**
 * The local listening socket a connection to `address` lands on (Linux), so a loopback address
 * that reaches an inspector bound to 0.0.0.0 is reported as what it is. Undefined when no local
 * socket matches (a remote host, a forwarded port) or the platform cannot tell.
 */
export async function boundSocketFor(address: InspectorAddress): Promise<InspectorAddress | undefined> {
  if (process.platform !== 'linux') return undefined;
  const host = address.host.replace(/^\[|\]$/g, '');
  const candidates = (await procfs.listeningSockets()).filter((s) => s.port === address.port);
  const exact = candidates.find((s) => s.address === host || (host === 'localhost' && isLoopbackHost(s.address)));
  const wildcard = candidates.find((s) => s.address === '0.0.0.0' || s.address === '::');
  const hit = exact ?? wildcard;
  return hit ? { host: hit.address, port: hit.port } : undefined;
}

/** A loopback address to reach a socket bound to `address` (any-address binds included). */
export function loopbackFor(address: string): string {
  if (address === '0.0.0.0' || address.startsWith('127.')) return address === '0.0.0.0' ? '127.0.0.1' : address;
  if (address === '::' || address === '::1') return '::1';
  if (address.startsWith('::ffff:127.')) return address.slice(7);
  return address;
}

/** TCP ports `pid` listens on (address + port). */
export async function listeningPortsOf(pid: number): Promise<ListeningPort[]> {
  if (process.platform === 'linux') return procfs.listeningSocketsOf(pid);
  try {
    const { stdout } = await execFileAsync('lsof', ['-nP', '-a', '-p', String(pid), '-iTCP', '-sTCP:LISTEN', '-Fn']);
    return parseLsofNames(stdout);
  } catch {
    return [];
  }
}

function parseLsofNames(stdout: string): ListeningPort[] {
  const out: ListeningPort[] = [];
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
