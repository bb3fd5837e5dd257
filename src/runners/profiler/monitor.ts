/**
 * The monitor timeline: event-loop delay, heap, RSS, CPU and GC pauses measured inside the target
 * by an injected sampler (monitorAgent.ts), pulled by the host with `Runtime.evaluate` once per
 * interval and emitted live. The host keeps every sample it pulled, so when the target dies the
 * timeline up to then is still there to save.
 */
import { randomBytes } from 'node:crypto';
import { writeJsonAtomic } from './atomicFile';
import { waitForCaptureEnd } from './capture';
import { installExpression, pullExpression, stopExpression } from './monitorAgent';
import type { InspectorSession } from './session';
import { CaptureHandle, ProfilerError, type CaptureEnd, type MonitorSample } from './types';

export const DEFAULT_MONITOR_INTERVAL_MS = 500;
export const DEFAULT_LOOP_RESOLUTION_MS = 10;

export interface MonitorOptions {
  /** Default 500 ms. */
  intervalMs?: number;
  /** Event-loop delay histogram resolution. Default 10 ms. */
  resolutionMs?: number;
}

export interface MonitorRecording {
  /** Every sample pulled so far, oldest first. */
  readonly samples: readonly MonitorSample[];
  /** The target's monotonic clock (µs) when the sampler started: `t = 0` of the samples. */
  readonly startMonoUs: number;
  readonly intervalMs: number;
  readonly resolutionMs: number;
  /** Removes the sampler (after a last sample) and returns the whole timeline. Idempotent. */
  stop(): Promise<readonly MonitorSample[]>;
}

/** Installs the sampler and starts pulling; `onSample` sees each sample as it arrives. */
export async function startMonitor(session: InspectorSession, opts: MonitorOptions = {}, onSample?: (s: MonitorSample) => void): Promise<MonitorRecording> {
  const intervalMs = opts.intervalMs ?? DEFAULT_MONITOR_INTERVAL_MS;
  const resolutionMs = opts.resolutionMs ?? DEFAULT_LOOP_RESOLUTION_MS;
  if (!(intervalMs >= 10)) throw new ProfilerError(`a monitor interval of ${intervalMs} ms is too short; give 10 ms or more (default 500 ms)`, 'refused');
  if (!(resolutionMs >= 1)) throw new ProfilerError(`an event-loop delay resolution of ${resolutionMs} ms is not possible; give 1 ms or more`, 'refused');
  const key = `perflab.monitor.${randomBytes(6).toString('hex')}`;
  const installed = await evaluate<{ status: string; monoUs: number }>(
    session,
    installExpression({ key, intervalMs, resolutionMs, maxBuffered: 10_000, orphanMs: Math.max(30_000, intervalMs * 20) }),
  );
  const startMonoUs = installed.monoUs;
  const samples: MonitorSample[] = [];
  const accept = (raw: Omit<MonitorSample, 't'>[]) => {
    for (const r of raw) {
      const s: MonitorSample = { t: (r.monoUs - startMonoUs) / 1e6, ...r };
      samples.push(s);
      onSample?.(s);
    }
  };

  let pulling: Promise<void> | undefined;
  const pull = () =>
    (pulling ??= evaluate<Omit<MonitorSample, 't'>[]>(session, pullExpression(key))
      .then(accept, () => undefined)
      .finally(() => (pulling = undefined)));
  const timer = setInterval(() => {
    if (session.state === 'closed') return clearInterval(timer);
    void pull();
  }, intervalMs);

  let stopping: Promise<readonly MonitorSample[]> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(timer);
      unregister();
      await pulling;
      if (session.state !== 'closed') {
        try {
          accept(await evaluate(session, stopExpression(key), 5_000));
        } catch {
          // The target is gone: keep what was pulled.
        }
      }
      return samples;
    })());
  const unregister = session.addCleanup('remove the monitor sampler', async () => {
    clearInterval(timer);
    await evaluate(session, stopExpression(key), 2_000);
  });
  return { samples, startMonoUs, intervalMs, resolutionMs, stop };
}

/** The timeline file (`kind: 'timeline'` artifact). */
export interface TimelineFile {
  format: 'perflab-timeline';
  version: 1;
  /** Which process, for the reader. */
  target: string;
  startedAt: string;
  intervalMs: number;
  resolutionMs: number;
  endedBy: CaptureEnd;
  /** False when the target exited or the connection dropped before the planned end. */
  complete: boolean;
  samples: readonly MonitorSample[];
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
  summary: TimelineSummary;
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
    const samples = await recording.stop();
    const early = endedBy === 'target-exit' && opts.durationMs !== undefined;
    let file: string | undefined;
    if (opts.out) {
      const timeline: TimelineFile = {
        format: 'perflab-timeline',
        version: 1,
        target: opts.targetLabel ?? session.address,
        startedAt,
        intervalMs: recording.intervalMs,
        resolutionMs: recording.resolutionMs,
        endedBy,
        complete: !early,
        samples,
      };
      file = await writeJsonAtomic(opts.out, timeline);
    }
    if (early) {
      const last = samples[samples.length - 1];
      const upTo = last ? `${samples.length} samples up to ${last.t.toFixed(1)} s` : 'no samples';
      throw new ProfilerError(
        `the target exited (or was killed) before the ${(opts.durationMs! / 1000).toFixed(1)} s monitor ended; ${file ? `the partial timeline (${upTo}) is saved in ${file}` : `the timeline has ${upTo}`}`,
        'target-exit',
        file ? [file] : [],
      );
    }
    return { file, samples, endedBy, summary: summarizeTimeline(samples) };
  }, opts.signal);
}

export interface TimelineSummary {
  samples: number;
  maxLoopDelayMs: number;
  /** Mean over the samples of each interval's p99. */
  meanLoopDelayP99Ms: number;
  maxHeapUsed: number;
  maxRss: number;
  /** Mean CPU (user + system) as a fraction of one core. */
  meanCpu: number;
  gcCount: number;
  gcPauseMs: number;
  maxGcPauseMs: number;
}

export function summarizeTimeline(samples: readonly MonitorSample[]): TimelineSummary {
  const n = samples.length;
  const sum = (f: (s: MonitorSample) => number) => samples.reduce((a, s) => a + f(s), 0);
  const max = (f: (s: MonitorSample) => number) => samples.reduce((a, s) => Math.max(a, f(s)), 0);
  return {
    samples: n,
    maxLoopDelayMs: max((s) => s.loopDelay.max),
    meanLoopDelayP99Ms: n ? sum((s) => s.loopDelay.p99) / n : 0,
    maxHeapUsed: max((s) => s.heapUsed),
    maxRss: max((s) => s.rss),
    meanCpu: n ? sum((s) => s.cpu.user + s.cpu.system) / n : 0,
    gcCount: sum((s) => s.gc.count),
    gcPauseMs: sum((s) => s.gc.pauseMs),
    maxGcPauseMs: max((s) => s.gc.maxPauseMs),
  };
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
