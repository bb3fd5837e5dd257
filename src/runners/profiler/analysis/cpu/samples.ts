/**
 * The one reader of a CPU profile's samples, for the analysis, the capture summary and the lag
 * spike attribution alike. V8 stamps a few samples out of order, so the samples are put in time
 * order first; everything that searches or spans timestamps relies on that.
 */
import type { SamplingStats } from '../types';
import type { RawCpuProfile } from './validate';

/** The samples of a profile in time order. */
export interface SampleTimeline {
  /** Timestamps in µs on the target's monotonic clock, ascending. */
  times: Float64Array;
  /** Node id of each sample, in the same order. */
  nodes: number[];
  /** µs each sample stands for: until the next sample; the last one until endTime, as DevTools counts them. */
  durations: Float64Array;
}

type SampleFields = Pick<RawCpuProfile, 'startTime' | 'endTime' | 'samples' | 'timeDeltas'>;

/** Sample timestamps, node ids and durations in time order (ties keep the profile's order). */
export function readSamples(p: SampleFields): SampleTimeline {
  const n = p.samples.length;
  const raw = new Float64Array(n);
  let t = p.startTime;
  let sorted = true;
  for (let i = 0; i < n; i++) {
    t += p.timeDeltas[i]!;
    raw[i] = t;
    if (i && raw[i]! < raw[i - 1]!) sorted = false;
  }
  let times = raw;
  let nodes = p.samples;
  if (!sorted) {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => raw[a]! - raw[b]! || a - b);
    times = Float64Array.from(order, (i) => raw[i]!);
    nodes = Array.from(order, (i) => p.samples[i]!);
  }
  const durations = new Float64Array(n);
  for (let i = 0; i < n; i++) durations[i] = (i + 1 < n ? times[i + 1]! : Math.max(times[i]!, p.endTime)) - times[i]!;
  return { times, nodes, durations };
}

/** Sampled time, achieved interval and typical gap of a profile: their one definition. */
export function samplingStats(p: SampleFields, timeline: SampleTimeline = readSamples(p)): SamplingStats {
  const { times, durations } = timeline;
  const n = times.length;
  let sampledUs = 0;
  for (let i = 0; i < n; i++) sampledUs += durations[i]!;
  // One typed array, sorted in place: a profile may have tens of millions of samples.
  let positive = 0;
  for (let i = 0; i + 1 < n; i++) if (durations[i]! > 0) positive++;
  const sortedGaps = new Float64Array(positive);
  for (let i = 0, k = 0; i + 1 < n; i++) if (durations[i]! > 0) sortedGaps[k++] = durations[i]!;
  sortedGaps.sort();
  return {
    wallMs: (p.endTime - p.startTime) / 1000,
    durationMs: sampledUs / 1000,
    sampleCount: n,
    intervalUs: n ? sampledUs / n : 0,
    medianGapUs: sortedGaps.length ? sortedGaps[sortedGaps.length >> 1]! : 0,
  };
}
