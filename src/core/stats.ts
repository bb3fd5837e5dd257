/**
 * Latency statistics from HDR histograms (hdr-histogram-js): microsecond resolution, three
 * significant digits, mergeable across phases and worker threads (as compressed base64).
 * Every percentile PerfLab reports comes from here.
 */
import * as hdr from 'hdr-histogram-js';
import type { DistributionPoint, LatencySummary, OperationResult } from './runRecord';

/**
 * The percentiles of a latency distribution, as HdrHistogram plots one: each power of ten nearer
 * to 100 %, with the halves and quarters between (log scale of 1 / (1 − p)).
 */
export const DISTRIBUTION_PERCENTILES = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999, 99.9995, 99.9999] as const;

/** One hour, in microseconds: anything slower is recorded as one hour. */
const HIGHEST_US = 3_600_000_000;

/** A histogram as it travels between threads: HDR's compressed form plus the exact extremes. */
export interface SerializedHistogram {
  hdr: string;
  minUs: number;
  maxUs: number;
}

export class LatencyHistogram {
  // HDR keeps values at three significant digits; min and max are worth keeping exactly.
  private minUs = Infinity;
  private maxUs = 0;

  private constructor(private readonly h: hdr.Histogram) {}

  static create(): LatencyHistogram {
    return new LatencyHistogram(
      hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, useWebAssembly: false }),
    );
  }

  /** Rebuilds a histogram sent from another thread or process by {@link serialize}. */
  static deserialize(s: SerializedHistogram): LatencyHistogram {
    const result = LatencyHistogram.create();
    result.h.add(hdr.decodeFromCompressedBase64(s.hdr, 32, false));
    // An empty histogram's minimum is Infinity, which JSON (a BullMQ job's data) turns into null.
    result.minUs = typeof s.minUs === 'number' && Number.isFinite(s.minUs) ? s.minUs : Infinity;
    result.maxUs = typeof s.maxUs === 'number' && Number.isFinite(s.maxUs) ? s.maxUs : 0;
    return result;
  }

  /** One histogram of several serialized ones (an exact merge: the bucket counts add up). */
  static merge(parts: Iterable<SerializedHistogram>): LatencyHistogram {
    const merged = LatencyHistogram.create();
    for (const part of parts) merged.add(LatencyHistogram.deserialize(part));
    return merged;
  }

  recordMicros(us: number): void {
    const v = Math.min(HIGHEST_US, Math.max(1, Math.round(us)));
    this.h.recordValue(v);
    if (v < this.minUs) this.minUs = v;
    if (v > this.maxUs) this.maxUs = v;
  }

  recordMs(ms: number): void {
    this.recordMicros(ms * 1000);
  }

  /** Adds another histogram's counts to this one (merging phases, workers, connections). */
  add(other: LatencyHistogram): this {
    this.h.add(other.h);
    this.minUs = Math.min(this.minUs, other.minUs);
    this.maxUs = Math.max(this.maxUs, other.maxUs);
    return this;
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** Mean of the recorded values, in ms (0 when empty). */
  get meanMs(): number {
    return this.h.totalCount ? this.h.mean / 1000 : 0;
  }

  /** Standard deviation of the recorded values, in ms. */
  get stdDevMs(): number {
    return this.h.totalCount ? this.h.stdDeviation / 1000 : 0;
  }

  /** Value at a percentile (0–100) in ms: the smallest recorded value (at histogram precision) with at least that share of values at or below it. */
  percentileMs(p: number): number {
    return this.h.totalCount ? Math.min(this.maxUs, Math.max(this.minUs, this.h.getValueAtPercentile(p))) / 1000 : 0;
  }

  summary(): LatencySummary {
    if (!this.h.totalCount) return { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
    const ms = (us: number) => Math.round(us) / 1000;
    // HDR reports the top of a value's bucket; never report a percentile outside what was recorded.
    const at = (p: number) => ms(Math.min(this.maxUs, Math.max(this.minUs, this.h.getValueAtPercentile(p))));
    return {
      min: ms(this.minUs),
      mean: ms(this.h.mean),
      p50: at(50),
      p90: at(90),
      p95: at(95),
      p99: at(99),
      max: ms(this.maxUs),
    };
  }

  /**
   * The latency at each of {@link DISTRIBUTION_PERCENTILES} that the count resolves (at least one
   * value lies above it: p ≤ 100 × (1 − 1/count)), then the maximum at 100. Empty when nothing was recorded.
   */
  distribution(): DistributionPoint[] {
    const n = this.h.totalCount;
    if (!n) return [];
    const points: DistributionPoint[] = [];
    for (const p of DISTRIBUTION_PERCENTILES) {
      if (p > 100 * (1 - 1 / n)) break;
      points.push({ p, ms: p === 0 ? this.minUs / 1000 : this.percentileMs(p) });
    }
    points.push({ p: 100, ms: this.maxUs / 1000 });
    return points;
  }

  serialize(): SerializedHistogram {
    return { hdr: hdr.encodeIntoCompressedBase64(this.h), minUs: this.minUs, maxUs: this.maxUs };
  }

  reset(): void {
    this.h.reset();
    this.minUs = Infinity;
    this.maxUs = 0;
  }
}

/** Metric values of one latency summary, under `<prefix>latency.<stat>` (catalog names). */
export function latencyMetrics(prefix: string, summary: LatencySummary): Record<string, number> {
  return {
    [`${prefix}latency.min`]: summary.min,
    [`${prefix}latency.mean`]: summary.mean,
    [`${prefix}latency.p50`]: summary.p50,
    [`${prefix}latency.p90`]: summary.p90,
    [`${prefix}latency.p95`]: summary.p95,
    [`${prefix}latency.p99`]: summary.p99,
    [`${prefix}latency.max`]: summary.max,
  };
}

/** Errors as a fraction of completed operations (0 when nothing completed). */
export function errorRate(result: Pick<OperationResult, 'count' | 'errors'>): number {
  return result.count ? result.errors / result.count : 0;
}
