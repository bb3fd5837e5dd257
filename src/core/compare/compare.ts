/**
 * Compares a run (or a set of repeated runs) with a baseline: for every metric a rule covers, the
 * change with its 95 % interval (statistics.ts) and a verdict. What the CLI prints, what
 * `run.json` keeps under `comparison`, and what the editor's comparison view shows.
 */
import { unitOfMetric } from '../config/metrics';
import type { FlameGrower } from '../flame';
import type { MetricUnit, RunEnvironment, RunRecord } from '../runRecord';
import { assumedNoise, HISTORY_MIN_RUNS, type RegressionRule, type RegressionSettings, ruleFor } from './rules';
import { partOf, type RunSamples } from './samples';
import {
  change,
  type Change,
  histogramOf,
  meanLogVariance,
  type Observation,
  percentileLogVariance,
  proportionVariance,
  rateLogVariance,
  spreadOf,
} from './statistics';

/** A run with what its samples file holds (absent for a run recorded without one). */
export interface ComparedRun {
  record: RunRecord;
  samples?: RunSamples;
  /** The run's folder, where its artifacts are (absent for a record held only in memory). */
  dir?: string;
}

export type Verdict = 'regression' | 'improvement' | 'within-allowance' | 'no-significant-change';

export interface MetricComparison {
  metric: string;
  unit: MetricUnit;
  /** The rule that applied: its key and expression (`latency.p99`, `+3%`). */
  rule: { key: string; expression: string };
  /** The metric on each side: the run's value, or the geometric mean of repeated runs (the mean, for proportions). */
  baseline: number;
  current: number;
  /** `relative`: change as a fraction (0.1 = +10 %); `points`: a difference of proportions. */
  scale: 'relative' | 'points';
  change: Change;
  verdict: Verdict;
}

export interface RunSetSummary {
  /** Run ids, oldest first. */
  runs: string[];
  profile: string;
  configHash: string;
  startedAt: string;
}

export interface Comparison {
  baseline: RunSetSummary;
  current: RunSetSummary;
  /** Why the comparison may not be like for like (another machine, another Node, another load), and what was left out. */
  warnings: string[];
  /**
   * The confidence of each metric's two-sided interval, 1 − 2 × 5 % / metrics (Bonferroni): a
   * regression is one tail, so the chance that any metric of an unchanged build shows as a
   * regression stays at 5 % (and as an improvement, at 5 %).
   */
  confidence: number;
  metrics: MetricComparison[];
  /**
   * When both sides have a CPU profile (profile under load): the functions whose share of self
   * time grew most, from the last run of each side (src/runners/profiler/cpuGrowth.ts).
   */
  functions?: FlameGrower[];
  regressions: number;
  improvements: number;
  /** No metric regressed. */
  pass: boolean;
}

/** The words of a verdict, as every output shows it. */
export const VERDICT_LABELS: Readonly<Record<Verdict, string>> = {
  regression: 'regression',
  improvement: 'improvement',
  'within-allowance': 'within allowance',
  'no-significant-change': 'no significant change',
};

/**
 * Compares `current` with `baseline` (each one run or several runs of the same profile) under
 * `settings`. Runs that did not complete are left out with a warning; a side with none left, or
 * runs of another profile, is an error for the caller to show.
 */
export function compareRuns(baseline: readonly ComparedRun[], current: readonly ComparedRun[], settings: RegressionSettings, history: readonly ComparedRun[] = []): Comparison {
  const warnings: string[] = [];
  const a = usable(baseline, 'baseline', warnings);
  const b = usable(current, 'current', warnings);
  const profiles = new Set([...a, ...b].map((r) => r.record.profile));
  if (profiles.size > 1) throw new Error(`the runs are of different profiles (${[...profiles].join(', ')}): compare runs of one profile`);
  warnings.push(...environmentWarnings(a[0]!.record, b[0]!.record));
  const hashes = (side: readonly ComparedRun[]) => new Set(side.map((r) => r.record.configHash));
  if ([...hashes(b)].some((h) => !hashes(a).has(h))) {
    warnings.push('the profile changed between the baseline and this run (another config hash): the load itself differs');
  }

  const names = comparedMetrics(b, settings);
  const confidence = 1 - (2 * FAMILY_ERROR) / Math.max(1, names.length);
  const earlier = history.filter((r) => r.record.status === 'completed' && r.record.profile === a[0]!.record.profile
    && r.record.configHash === a[0]!.record.configHash && ![...a, ...b].some((x) => x.record.id === r.record.id));
  const metrics: MetricComparison[] = [];
  const missing: string[] = [];
  for (const { metric, rule, unit } of names) {
    const scale = unit === 'ratio' ? 'linear' : 'log';
    const obsA = observations(a, metric);
    const obsB = observations(b, metric);
    const spread = {
      assumed: scale === 'log' ? assumedNoise(metric, settings) : 0,
      history: spreadOf(observations(earlier, metric), scale, HISTORY_MIN_RUNS),
    };
    const c = change(obsA, obsB, scale, spread, confidence);
    if (!c) {
      if (!obsA.length) missing.push(metric);
      continue;
    }
    metrics.push({
      metric,
      unit,
      rule: { key: rule.key, expression: rule.expression },
      baseline: center(obsA, scale),
      current: center(obsB, scale),
      scale: scale === 'log' ? 'relative' : 'points',
      change: c,
      verdict: verdictOf(c, rule),
    });
  }
  if (missing.length) warnings.push(`not in the baseline, so not compared: ${missing.join(', ')}`);
  const regressions = metrics.filter((m) => m.verdict === 'regression').length;
  const improvements = metrics.filter((m) => m.verdict === 'improvement').length;
  return {
    baseline: summary(a),
    current: summary(b),
    warnings,
    confidence,
    metrics,
    regressions,
    improvements,
    pass: regressions === 0,
  };
}

/**
 * A regression: the interval lies wholly on the worse side of no change, and the estimate is
 * beyond the rule's allowance. A change the interval cannot tell from none is no significant change.
 */
export function verdictOf(c: Change, rule: RegressionRule): Verdict {
  // Oriented so that worse is positive.
  const sign = rule.worse === 'up' ? 1 : -1;
  const low = Math.min(sign * c.low, sign * c.high);
  const high = Math.max(sign * c.low, sign * c.high);
  const estimate = sign * c.estimate;
  if (low > 0) return estimate > rule.allowance ? 'regression' : 'within-allowance';
  if (high < 0) return -estimate > rule.allowance ? 'improvement' : 'within-allowance';
  return 'no-significant-change';
}

/** The chance, over all the metrics of one comparison, of calling an unchanged build a regression (one tail of each interval). */
export const FAMILY_ERROR = 0.05;

/**
 * The metrics to compare, in the run's order: those a rule covers, without the parts that repeat
 * the whole (the one scenario or the one phase of a profile that has just one is the overall result again).
 */
function comparedMetrics(runs: readonly ComparedRun[], settings: RegressionSettings): { metric: string; rule: RegressionRule; unit: MetricUnit }[] {
  const type = runs[0]!.record.type;
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.record.metrics ?? {})))];
  const single = (part: string) => new Set(names.filter((m) => m.startsWith(`${part}.`)).map((m) => m.split('.')[1])).size === 1;
  const repeats = ['scenario', 'phase'].filter(single);
  const out: { metric: string; rule: RegressionRule; unit: MetricUnit }[] = [];
  for (const metric of names) {
    if (repeats.some((part) => metric.startsWith(`${part}.`))) continue;
    const rule = ruleFor(metric, settings.rules);
    const unit = unitOfMetric(metric, type);
    if (rule && rule.worse !== 'off' && unit) out.push({ metric, rule, unit });
  }
  return out;
}

function usable(runs: readonly ComparedRun[], side: string, warnings: string[]): ComparedRun[] {
  const done = runs.filter((r) => r.record.status === 'completed');
  const left = runs.filter((r) => r.record.status !== 'completed');
  if (left.length) warnings.push(`${side}: left out ${left.map((r) => `${r.record.id} (${r.record.status})`).join(', ')}`);
  if (!done.length) throw new Error(`the ${side} has no completed run to compare`);
  const withoutMetrics = done.filter((r) => !r.record.metrics);
  if (withoutMetrics.length === done.length) {
    throw new Error(`the ${side} run ${done[0]!.record.id} holds no metrics (it was recorded by an older PerfLab): run the profile again`);
  }
  return done.filter((r) => r.record.metrics);
}

function observations(runs: readonly ComparedRun[], metric: string): Observation[] {
  const out: Observation[] = [];
  for (const r of runs) {
    const value = r.record.metrics?.[metric];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    out.push({ value, samplingVariance: samplingVariance(r.samples, metric) });
  }
  return out;
}

/** What one run's own sampling says about the metric's uncertainty (0 when its samples cannot tell). */
function samplingVariance(samples: RunSamples | undefined, metric: string): number {
  const found = samples ? partOf(samples, metric) : undefined;
  if (!found) return 0;
  const { part, statistic } = found;
  if (statistic === 'errors.rate') return proportionVariance(part.errors, part.count);
  if (statistic === 'rate') return rateLogVariance(part.count);
  const histogram = histogramOf(part.latency);
  if (!histogram) return 0;
  if (statistic === 'mean') return meanLogVariance(histogram);
  const p = /^p(\d+(?:\.\d+)?)$/.exec(statistic);
  return p ? percentileLogVariance(histogram, Number(p[1])) : 0;
}

function center(obs: readonly Observation[], scale: 'log' | 'linear'): number {
  if (scale === 'linear') return obs.reduce((s, o) => s + o.value, 0) / obs.length;
  return Math.exp(obs.reduce((s, o) => s + Math.log(o.value), 0) / obs.length);
}

function summary(runs: readonly ComparedRun[]): RunSetSummary {
  const sorted = [...runs].sort((x, y) => x.record.startedAt.localeCompare(y.record.startedAt));
  const first = sorted[0]!.record;
  return { runs: sorted.map((r) => r.record.id), profile: first.profile, configHash: first.configHash, startedAt: first.startedAt };
}

/** What differs between the machines of two runs in ways that move performance. */
export function environmentWarnings(a: RunRecord, b: RunRecord): string[] {
  const ea: Partial<RunEnvironment> = a.environment ?? {};
  const eb: Partial<RunEnvironment> = b.environment ?? {};
  const out: string[] = [];
  const differs = <K extends keyof RunEnvironment>(key: K, words: string) => {
    if (ea[key] !== undefined && eb[key] !== undefined && JSON.stringify(ea[key]) !== JSON.stringify(eb[key])) {
      out.push(`${words} differs: ${String(ea[key])} in the baseline, ${String(eb[key])} now`);
    }
  };
  differs('cpuCount', 'CPU count');
  differs('cpuModel', 'CPU model');
  differs('node', 'Node version');
  differs('platform', 'platform');
  differs('arch', 'architecture');
  differs('totalMemoryBytes', 'memory');
  if (out.length) out.unshift('the runs are from different environments, so a change may be the machine, not the code');
  return out;
}
