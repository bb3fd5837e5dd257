/**
 * What a monitor timeline adds up to, the one summary every caller prints and records (`perflab
 * profile monitor`, a run with a named process, profile under load), and the process metrics a
 * run gives the thresholds, under their catalog names (src/core/config/metrics.ts).
 */
import type { ProcessStats } from '../../core/runRecord';
import type { LiveHeapPoint, MonitorTimeline } from './monitor';
import type { MonitorSample } from './types';

const US_PER_MINUTE = 60e6;

/**
 * Sums and maxima over the samples; event-loop percentiles from the window's one distribution.
 * `liveHeap` adds heap readings after forced full GCs (around the run) to the post-GC points.
 */
export function summarizeTimeline(timeline: MonitorTimeline, liveHeap: readonly LiveHeapPoint[] = []): ProcessStats {
  const { samples } = timeline;
  const n = samples.length;
  const sum = (f: (s: MonitorSample) => number) => samples.reduce((a, s) => a + f(s), 0);
  const max = (f: (s: MonitorSample) => number) => samples.reduce((a, s) => Math.max(a, f(s)), 0);
  const cpu = (s: MonitorSample) => s.cpu.user + s.cpu.system;
  const coveredMs = sum((s) => s.intervalMs);
  const points = [...samples.flatMap((s) => s.gc.afterMajor), ...liveHeap].sort((a, b) => a.monoUs - b.monoUs);
  const growth = slopePerMinute(points.map((p) => [p.monoUs, p.heapUsed]));
  return {
    samples: n,
    coveredS: coveredMs / 1000,
    loopDelay: timeline.loopDelay,
    heapUsedMax: max((s) => s.peak.heapUsed),
    rssMax: max((s) => s.peak.rss),
    ...(growth !== undefined ? { heapGrowthPerMin: growth } : {}),
    majorGcs: points.length - liveHeap.length,
    // Weighted by interval length: a mean of the fractions would overweight a short last sample.
    cpu: { mean: coveredMs > 0 ? sum((s) => cpu(s) * s.intervalMs) / coveredMs : 0, max: max(cpu) },
    gc: { count: sum((s) => s.gc.count), pauseMs: sum((s) => s.gc.pauseMs), maxPauseMs: max((s) => s.gc.maxPauseMs) },
  };
}

/**
 * Least-squares slope of `[timeUs, bytes]` points, in bytes per minute; undefined with fewer
 * than two points at different times (a slope of one point is not a growth).
 */
export function slopePerMinute(points: readonly (readonly [number, number])[]): number | undefined {
  if (points.length < 2) return undefined;
  const x0 = points[0]![0];
  const xs = points.map(([t]) => (t - x0) / US_PER_MINUTE);
  const ys = points.map(([, y]) => y);
  const mx = xs.reduce((a, x) => a + x, 0) / xs.length;
  const my = ys.reduce((a, y) => a + y, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : undefined;
}

/** The process metrics of a summary, by catalog name, in catalog units (bytes, ms, bytes/min, fraction of a core). */
export function processMetrics(stats: ProcessStats): Record<string, number> {
  const out: Record<string, number> = {
    'memory.rss.max': stats.rssMax,
    'memory.heapUsed.max': stats.heapUsedMax,
    'eventLoop.lag.p99': stats.loopDelay.p99,
    'eventLoop.lag.max': stats.loopDelay.max,
    'cpu.max': stats.cpu.max,
  };
  if (stats.heapGrowthPerMin !== undefined) out['memory.heapUsed.growth'] = stats.heapGrowthPerMin;
  return out;
}
