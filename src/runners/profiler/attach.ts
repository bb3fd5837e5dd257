/**
 * Getting an inspector session to a target, three ways: an inspector address (`--inspect
 * HOST:PORT`), a pid (enable the inspector with SIGUSR1, or `process._debugProcess` on Windows,
 * then find the port it opened), or a command to launch. When the port the target wants is held
 * by another process, the error names that process and suggests `--inspect=0`.
 *
 * The inspector runs any code its client sends, so: PerfLab connects only to an inspector bound
 * to loopback unless the user named its host (and then warns), reports the address the socket is
 * really bound to, and closes an inspector it opened itself when it detaches.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isLoopbackHost } from '../../core/config/hosts';
import {
  boundSocketFor, commandOf, describeHolder, exposure, findInspector, inspectFlagsOf, isLoopbackBound, isNodeProcess, listeningPortsOf, loopbackFor,
  portHolder, type ListeningInspector, type ListeningPort,
} from './discovery';
import { assertHostAllowed, findNodeTarget, formatAddress, probeInspector, type InspectorAddress } from './endpoint';
import { ensureInspectorClosed, processExists, requestInspectorClose } from './inspectorClose';
import { launchWithInspector, type LaunchOptions, type LaunchedProcess } from './launch';
import { InspectorSession } from './session';
import { ProfilerError } from './types';

export type AttachSpec =
  /** `--inspect HOST:PORT`; a non-loopback host only when the user named it (`namedByUser`). */
  | { kind: 'address'; address: InspectorAddress; namedByUser?: boolean }
  | { kind: 'pid'; pid: number }
  | ({ kind: 'launch' } & Omit<LaunchOptions, 'signal'>);

export interface AttachOptions {
  /** Connect and discovery timeout. Default 5 s (launch: 15 s for the program to start). */
  timeoutMs?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
  signal?: AbortSignal;
}

/** A connected target. Always `close()` it (try/finally). */
export interface AttachedTarget {
  session: InspectorSession;
  pid?: number;
  /** `pid 1234 (node app.js), inspector 127.0.0.1:40123`: the address as the inspector bound it. */
  description: string;
  /** PerfLab opened the inspector (SIGUSR1) and closes it again in `close()`. */
  openedInspector: boolean;
  launched?: LaunchedProcess;
  /** Lets a launched program run (it waits before its first line so captures start first). */
  resume(): Promise<void>;
  /** Detaches (closing an inspector PerfLab opened); a launched program is stopped too. Idempotent, never throws. */
  close(): Promise<void>;
}

/** An inspector made reachable by pid: where it is, and whether PerfLab opened it. */
export interface EnabledInspector extends ListeningInspector {
  /** Opened by PerfLab's SIGUSR1: PerfLab must close it when it detaches. */
  openedByPerfLab: boolean;
}

const SIGNAL_WAIT_MS = 5_000;
const POLL_MS = 25;
const EXIT_GRACE_MS = 3_000;

export async function attach(spec: AttachSpec, opts: AttachOptions = {}): Promise<AttachedTarget> {
  opts.signal?.throwIfAborted();
  if (spec.kind === 'launch') return attachLaunched(spec, opts);
  const warn = (m: string) => opts.log?.('warn', m);
  let pid: number | undefined;
  let found: EnabledInspector;
  if (spec.kind === 'pid') {
    pid = spec.pid;
    found = await enableInspector(spec.pid, opts);
  } else {
    found = { ...(await checkNamedAddress(spec.address, spec.namedByUser ?? false, warn)), openedByPerfLab: false };
  }
  const { bound, reach, openedByPerfLab } = found;
  let session: InspectorSession;
  try {
    const target = await findTargetOrExplain(reach, opts.timeoutMs);
    session = await InspectorSession.connect(target, { timeoutMs: opts.timeoutMs, bound });
  } catch (err) {
    if (openedByPerfLab) {
      const problem = await ensureInspectorClosed(pid!, bound, reach, false);
      if (problem) warn(`${problem}; it stays open until the process exits`);
    }
    throw err;
  }
  // Registered first, so it runs last: every capture's own cleanup still needs the inspector.
  if (openedByPerfLab) session.addCleanup('close the inspector PerfLab opened', () => requestInspectorClose(session));
  const command = pid !== undefined ? await commandOf(pid) : undefined;
  const who = pid !== undefined ? `pid ${pid}${command ? ` (${shorten(command)})` : ''}` : session.target.title || session.target.url || 'node';
  let closing: Promise<void> | undefined;
  return {
    session,
    pid,
    openedInspector: openedByPerfLab,
    description: `${who}, inspector ${formatAddress(bound)}`,
    resume: async () => undefined,
    close: () =>
      (closing ??= (async () => {
        await session.detach(warn);
        if (!openedByPerfLab) return;
        const problem = await ensureInspectorClosed(pid!, bound, reach);
        if (problem) warn(`${problem}: the inspector PerfLab opened stays open until the process exits`);
      })()),
  };
}

/**
 * `--inspect HOST:PORT`: a non-loopback host only when named, with a warning; and when the port is
 * a local one, the socket it lands on, which must be on loopback unless the user named its host
 * (127.0.0.1 reaches an inspector bound to 0.0.0.0, which the network reaches too).
 */
async function checkNamedAddress(address: InspectorAddress, namedByUser: boolean, warn: (m: string) => void): Promise<ListeningInspector> {
  assertHostAllowed(address.host, namedByUser);
  if (!isLoopbackHost(address.host)) {
    warn(`${formatAddress(address)} is not on loopback: whoever can reach it can run code in the target through its inspector, over an unencrypted connection. Prefer an SSH tunnel to the target's 127.0.0.1`);
  }
  const bound = (await boundSocketFor(address).catch(() => undefined)) ?? address;
  // "0.0.0.0" as a destination is this machine; the inspector refuses it as a Host header.
  const reach = { host: loopbackFor(address.host), port: address.port };
  if (isLoopbackHost(address.host) && !isLoopbackBound(bound)) {
    throw new ProfilerError(
      `the inspector at ${formatAddress(address)} listens on ${formatAddress(bound)} (${exposure(bound)}): whoever can reach this machine can run code in that process, so PerfLab does not attach to it unnamed. Restart the target with its inspector on loopback (--inspect=127.0.0.1:${bound.port}), or, if the exposure is intended, name it: --inspect ${formatAddress(bound)}`,
      'refused',
    );
  }
  return { bound, reach };
}

async function attachLaunched(spec: Extract<AttachSpec, { kind: 'launch' }>, opts: AttachOptions): Promise<AttachedTarget> {
  const launched = await launchWithInspector({ ...spec, signal: opts.signal, timeoutMs: opts.timeoutMs ?? spec.timeoutMs });
  let session: InspectorSession;
  try {
    const target = await findNodeTarget(launched.address);
    session = await InspectorSession.connect(target, { timeoutMs: opts.timeoutMs });
  } catch (err) {
    await launched.stop();
    throw err;
  }
  let resumed = !launched.waitingForDebugger;
  let closing: Promise<void> | undefined;
  return {
    session,
    pid: launched.pid,
    openedInspector: false,
    launched,
    description: `pid ${launched.pid} (${shorten([spec.command, ...spec.args].join(' '))}), inspector ${formatAddress(launched.address)}`,
    resume: async () => {
      if (resumed) return;
      resumed = true;
      await session.send('Runtime.runIfWaitingForDebugger');
    },
    close: () =>
      (closing ??= (async () => {
        const exiting = session.state === 'exiting';
        await session.detach((m) => opts.log?.('warn', m));
        // A program that was exiting by itself finishes once we are gone: let it, with its own code.
        if (exiting) await Promise.race([launched.exited, sleep(EXIT_GRACE_MS)]);
        await launched.stop();
      })()),
  };
}

/**
 * Opens the inspector of a running Node process and returns where it listens. Uses the inspector
 * when it is already open (found among the process's listening sockets: no signal, no waiting);
 * otherwise SIGUSR1 (Windows: `process._debugProcess`) and waits for the new listening socket.
 * Refuses non-Node processes (SIGUSR1 would terminate most of them), and an inspector that is or
 * would be bound to a non-loopback address: one PerfLab opened that way is closed again at once.
 */
export async function enableInspector(pid: number, opts: AttachOptions = {}): Promise<EnabledInspector> {
  if (!Number.isInteger(pid) || pid <= 0) throw new ProfilerError(`"${pid}" is not a process id`, 'refused');
  if (!processExists(pid)) throw new ProfilerError(`no process with pid ${pid}`, 'unreachable');
  const command = await commandOf(pid);
  if (command !== undefined && !(await isNodeProcess(pid))) {
    throw new ProfilerError(`pid ${pid} is not a Node process (${shorten(command)}); attach by --inspect HOST:PORT if it has an inspector`, 'refused');
  }
  const flags = await inspectFlagsOf(pid);
  const before = await listeningPortsOf(pid);

  // Already open (at start, or by an earlier SIGUSR1): not PerfLab's to close.
  const open = await findInspector(before, flags.port);
  if (open) return alreadyOpen(pid, open, opts);

  // Where SIGUSR1 would open it: refuse before signalling rather than open it to the network.
  if (!isLoopbackHost(flags.host)) {
    const where = flags.port ? `${flags.host}:${flags.port}` : `${flags.host} (a random port)`;
    throw new ProfilerError(
      `refusing to open the inspector of pid ${pid} on ${where}: its inspector flags (command line or NODE_OPTIONS) name that host, which would make it listen on ${exposure({ host: flags.host, port: flags.port })}, where whoever can reach this machine could run code in the process. Start the target with --inspect-port=127.0.0.1:${flags.port} instead; to expose it on purpose, open it yourself (kill -USR1 ${pid}) and attach with --inspect HOST:PORT`,
      'refused',
    );
  }

  // The port it would open is taken by someone else: SIGUSR1 would only print an error there.
  if (flags.port !== 0) {
    const holder = await portHolder(flags.port);
    if (holder && holder.pid !== pid) throw portHeldError(flags.port, pid, holder);
  }

  if (process.platform === 'win32') {
    (process as unknown as { _debugProcess(pid: number): void })._debugProcess(pid);
  } else {
    process.kill(pid, 'SIGUSR1');
  }
  opts.log?.('info', `enabled the inspector of pid ${pid} (SIGUSR1); PerfLab closes it again when it detaches`);

  const { openedNow, ...opened } = await waitForOpened(pid, before, flags.port, opts);
  if (!openedNow) return alreadyOpen(pid, opened, opts);
  if (!isLoopbackBound(opened.bound)) {
    // Its flags said loopback (or could not be read: a renamed process), the socket says otherwise.
    const problem = await ensureInspectorClosed(pid, opened.bound, opened.reach, false);
    throw new ProfilerError(
      `pid ${pid} opened its inspector on ${formatAddress(opened.bound)} (${exposure(opened.bound)}) when signalled; ${problem ? `PerfLab could not close it again (${problem}): it stays open until the process exits, so restart the process` : 'PerfLab closed it again'} and does not attach. Start the target with --inspect-port=127.0.0.1:0 to attach by pid`,
      'refused',
    );
  }
  return { ...opened, openedByPerfLab: true };
}

/** An inspector that was open before PerfLab came: used when on loopback, and left open. */
function alreadyOpen(pid: number, open: ListeningInspector, opts: AttachOptions): EnabledInspector {
  if (!isLoopbackBound(open.bound)) {
    throw new ProfilerError(
      `the inspector of pid ${pid} listens on ${formatAddress(open.bound)} (${exposure(open.bound)}): whoever can reach this machine can run code in that process, so PerfLab does not attach to it by pid. Restart the target with its inspector on loopback (--inspect=127.0.0.1:${open.bound.port} or --inspect-port=127.0.0.1:0), or, if the exposure is intended, name it: --inspect ${formatAddress(open.bound)}`,
      'refused',
    );
  }
  opts.log?.('info', `the inspector of pid ${pid} is already open on ${formatAddress(open.bound)}; PerfLab uses it and leaves it open`);
  return { ...open, openedByPerfLab: false };
}

/**
 * After SIGUSR1: the new inspector socket, on any port (the flags may not tell the truth). When
 * nothing new appears, an inspector opened earlier on a port no flag names (the flags of a renamed
 * process cannot be read) is used as found, not opened by PerfLab.
 */
async function waitForOpened(pid: number, before: readonly ListeningPort[], port: number, opts: AttachOptions): Promise<ListeningInspector & { openedNow: boolean }> {
  const known = new Set(before.map((p) => `${p.address}:${p.port}`));
  const deadline = Date.now() + (opts.timeoutMs ?? SIGNAL_WAIT_MS);
  while (Date.now() < deadline) {
    opts.signal?.throwIfAborted();
    if (!processExists(pid)) throw new ProfilerError(`pid ${pid} exited after SIGUSR1 (was it really a Node process?)`, 'target-exit');
    const found = await findInspector((await listeningPortsOf(pid)).filter((p) => !known.has(`${p.address}:${p.port}`)));
    if (found) return { ...found, openedNow: true };
    // Without a port list (Windows): try the port it should use.
    if (process.platform === 'win32' && port !== 0 && (await probeInspector({ host: '127.0.0.1', port }))) {
      return { bound: { host: '127.0.0.1', port }, reach: { host: '127.0.0.1', port }, openedNow: true };
    }
    await sleep(POLL_MS);
  }
  const earlier = await findInspector(before);
  if (earlier) return { ...earlier, openedNow: false };
  if (port !== 0) {
    const holder = await portHolder(port);
    if (holder && holder.pid !== pid) throw portHeldError(port, pid, holder);
  }
  throw new ProfilerError(
    `pid ${pid} did not open its inspector within ${opts.timeoutMs ?? SIGNAL_WAIT_MS} ms of SIGUSR1 (started with --disable-sigusr1, or a Node without an inspector?). Start it with --inspect=0 and attach with --inspect HOST:PORT`,
    'unreachable',
  );
}

export function portHeldError(port: number, pid: number | undefined, holder: { pid?: number; command?: string }): ProfilerError {
  const wanted = pid !== undefined ? `, which pid ${pid} wants for its inspector,` : '';
  return new ProfilerError(
    `port ${port}${wanted} is held by ${describeHolder(holder)}. Stop that process, or start the target with --inspect=0 (any free port) or --inspect-port=0 (a free port when attaching by pid)`,
    'port-held',
  );
}

/** Like findNodeTarget, but when the port is held by something that is not an inspector, names it. */
async function findTargetOrExplain(address: InspectorAddress, timeoutMs?: number) {
  try {
    return await findNodeTarget(address, timeoutMs);
  } catch (err) {
    if (err instanceof ProfilerError && /^(127\.|::1$|localhost$)/.test(address.host)) {
      const holder = await portHolder(address.port).catch(() => undefined);
      if (holder && !(await probeInspector(address))) {
        throw new ProfilerError(`${formatAddress(address)} is not a Node inspector: the port is held by ${describeHolder(holder)}`, 'port-held');
      }
    }
    throw err;
  }
}

function shorten(text: string): string {
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
