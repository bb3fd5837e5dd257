/**
 * The monitor timeline: event-loop delay, heap, RSS, CPU and GC pauses measured inside the target
 * by an injected sampler (monitorAgent.ts), which buffers a sample per interval; the host pulls
 * the buffer with `Runtime.evaluate` every couple of seconds and emits the samples live. The host
 * keeps every sample it pulled (and the delay statistics of the whole capture so far), so when
 * the target dies the timeline up to then is still there. Event-loop delays are made net of the
 * timer resolution here, as they arrive.
 */
import { randomBytes } from 'node:crypto';
import type { LoopDelaySummary, ProcessStats } from '../../core/runRecord';
import { LOOP_DELAY_RESOLUTION_MS, netLoopDelayStats } from '../loopDelay';
import { writeJsonAtomic } from './atomicFile';
import { waitForCaptureEnd } from './capture';
import { installExpression, pullExpression, stopExpression } from './monitorAgent';
import type { InspectorSession } from './session';
import { summarizeTimeline } from './timelineSummary';
import { CaptureHandle, ProfilerError, type CaptureEnd, type MonitorSample } from './types';
import { formatCount, formatDuration } from '../../core/format';

export const DEFAULT_MONITOR_INTERVAL_MS = 500;
/**
 * How often the host pulls samples by default. Each pull is an inspector round trip that holds the
 * target's event loop for up to about a millisecond: pulled every 500 ms it would delay 2 % of the
 * 10 ms timer ticks and so set the p99 of an idle target's delay itself; every 2 s it is 0.5 %.
 */
export const DEFAULT_PULL_EVERY_MS = 2_000;

export interface MonitorOptions {
  /** Default 500 ms. */
  intervalMs?: number;
  /** Event-loop delay histogram resolution. Default 10 ms (LOOP_DELAY_RESOLUTION_MS). */
  resolutionMs?: number;
  /** How often samples are pulled (and emitted live), at least every interval. Default 2 s. */
  pullEveryMs?: number;
}

/** What a monitor recorded: the samples and the event-loop delay of the whole capture. */
export interface MonitorTimeline {
  /** Oldest first. */
  readonly samples: readonly MonitorSample[];
  /** Over the whole capture (up to the last pull when the target went away), net of the resolution. */
  readonly loopDelay: LoopDelaySummary;
}

export interface MonitorRecording extends MonitorTimeline {
  /** The target's monotonic clock (µs) when the sampler started: `t = 0` of the samples. */
  readonly startMonoUs: number;
  readonly intervalMs: number;
  readonly resolutionMs: number;
  /** Removes the sampler (after a last sample) and returns the whole timeline. Idempotent. */
  stop(): Promise<MonitorTimeline>;
}

/** What the agent's pull and stop return (`null` once it is gone). */
type AgentBatch = { samples: Omit<MonitorSample, 't'>[]; window: LoopDelaySummary } | null;

const NO_DELAY: LoopDelaySummary = { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };

/** Installs the sampler and starts pulling; `onSample` sees each sample as it arrives. */
export async function startMonitor(session: InspectorSession, opts: MonitorOptions = {}, onSample?: (s: MonitorSample) => void): Promise<MonitorRecording> {
  const intervalMs = opts.intervalMs ?? DEFAULT_MONITOR_INTERVAL_MS;
  const resolutionMs = opts.resolutionMs ?? LOOP_DELAY_RESOLUTION_MS;
  if (!(intervalMs >= 10)) throw new ProfilerError(`a monitor interval of ${intervalMs} ms is too short; give 10 ms or more (default 500 ms)`, 'refused');
  if (!(resolutionMs >= 1)) throw new ProfilerError(`an event-loop delay resolution of ${resolutionMs} ms is not possible; give 1 ms or more`, 'refused');
  const key = `perflab.monitor.${randomBytes(6).toString('hex')}`;
  const installed = await evaluate<{ status: string; monoUs: number }>(
    session,
    installExpression({ key, intervalMs, resolutionMs, maxBuffered: 10_000, orphanMs: Math.max(30_000, intervalMs * 20, (opts.pullEveryMs ?? 0) * 5) }),
  );
  const startMonoUs = installed.monoUs;
  const samples: MonitorSample[] = [];
  let loopDelay = NO_DELAY;
  const accept = (batch: AgentBatch) => {
    if (!batch) return;
    for (const r of batch.samples) {
      const s: MonitorSample = { t: (r.monoUs - startMonoUs) / 1e6, ...r, loopDelay: netLoopDelayStats(r.loopDelay, resolutionMs) };
      samples.push(s);
      onSample?.(s);
    }
    loopDelay = netLoopDelayStats(batch.window, resolutionMs);
  };

  let pulling: Promise<void> | undefined;
  const pull = () =>
    (pulling ??= evaluate<AgentBatch>(session, pullExpression(key))
      .then(accept, () => undefined)
      .finally(() => (pulling = undefined)));
  const timer = setInterval(() => {
    if (session.state === 'closed') return clearInterval(timer);
    void pull();
  }, Math.max(intervalMs, opts.pullEveryMs ?? DEFAULT_PULL_EVERY_MS));

  let stopping: Promise<MonitorTimeline> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(timer);
      unregister();
      await pulling;
      if (session.state !== 'closed') {
        try {
          accept(await evaluate<AgentBatch>(session, stopExpression(key), 5_000));
        } catch {
          // The target is gone: keep what was pulled.
        }
      }
      return { samples, loopDelay };
    })());
  const unregister = session.addCleanup('remove the monitor sampler', async () => {
    clearInterval(timer);
    await evaluate(session, stopExpression(key), 2_000);
  });
  return {
    samples,
    get loopDelay() {
      return loopDelay;
    },
    startMonoUs,
    intervalMs,
    resolutionMs,
    stop,
  };
}

/** The timeline file (`kind: 'timeline'` artifact; `perflab profile monitor --out`). */
export interface TimelineFile {
  format: 'perflab-timeline';
  /** 2: event-loop delays net of `resolutionMs`, `loopDelay` of the whole capture, GC pauses only. */
  version: 2;
  /** Which process, for the reader. */
  target: string;
  startedAt: string;
  intervalMs: number;
  resolutionMs: number;
  endedBy: CaptureEnd;
  /** False when the target exited or the connection dropped before the planned end. */
  complete: boolean;
  /** Event-loop delay over the whole capture (one distribution), net of `resolutionMs`. */
  loopDelay: LoopDelaySummary;
  samples: readonly MonitorSample[];
  /** The heap used after a full GC PerfLab forced just before and just after the capture, when it did (points of the heap-growth slope). */
  liveHeap?: readonly LiveHeapPoint[];
}

/** The timeline file of a recording. */
export function timelineFile(recording: Pick<MonitorRecording, 'intervalMs' | 'resolutionMs'>, timeline: MonitorTimeline, meta: Pick<TimelineFile, 'target' | 'startedAt' | 'endedBy' | 'complete' | 'liveHeap'>): TimelineFile {
  return {
    format: 'perflab-timeline',
    version: 2,
    ...meta,
    intervalMs: recording.intervalMs,
    resolutionMs: recording.resolutionMs,
    loopDelay: timeline.loopDelay,
    samples: timeline.samples,
  };
}

export interface MonitorCaptureOptions extends MonitorOptions {
  /** Where to write the timeline (JSON); optional. */
  out?: string;
  /** Undefined: until cancelled or the target exits. */
  durationMs?: number;
  signal?: AbortSignal;
  /** For the file: which process this is. */
  targetLabel?: string;
  onStarted?: () => Promise<void> | void;
}

export interface MonitorCaptureResult {
  file?: string;
  samples: readonly MonitorSample[];
  endedBy: CaptureEnd;
  summary: ProcessStats;
  /** The timer resolution taken off the event-loop delays. */
  resolutionMs: number;
}

/**
 * Samples for a duration, emitting `sample` events live, and writes the timeline. When the
 * target exits before the duration is up, the timeline so far is written (`complete: false`)
 * and the capture fails with a ProfilerError naming the file.
 */
export function captureMonitor(session: InspectorSession, opts: MonitorCaptureOptions): CaptureHandle<MonitorCaptureResult> {
  return new CaptureHandle(async (handle, signal) => {
    const startedAt = new Date().toISOString();
    const recording = await startMonitor(session, opts, (s) => handle.emit('sample', s));
    await opts.onStarted?.();
    const endedBy = await waitForCaptureEnd(session, handle, { durationMs: opts.durationMs, signal, phase: 'monitor' });
    const timeline = await recording.stop();
    const { samples } = timeline;
    const early = endedBy === 'target-exit' && opts.durationMs !== undefined;
    let file: string | undefined;
    if (opts.out) {
      file = await writeJsonAtomic(opts.out, timelineFile(recording, timeline, { target: opts.targetLabel ?? session.address, startedAt, endedBy, complete: !early }));
    }
    if (early) {
      const last = samples[samples.length - 1];
      const upTo = last ? `${formatCount(samples.length)} samples up to ${formatDuration(last.t * 1000)}` : 'no samples';
      throw new ProfilerError(
        `the target exited (or was killed) before the ${formatDuration(opts.durationMs!)} monitor ended; ${file ? `the partial timeline (${upTo}) is saved in ${file}` : `the timeline has ${upTo}`}`,
        'target-exit',
        file ? [file] : [],
      );
    }
    return { file, samples, endedBy, summary: summarizeTimeline(timeline), resolutionMs: recording.resolutionMs };
  }, opts.signal);
}

/** A heap reading right after a full collection, on the target's monotonic clock. */
export interface LiveHeapPoint {
  monoUs: number;
  heapUsed: number;
}

/**
 * Runs a full GC in the target (it pauses the target for as long as the collection takes) and
 * reads the heap left: the live heap, a point of the post-GC growth line when natural major GCs
 * are too few in a short run.
 */
export async function measureLiveHeap(session: InspectorSession): Promise<LiveHeapPoint> {
  const release = await session.acquire('HeapProfiler');
  try {
    await session.send('HeapProfiler.collectGarbage', undefined, { timeoutMs: 60_000 });
  } finally {
    await release();
  }
  return evaluate<LiveHeapPoint>(session, `JSON.stringify({ monoUs: Number(process.hrtime.bigint() / 1000n), heapUsed: process.memoryUsage().heapUsed })`);
}

/** Evaluates an expression that returns JSON text in the target and parses it. */
async function evaluate<T>(session: InspectorSession, expression: string, timeoutMs = 10_000): Promise<T> {
  const { result, exceptionDetails } = await session.send(
    'Runtime.evaluate',
    { expression, includeCommandLineAPI: true, returnByValue: true, silent: true },
    { timeoutMs },
  );
  if (exceptionDetails) {
    const text = exceptionDetails.exception?.description ?? exceptionDetails.text;
    throw new ProfilerError(`the monitor sampler failed inside the target: ${text}`, 'internal');
  }
  if (typeof result.value !== 'string') throw new ProfilerError('the monitor sampler returned no data', 'internal');
  return JSON.parse(result.value) as T;
}
