/**
 * The Node process a run samples: attach over the inspector (unless the caller holds a session
 * already, as profile under load does), run the one monitor (profiler/monitor.ts) for the whole
 * run, and at the end remove the sampler and detach, also on cancel and on error. The summary
 * and the timeline file come from the same recording.
 */
import type { ProcessRef } from '../core/config';
import type { ProcessSummary } from '../core/runRecord';
import { attach, type AttachedTarget } from './profiler/attach';
import { measureLiveHeap, startMonitor, timelineFile, type LiveHeapPoint, type MonitorOptions, type MonitorRecording, type MonitorTimeline, type TimelineFile } from './profiler/monitor';
import { attachSpecFor, describeProcessRef } from './profiler/processRef';
import type { InspectorSession } from './profiler/session';
import { summarizeTimeline } from './profiler/timelineSummary';
import { ProfilerError, type MonitorSample } from './profiler/types';
import { RunnerError, type RunLog } from './types';
import { formatDuration } from '../core/format';

/** Which process to sample: one the config names, or one the caller has attached to. */
export type SamplingSource =
  | { ref: ProcessRef }
  | { session: InspectorSession; description: string; pid?: number };

/** How to sample, and where its samples and messages go. */
export interface SamplingOptions {
  monitor?: MonitorOptions;
  /** Each monitor sample as it arrives. */
  onSample?: (sample: MonitorSample) => void;
  log?: (level: RunLog['level'], message: string) => void;
  signal?: AbortSignal;
  /**
   * Run a full GC in the target right before sampling starts and right after it stops, and add
   * the live heap then to the post-GC points: a short run may see fewer than the two major GCs a
   * growth line needs. The two pauses fall outside the sampled window. Asked for by a
   * `memory.heapUsed.growth` threshold.
   */
  liveHeapBracket?: boolean;
}

/** What the sampling of one run produced. */
export interface SampledProcess {
  summary: ProcessSummary;
  /** The `timeline` artifact. */
  file: TimelineFile;
  timeline: MonitorTimeline;
  /** The target's monotonic clock (µs) at `t = 0` of the samples, the clock of its CPU profiles. */
  startMonoUs: number;
}

/** A sampler running in the target. */
export interface ProcessSampling {
  readonly description: string;
  /** Stops the sampler and detaches when this module attached. Idempotent; never throws. */
  finish(): Promise<SampledProcess>;
}

/** Attaches if needed and starts the monitor; fails with a RunnerError the user can act on. */
export async function startProcessSampling(source: SamplingSource, opts: SamplingOptions = {}): Promise<ProcessSampling> {
  let attached: AttachedTarget | undefined;
  let session: InspectorSession;
  let description: string;
  let pid: number | undefined;
  if ('ref' in source) {
    try {
      attached = await attach(await attachSpecFor(source.ref), { signal: opts.signal, log: (level, message) => opts.log?.(level, message) });
    } catch (err) {
      if (err instanceof ProfilerError) throw new RunnerError(`cannot sample ${describeProcessRef(source.ref)}: ${err.message}`, err.code);
      throw err;
    }
    ({ session, description, pid } = attached);
  } else {
    ({ session, description, pid } = source);
  }

  const startedAt = new Date().toISOString();
  const liveHeap: LiveHeapPoint[] = [];
  let recording: MonitorRecording;
  try {
    if (opts.liveHeapBracket) liveHeap.push(await measureLiveHeap(session));
    recording = await startMonitor(session, opts.monitor, opts.onSample);
  } catch (err) {
    await attached?.close();
    if (err instanceof RunnerError) throw new RunnerError(`cannot sample ${description}: ${err.message}`, err.code);
    throw err;
  }
  opts.log?.('info', `sampling ${description} (heap, RSS, event-loop delay, CPU, GC) every ${recording.intervalMs} ms`);

  let lostAt: number | undefined;
  void session.gone.then(() => {
    lostAt = recording.samples[recording.samples.length - 1]?.t ?? 0;
  });
  let finishing: Promise<SampledProcess> | undefined;
  const finish = () =>
    (finishing ??= (async () => {
      const timeline = await recording.stop();
      if (opts.liveHeapBracket && session.state === 'open') {
        // After the sampler is gone, so the forced pause is not one of the run's lag spikes.
        await measureLiveHeap(session).then((p) => liveHeap.push(p), () => undefined);
      }
      // Before detaching: our own detach closes the session too.
      const complete = session.state === 'open';
      await attached?.close();
      if (!complete) {
        opts.log?.('warn', `${description} went away ${formatDuration((lostAt ?? 0) * 1000)} into sampling: its figures cover the run up to then, and no process metric goes to the thresholds`);
      }
      const summary: ProcessSummary = {
        description,
        ...(pid !== undefined ? { pid } : {}),
        intervalMs: recording.intervalMs,
        resolutionMs: recording.resolutionMs,
        complete,
        ...summarizeTimeline(timeline, liveHeap),
      };
      const file = timelineFile(recording, timeline, { target: description, startedAt, endedBy: complete ? 'done' : 'target-exit', complete, ...(liveHeap.length ? { liveHeap } : {}) });
      return { summary, file, timeline, startMonoUs: recording.startMonoUs };
    })());
  return { description, finish };
}
