/**
 * CPU profiles (`Profiler` domain) in the DevTools `.cpuprofile` format, which VS Code and Chrome
 * DevTools open as they are. The sampling interval is a request: V8 samples on a timer thread and
 * may fall behind, so the interval actually achieved is measured and reported, by the same code as
 * the analysis (analysis/cpu/samples).
 */
import type Protocol from 'devtools-protocol';
import { samplingStats } from './analysis/cpu/samples';
import { validateCpuProfile } from './analysis/cpu/validate';
import type { SamplingStats } from './analysis/types';
import { writeJsonAtomic } from './atomicFile';
import { collect, exitedEarly, waitForCaptureEnd } from './capture';
import type { InspectorSession } from './session';
import { CaptureHandle, ProfilerError, type CaptureEnd } from './types';
import { formatMs } from '../../core/format';

export type CpuProfile = Protocol.Profiler.Profile;

export const DEFAULT_CPU_INTERVAL_US = 1_000;

/** A CPU profiler running in the target. */
export interface CpuRecording {
  readonly requestedIntervalUs: number;
  /** Stops the profiler and returns the profile; detaching without it stops the profiler too. */
  stop(): Promise<CpuProfile>;
}

export async function startCpuProfile(session: InspectorSession, opts: { intervalUs?: number } = {}): Promise<CpuRecording> {
  const intervalUs = opts.intervalUs ?? DEFAULT_CPU_INTERVAL_US;
  if (!Number.isFinite(intervalUs) || intervalUs < 1) throw new ProfilerError(`a sampling interval of ${intervalUs} µs is not possible; give 1 µs or more (default 1000 µs = 1 ms)`, 'refused');
  const stop = await session.record(
    'Profiler',
    'the CPU profiler',
    async () => {
      // Must precede start(); it cannot change while a profile is recording.
      await session.send('Profiler.setSamplingInterval', { interval: Math.round(intervalUs) });
      await session.send('Profiler.start');
    },
    async () => (await session.send('Profiler.stop', undefined, { timeoutMs: 60_000 })).profile,
    () => session.send('Profiler.stop'),
  );
  return { requestedIntervalUs: intervalUs, stop };
}

/** What a profile covers: wall and sampled time, sample count, the interval actually achieved. */
export type CpuProfileStats = SamplingStats;

/** The profile's sampling figures, exactly as `perflab analyze` reports them. `label` names it in errors. */
export function cpuProfileStats(profile: CpuProfile, label = 'the CPU profile'): CpuProfileStats {
  return samplingStats(validateCpuProfile(label, profile));
}

export interface CpuCaptureOptions {
  /** The `.cpuprofile` to write (atomically). */
  out: string;
  /** Undefined: until cancelled or the target exits. */
  durationMs?: number;
  /** Default 1000 µs (1 ms). */
  intervalUs?: number;
  signal?: AbortSignal;
  /** Called once the profiler runs (e.g. to let a launched program start). */
  onStarted?: () => Promise<void> | void;
}

export interface CpuCaptureResult extends CpuProfileStats {
  file: string;
  requestedIntervalUs: number;
  endedBy: CaptureEnd;
}

/** Records a CPU profile for a duration and writes it; cancel() stops early and still saves it. */
export function captureCpuProfile(session: InspectorSession, opts: CpuCaptureOptions): CaptureHandle<CpuCaptureResult> {
  return new CaptureHandle(async (handle, signal) => {
    const recording = await startCpuProfile(session, { intervalUs: opts.intervalUs });
    await opts.onStarted?.();
    const endedBy = await waitForCaptureEnd(session, handle, { durationMs: opts.durationMs, signal, phase: 'cpu profile' });
    const profile = await collect(recording.stop, 'CPU profile', 'V8 keeps a profile inside the process until it is stopped, so ');
    const file = await writeJsonAtomic(opts.out, profile);
    const stats = cpuProfileStats(profile, file);
    if (endedBy === 'target-exit') exitedEarly('CPU profile', file, stats.wallMs, opts.durationMs, handle);
    if (stats.sampleCount > 0 && stats.intervalUs > recording.requestedIntervalUs * 1.5) {
      handle.log('warn', `V8 sampled every ${formatMs(stats.intervalUs / 1000)} on average, not every ${formatMs(recording.requestedIntervalUs / 1000)} as asked (a busy machine delays the sampler)`);
    }
    return { file, requestedIntervalUs: recording.requestedIntervalUs, endedBy, ...stats };
  }, opts.signal);
}
