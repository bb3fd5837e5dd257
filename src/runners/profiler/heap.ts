/**
 * Heap sampling profiles (`HeapProfiler.startSampling`): V8 samples about one allocation per
 * `samplingInterval` bytes with its stack, cheap enough for a live service. The result is the
 * DevTools `.heapprofile` format. This is PerfLab's default memory profile; a snapshot pauses the
 * target. By default the samples of objects the GC has collected since are kept (V8 drops them
 * otherwise): a live server's allocations are mostly short-lived, and a profile of only what is
 * still alive at the end shows next to nothing of where its memory goes.
 */
import type Protocol from 'devtools-protocol';
import { writeJsonAtomic } from './atomicFile';
import { collect, exitedEarly, waitForCaptureEnd } from './capture';
import type { InspectorSession } from './session';
import { CaptureHandle, ProfilerError, type CaptureEnd } from './types';

export type HeapProfile = Protocol.HeapProfiler.SamplingHeapProfile;

/** V8's default: one sample per 32 KB allocated on average. */
export const DEFAULT_HEAP_SAMPLING_BYTES = 32_768;

export interface HeapSamplingOptions {
  /** Average bytes between samples. Default 32768. */
  samplingIntervalBytes?: number;
  /**
   * Only objects still alive when the profile is taken (DevTools' default). Default false: the
   * profile shows every sampled allocation, including objects already collected.
   */
  live?: boolean;
}

export interface HeapSamplingRecording {
  /** The profile so far, without stopping. */
  current(): Promise<HeapProfile>;
  stop(): Promise<HeapProfile>;
}

export async function startHeapSampling(session: InspectorSession, opts: HeapSamplingOptions = {}): Promise<HeapSamplingRecording> {
  const samplingInterval = opts.samplingIntervalBytes ?? DEFAULT_HEAP_SAMPLING_BYTES;
  if (!Number.isFinite(samplingInterval) || samplingInterval < 1) throw new ProfilerError(`a heap sampling interval of ${samplingInterval} bytes is not possible`, 'refused');
  const stop = await session.record(
    'HeapProfiler',
    'heap sampling',
    () => session.send('HeapProfiler.startSampling', {
      samplingInterval: Math.round(samplingInterval),
      ...(opts.live ? {} : { includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }),
    }),
    async () => (await session.send('HeapProfiler.stopSampling', undefined, { timeoutMs: 60_000 })).profile,
    () => session.send('HeapProfiler.stopSampling'),
  );
  return {
    current: async () => (await session.send('HeapProfiler.getSamplingProfile', undefined, { timeoutMs: 60_000 })).profile,
    stop,
  };
}

export interface HeapCaptureOptions extends HeapSamplingOptions {
  out: string;
  durationMs?: number;
  signal?: AbortSignal;
  onStarted?: () => Promise<void> | void;
}

export interface HeapCaptureResult {
  file: string;
  durationMs: number;
  /** Allocation samples in the profile. */
  sampleCount: number;
  /** Bytes the samples stand for (V8 scales each sample up to the allocations it represents). */
  estimatedBytes: number;
  /** True: only objects still alive at the end were kept; false: every sampled allocation. */
  live: boolean;
  endedBy: CaptureEnd;
}

/** Records a heap sampling profile for a duration and writes it as `.heapprofile`. */
export function captureHeapProfile(session: InspectorSession, opts: HeapCaptureOptions): CaptureHandle<HeapCaptureResult> {
  return new CaptureHandle(async (handle, signal) => {
    const recording = await startHeapSampling(session, opts);
    const started = Date.now();
    await opts.onStarted?.();
    const endedBy = await waitForCaptureEnd(session, handle, { durationMs: opts.durationMs, signal, phase: 'heap sampling' });
    const profile = await collect(recording.stop, 'heap profile');
    const file = await writeJsonAtomic(opts.out, profile);
    const durationMs = Date.now() - started;
    if (endedBy === 'target-exit') exitedEarly('heap profile', file, durationMs, opts.durationMs, handle);
    return {
      file,
      durationMs,
      sampleCount: profile.samples.length,
      estimatedBytes: totalSelfSize(profile),
      live: opts.live ?? false,
      endedBy,
    };
  }, opts.signal);
}

/** Sum of `selfSize` over the allocation tree. */
export function totalSelfSize(profile: HeapProfile): number {
  let total = 0;
  const stack = [profile.head];
  while (stack.length) {
    const node = stack.pop()!;
    total += node.selfSize;
    for (const child of node.children) stack.push(child);
  }
  return total;
}
