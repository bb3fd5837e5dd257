/**
 * The shared life of a timed capture: run until the duration is up, the caller cancels, or the
 * target starts exiting / drops the connection, reporting progress a few times a second.
 */
import type { InspectorSession } from './session';
import { ProfilerError, type CaptureEnd, type CaptureHandle } from './types';
import { formatDuration } from '../../core/format';

const PROGRESS_EVERY_MS = 250;

export interface WaitOptions {
  /** Undefined: until cancelled or the target exits. */
  durationMs?: number;
  signal: AbortSignal;
  /** Reported in progress events. */
  phase: string;
}

/** Waits for the end of a capture and says why it ended ('target-exit' also covers a lost connection). */
export async function waitForCaptureEnd(session: InspectorSession, handle: CaptureHandle<unknown>, opts: WaitOptions): Promise<CaptureEnd> {
  const started = Date.now();
  const progress = () => {
    const elapsedMs = Date.now() - started;
    handle.emit('progress', {
      fraction: opts.durationMs ? Math.min(1, elapsedMs / opts.durationMs) : 0,
      elapsedMs,
      totalMs: opts.durationMs,
      phase: opts.phase,
    });
  };
  progress();
  const ticker = setInterval(progress, PROGRESS_EVERY_MS);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      session.gone.then((): CaptureEnd => 'target-exit'),
      new Promise<CaptureEnd>((resolve) => {
        if (opts.durationMs !== undefined) timer = setTimeout(() => resolve('duration'), opts.durationMs);
      }),
      new Promise<CaptureEnd>((resolve) => {
        onAbort = () => resolve('cancelled');
        if (opts.signal.aborted) onAbort();
        else opts.signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearInterval(ticker);
    clearTimeout(timer);
    if (onAbort) opts.signal.removeEventListener('abort', onAbort);
    progress();
  }
}

/** Default output name: `cpu-20251127-101502-1234.cpuprofile` in `dir`. */
export function defaultCaptureName(kind: string, pid: number | undefined, ext: string, at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\.\d+Z$/, '');
  return `${kind}-${stamp}${pid !== undefined ? `-${pid}` : ''}.${ext}`;
}

/**
 * What a recording holds, from its `stop`. A target gone by then takes the recording with it: a
 * ProfilerError that says nothing was saved (`why` says why, ending in "so ").
 */
export async function collect<T>(stop: () => Promise<T>, what: string, why = ''): Promise<T> {
  try {
    return await stop();
  } catch (err) {
    if (err instanceof ProfilerError && err.reason === 'target-exit') {
      throw new ProfilerError(`the target exited (or was killed) before the ${what} could be collected; ${why}nothing was saved`, 'target-exit');
    }
    throw err;
  }
}

/**
 * The target exited during a capture and what it had is saved in `file`. With a planned duration
 * that is a failure the user must hear about (a ProfilerError naming the file); without one
 * (launch mode: "profile until it ends") it is the normal end, and only logged.
 */
export function exitedEarly(what: string, file: string, capturedMs: number, plannedMs: number | undefined, handle: CaptureHandle<unknown>): void {
  const after = formatDuration(capturedMs);
  if (plannedMs === undefined) {
    handle.log('info', `the target exited after ${after}; the ${what} covers its whole run`);
    return;
  }
  throw new ProfilerError(`the target exited after ${after} of the planned ${formatDuration(plannedMs)}; the ${what} up to its exit is saved in ${file}`, 'target-exit', [file]);
}
