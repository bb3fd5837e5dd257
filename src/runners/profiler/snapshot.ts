/**
 * Heap snapshots streamed to disk. V8 sends a snapshot as `HeapProfiler.addHeapSnapshotChunk`
 * events before `takeHeapSnapshot` answers; each chunk goes straight into a file stream, and
 * while the disk lags the WebSocket stops reading (TCP backpressure reaches the target), so the
 * snapshot never sits in memory as one string. The file appears under its name only when complete.
 */
import { AtomicFileWriter } from './atomicFile';
import type { InspectorSession } from './session';
import { checkSnapshotMemory, type SnapshotMemoryOptions } from './snapshotMemory';
import { formatBytes } from '../../core/format';
import { CaptureHandle, ProfilerError } from './types';

export interface SnapshotOptions {
  /** The `.heapsnapshot` to write. */
  out: string;
  signal?: AbortSignal;
  /** Record numbers held in objects (bigger snapshots). Default false. */
  captureNumericValue?: boolean;
  /** Take it even when the machine lacks the memory the snapshot is projected to need. */
  force?: boolean;
  /** How that projection is made (see checkSnapshotMemory). */
  memory?: SnapshotMemoryOptions;
}

export interface SnapshotResult {
  file: string;
  bytes: number;
  durationMs: number;
}

/**
 * Takes a heap snapshot. It pauses the target while V8 walks the heap (seconds to minutes for
 * big heaps) and the target's memory grows to many times its heap meanwhile: a warning log says
 * how much first, and the snapshot is refused (a ProfilerError, `refused`) when this machine does
 * not have that memory, unless `force`. When the target exits or the capture is cancelled midway,
 * the bytes received are kept as `<out>.partial` and the error says it is incomplete.
 */
export function takeHeapSnapshot(session: InspectorSession, opts: SnapshotOptions): CaptureHandle<SnapshotResult> {
  return new CaptureHandle(async (handle, signal) => {
    const memory = await checkSnapshotMemory(session, opts.memory);
    if (!memory.ok && !opts.force) throw new ProfilerError(memory.message, 'refused');
    handle.log(
      'warn',
      memory.ok
        ? memory.message
        : `--force: taking the heap snapshot although the target is projected to grow by ${formatBytes(memory.growth)} (to ${formatBytes(memory.projectedPeak)}, ${memory.factor}× its ${formatBytes(memory.heapUsed)} heap in use) and this machine has ${formatBytes(memory.available ?? 0)} available; it pauses the target until the heap is written`,
    );

    const started = Date.now();
    const writer = await AtomicFileWriter.create(opts.out);
    let pending: Promise<void> | undefined;
    let failure: Error | undefined;
    let lastReport = 0;
    const report = (message: string, fraction: number) => {
      handle.emit('progress', { fraction, elapsedMs: Date.now() - started, phase: 'heap snapshot', message });
    };
    const offProgress = session.subscribe('HeapProfiler.reportHeapSnapshotProgress', ({ done, total, finished }) => {
      // Walking the heap is the first half of the work, writing it the second.
      if (finished || Date.now() - lastReport > 200) {
        lastReport = Date.now();
        report(finished ? 'heap walked, writing' : `walking the heap: ${done}/${total} objects`, total > 0 ? (0.5 * done) / total : 0);
      }
    });
    const offChunk = session.subscribe('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => {
      if (failure) return;
      try {
        const drained = writer.write(chunk);
        if (drained && !pending) {
          session.setReading(false);
          pending = drained.then(
            () => {
              pending = undefined;
              session.setReading(true);
            },
            (err: Error) => {
              failure = err;
              session.setReading(true);
            },
          );
        }
      } catch (err) {
        failure = err as Error;
      }
      if (Date.now() - lastReport > 200) {
        lastReport = Date.now();
        report(`${formatBytes(writer.bytes)} written`, 0.5);
      }
    });

    const keepPartial = async (why: string): Promise<never> => {
      session.setReading(true);
      const partial = await writer.keepPartial();
      const kept = partial
        ? ` The ${formatBytes(writer.bytes)} received are kept in ${partial}; it is incomplete and no tool can open it.`
        : ' Nothing had been received yet.';
      throw new ProfilerError(`${why}.${kept}`, signal.aborted ? 'internal' : 'target-exit', partial ? [partial] : []);
    };

    let onAbort: (() => void) | undefined;
    try {
      const release = await session.acquire('HeapProfiler');
      const unregister = session.addCleanup('release the heap profiler', release);
      try {
        await Promise.race([
          session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: true, captureNumericValue: opts.captureNumericValue ?? false }, { timeoutMs: 0 }),
          new Promise<never>((_, reject) => {
            onAbort = () => reject(new Error('cancelled'));
            if (signal.aborted) onAbort();
            else signal.addEventListener('abort', onAbort, { once: true });
          }),
        ]);
      } catch (err) {
        if (signal.aborted) return await keepPartial('the heap snapshot was cancelled before it was complete');
        if (err instanceof ProfilerError && err.reason === 'target-exit') return await keepPartial('the target exited (or was killed) while the heap snapshot was being taken');
        throw err;
      }
      unregister();
      await release();
      while (pending) await pending;
      if (failure) throw failure;
      const file = await writer.commit();
      report(`${formatBytes(writer.bytes)} written`, 1);
      return { file, bytes: writer.bytes, durationMs: Date.now() - started };
    } catch (err) {
      if (!(err instanceof ProfilerError && err.partial.length)) await writer.discard().catch(() => undefined);
      throw err;
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      offChunk();
      offProgress();
      session.setReading(true);
    }
  }, opts.signal);
}
