/**
 * Getting an inspector session to a target, three ways: an inspector address (`--inspect
 * HOST:PORT`), a pid (enable the inspector with SIGUSR1, or `process._debugProcess` on Windows,
 * then find the port it opened), or a command to launch. When the port the target wants is held
 * by another process, the error names that process and suggests `--inspect=0`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  commandOf, describeHolder, inspectFlagsOf, isNodeProcess, listeningPortsOf, loopbackFor, portHolder, probeInspectorAmong,
} from './discovery';
import { assertHostAllowed, findNodeTarget, formatAddress, probeInspector, type InspectorAddress } from './endpoint';
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
  /** `pid 1234 (node app.js), inspector 127.0.0.1:40123`. */
  description: string;
  launched?: LaunchedProcess;
  /** Lets a launched program run (it waits before its first line so captures start first). */
  resume(): Promise<void>;
  /** Detaches; a launched program is stopped too. Idempotent, never throws. */
  close(): Promise<void>;
}

const SIGNAL_WAIT_MS = 5_000;
const POLL_MS = 25;
const EXIT_GRACE_MS = 3_000;

export async function attach(spec: AttachSpec, opts: AttachOptions = {}): Promise<AttachedTarget> {
  opts.signal?.throwIfAborted();
  if (spec.kind === 'launch') return attachLaunched(spec, opts);
  let pid: number | undefined;
  let address: InspectorAddress;
  if (spec.kind === 'pid') {
    pid = spec.pid;
    address = await enableInspector(spec.pid, opts);
  } else {
    address = spec.address;
    assertHostAllowed(address.host, spec.namedByUser ?? false);
  }
  const target = await findTargetOrExplain(address, opts.timeoutMs);
  const session = await InspectorSession.connect(target, { timeoutMs: opts.timeoutMs });
  const command = pid !== undefined ? await commandOf(pid) : undefined;
  const who = pid !== undefined ? `pid ${pid}${command ? ` (${shorten(command)})` : ''}` : target.title || target.url || 'node';
  return {
    session,
    pid,
    description: `${who}, inspector ${formatAddress(address)}`,
    resume: async () => undefined,
    close: () => session.detach((m) => opts.log?.('warn', m)),
  };
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
 * when it is already open; otherwise SIGUSR1 (Windows: `process._debugProcess`) and waits for the
 * new listening port. Refuses non-Node processes (SIGUSR1 would terminate most of them).
 */
export async function enableInspector(pid: number, opts: AttachOptions = {}): Promise<InspectorAddress> {
  if (!Number.isInteger(pid) || pid <= 0) throw new ProfilerError(`"${pid}" is not a process id`, 'refused');
  if (!processExists(pid)) throw new ProfilerError(`no process with pid ${pid}`, 'unreachable');
  const command = await commandOf(pid);
  if (command !== undefined && !(await isNodeProcess(pid))) {
    throw new ProfilerError(`pid ${pid} is not a Node process (${shorten(command)}); attach by --inspect HOST:PORT if it has an inspector`, 'refused');
  }
  const flags = await inspectFlagsOf(pid);
  const before = await listeningPortsOf(pid);

  // Already open: a flagged port it listens on, or (started with --inspect=0) a probed one.
  const flagged = flags.port !== 0 ? before.find((p) => p.port === flags.port) : undefined;
  if (flagged && (await probeInspector({ host: loopbackFor(flagged.address), port: flagged.port }))) {
    return { host: loopbackFor(flagged.address), port: flagged.port };
  }
  if (flags.openAtStart) {
    const probed = await probeInspectorAmong(before);
    if (probed) return probed;
  }

  // The port it would open is taken by someone else: SIGUSR1 would only print an error there.
  if (flags.port !== 0 && !flagged) {
    const holder = await portHolder(flags.port);
    if (holder && holder.pid !== pid) throw portHeldError(flags.port, pid, holder);
  }

  if (process.platform === 'win32') {
    (process as unknown as { _debugProcess(pid: number): void })._debugProcess(pid);
  } else {
    process.kill(pid, 'SIGUSR1');
  }
  opts.log?.('info', `enabled the inspector of pid ${pid} (SIGUSR1); it stays open until the process exits`);

  const known = new Set(before.map((p) => `${p.address}:${p.port}`));
  const deadline = Date.now() + (opts.timeoutMs ?? SIGNAL_WAIT_MS);
  while (Date.now() < deadline) {
    opts.signal?.throwIfAborted();
    if (!processExists(pid)) throw new ProfilerError(`pid ${pid} exited after SIGUSR1 (was it really a Node process?)`, 'target-exit');
    const fresh = (await listeningPortsOf(pid)).filter((p) => !known.has(`${p.address}:${p.port}`));
    const found = await probeInspectorAmong(fresh);
    if (found) return found;
    if (process.platform === 'win32' || fresh.length === 0) {
      // Without a port list (Windows), or while nothing new listens: try the port it should use.
      if (process.platform === 'win32' && flags.port !== 0 && (await probeInspector({ host: '127.0.0.1', port: flags.port }))) {
        return { host: '127.0.0.1', port: flags.port };
      }
    }
    await sleep(POLL_MS);
  }
  // Nothing new: maybe it was opened before on a port no flag names (an earlier SIGUSR1).
  const probed = await probeInspectorAmong(await listeningPortsOf(pid));
  if (probed) return probed;
  if (flags.port !== 0) {
    const holder = await portHolder(flags.port);
    if (holder && holder.pid !== pid) throw portHeldError(flags.port, pid, holder);
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

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function shorten(text: string): string {
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
