/**
 * The statistics of a comparison: how much a metric changed between two sets of runs, with a 95 %
 * interval that counts both sources of noise: the sampling of one run (how many requests its
 * percentile rests on, from the run's HDR histograms) and the spread between runs (measured from
 * repeated runs; assumed for single runs, which cannot see it).
 *
 * Values compare on a log scale (a change is a ratio: +10 % is the same step at 2 ms and at
 * 200 ms), except rates of errors, which compare as differences of proportions.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { LatencyHistogram, type SerializedHistogram } from '../stats';

/** One run's value of a metric and the variance of its sampling, on the comparison's scale. */
export interface Observation {
  value: number;
  /** Variance of the run's estimate on the comparison's scale (log for ratios, absolute for proportions); 0 when unknown. */
  samplingVariance: number;
}

/** The change of a metric from baseline to current, on its own scale. */
export interface Change {
  /** Relative change (0.1 = +10 %) for log-scale metrics, difference for proportions. */
  estimate: number;
  low: number;
  high: number;
  /** How the spread between runs was found: from repeated runs, from earlier runs of the profile, or assumed. */
  basis: 'repeats' | 'history' | 'assumed-noise';
}

const Z95 = 1.959963984540054;

/**
 * The order-statistic interval of a percentile: the ranks a bootstrap of the run's values would put
 * the percentile at (Binomial(n, p) ± 1.96 sd), read back from the histogram. This is what
 * resampling the histogram converges to, without the resampling. Returns the variance of the log
 * of the percentile, or 0 when the histogram cannot say (empty, or a percentile of nothing).
 */
export function percentileLogVariance(histogram: LatencyHistogram, p: number): number {
  const n = histogram.count;
  if (n < 2 || p <= 0 || p >= 100) return 0;
  const q = p / 100;
  const sd = Math.sqrt(n * q * (1 - q));
  const rankLow = Math.max(1, Math.floor(n * q - Z95 * sd));
  const rankHigh = Math.min(n, Math.ceil(n * q + Z95 * sd));
  const low = histogram.percentileMs((100 * rankLow) / n);
  const high = histogram.percentileMs((100 * rankHigh) / n);
  if (!(low > 0 && high > 0)) return 0;
  const halfWidth = (Math.log(high) - Math.log(low)) / 2;
  return (halfWidth / Z95) ** 2;
}

/** Variance of the log of a mean latency: the histogram's spread over its count (delta method). */
export function meanLogVariance(histogram: LatencyHistogram): number {
  const n = histogram.count;
  const mean = histogram.meanMs;
  if (n < 2 || !(mean > 0)) return 0;
  return (histogram.stdDevMs / mean) ** 2 / n;
}

/** Variance of the log of a count-based rate: a Poisson count of `n` has relative variance 1/n. */
export function rateLogVariance(count: number): number {
  return count > 0 ? 1 / count : 0;
}

/**
 * Variance of a proportion of `errors` in `count`, with one failure and one success added
 * (Agresti–Caffo), so a run with no errors still has an honest, non-zero uncertainty.
 */
export function proportionVariance(errors: number, count: number): number {
  if (count <= 0) return 0;
  const p = (errors + 1) / (count + 2);
  return (p * (1 - p)) / (count + 2);
}

/** Rebuilds a histogram of a samples file; undefined for a missing one. */
export function histogramOf(serialized: SerializedHistogram | undefined): LatencyHistogram | undefined {
  return serialized ? LatencyHistogram.deserialize(serialized) : undefined;
}

/** What is known of the spread between runs, beyond what the sides themselves show. */
export interface Spread {
  /**
   * The spread measured over earlier runs of the same profile on this machine (the variance of
   * the metric's value between them, on the comparison's scale) and its degrees of freedom.
   */
  history?: { variance: number; df: number };
  /** Else: the spread assumed between runs, as a standard deviation on the comparison's scale (0.15 = 15 %). */
  assumed: number;
}

/**
 * The change from `baseline` to `current` with its interval at `confidence` (two-sided, e.g. 0.95;
 * a caller comparing many metrics at once asks for more, so the whole set keeps its 95 %).
 *
 * With at least two runs on one side, the spread between runs is measured: the pooled variance of
 * the runs around their side's mean (never below the runs' own sampling variance), and a Student t
 * interval on the mean of each side. With one run on each side the sides cannot show it: the
 * spread over earlier runs of the profile stands in when there are enough of them (t interval on
 * their degrees of freedom), else each run's sampling variance plus the assumed spread (normal).
 *
 * `scale`: `log` compares ratios (values must be > 0), `linear` compares differences.
 */
export function change(baseline: readonly Observation[], current: readonly Observation[], scale: 'log' | 'linear', spread: Spread, confidence = 0.95): Change | undefined {
  const t = (v: number) => (scale === 'log' ? Math.log(v) : v);
  const usable = (o: Observation) => Number.isFinite(o.value) && (scale === 'linear' || o.value > 0);
  const a = baseline.filter(usable);
  const b = current.filter(usable);
  if (!a.length || !b.length) return undefined;
  const meanOf = (xs: readonly Observation[]) => xs.reduce((s, o) => s + t(o.value), 0) / xs.length;
  const ma = meanOf(a);
  const mb = meanOf(b);
  const sampling = [...a, ...b].reduce((s, o) => s + o.samplingVariance, 0) / (a.length + b.length);
  const tail = 1 - (1 - confidence) / 2;

  let perRun: number;
  let quantile: number;
  let basis: Change['basis'];
  const df = a.length + b.length - 2;
  if (df >= 1) {
    const squares = a.reduce((s, o) => s + (t(o.value) - ma) ** 2, 0) + b.reduce((s, o) => s + (t(o.value) - mb) ** 2, 0);
    perRun = Math.max(squares / df, sampling);
    quantile = tQuantile(tail, df);
    basis = 'repeats';
  } else if (spread.history && spread.history.df >= 1) {
    perRun = Math.max(spread.history.variance, sampling);
    quantile = tQuantile(tail, spread.history.df);
    basis = 'history';
  } else {
    perRun = sampling + spread.assumed ** 2;
    quantile = normalQuantile(tail);
    basis = 'assumed-noise';
  }
  const diff = mb - ma;
  const half = quantile * Math.sqrt(perRun * (1 / a.length + 1 / b.length));
  const back = (x: number) => (scale === 'log' ? Math.expm1(x) : x);
  return { estimate: back(diff), low: back(diff - half), high: back(diff + half), basis };
}

/** The spread of a metric over earlier runs (each an observation), on the comparison's scale; undefined with fewer than `min`. */
export function spreadOf(runs: readonly Observation[], scale: 'log' | 'linear', min: number): Spread['history'] {
  const xs = runs.filter((o) => Number.isFinite(o.value) && (scale === 'linear' || o.value > 0)).map((o) => (scale === 'log' ? Math.log(o.value) : o.value));
  if (xs.length < min) return undefined;
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { variance: xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1), df: xs.length - 1 };
}

/** The normal quantile: Student t with unbounded degrees of freedom. */
function normalQuantile(p: number): number {
  return tQuantile(p, Number.MAX_SAFE_INTEGER);
}
