/**
 * Closing an inspector PerfLab opened with SIGUSR1. Node never closes it by itself (it stays open,
 * holding its port, until the process exits), so PerfLab asks the target to call
 * `inspector.close()` as the last step of its detach, then checks that the port really stopped
 * listening. The call is deferred to the target's next turn of the event loop: done at once, it
 * drops the connection before the command is answered.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { listeningPortsOf } from './discovery';
import { findNodeTarget, type InspectorAddress } from './endpoint';
import { InspectorSession } from './session';

// `process.getBuiltinModule` exists from Node 20.16 / 22.3; older targets have the console's `require`.
const CLOSE_EXPRESSION = `(() => {
  const inspector = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:inspector') : require('node:inspector');
  setImmediate(() => inspector.close());
  return true;
})()`;

const CLOSE_WAIT_MS = 2_000;
const POLL_MS = 20;

/**
 * Asks the target to close its inspector right after answering, and waits (briefly) for it to
 * drop the connection, so a detach that follows has nothing left to close.
 */
export async function requestInspectorClose(session: InspectorSession): Promise<void> {
  await session.send('Runtime.evaluate', { expression: CLOSE_EXPRESSION, includeCommandLineAPI: true, returnByValue: true }, { timeoutMs: 3_000 });
  // Unref'd: once the connection is gone, this timer must not keep a CLI alive.
  if (session.state !== 'closed') await Promise.race([session.gone, sleep(CLOSE_WAIT_MS, undefined, { ref: false })]);
}

/**
 * Makes sure the inspector of `pid` on `bound.port` no longer listens: waits for the close a
 * detach asked for (`asked`) and, when the port still listens (the session was lost before it
 * could ask) or nobody asked yet, connects through `reach` to ask. Resolves with a problem to
 * report, or undefined when the port is free (or the process is gone).
 */
export async function ensureInspectorClosed(pid: number, bound: InspectorAddress, reach: InspectorAddress, asked = true): Promise<string | undefined> {
  if (asked && (await portFreed(pid, bound.port))) return undefined;
  try {
    const session = await InspectorSession.connect(await findNodeTarget(reach));
    try {
      await requestInspectorClose(session);
    } finally {
      await session.detach();
    }
  } catch (err) {
    if (await portFreed(pid, bound.port)) return undefined;
    return `could not close the inspector of pid ${pid} (${(err as Error).message})`;
  }
  return (await portFreed(pid, bound.port)) ? undefined : `the inspector of pid ${pid} still listens on port ${bound.port}`;
}

/** Polls until `pid` no longer listens on `port` (or has exited); false after CLOSE_WAIT_MS. */
async function portFreed(pid: number, port: number): Promise<boolean> {
  const deadline = Date.now() + CLOSE_WAIT_MS;
  for (;;) {
    if (!processExists(pid)) return true;
    if (!(await listeningPortsOf(pid)).some((p) => p.port === port)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

/** Whether `pid` names a live process (signal 0 only checks). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
