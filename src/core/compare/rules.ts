/**
 * Regression rules: which metrics a comparison checks, which way is worse, and how large a
 * significant change must be to count. A rule names a metric (`scenario.send.latency.p99`) or a
 * family of them by its last segments (`latency.p99` covers the overall p99 and the p99 of every
 * scenario, phase and operation); the most specific rule wins. `+10%` means an increase of more
 * than 10 % is a regression, `-5%` a decrease of more than 5 %; for a rate of errors (a fraction)
 * the percentage is in points: `+1%` allows one more failure in a hundred. `off` drops a metric.
 */
import type { SourceLocation } from '../config/types';

export interface RegressionRule {
  /** A metric name or the last segments of metric names. */
  key: string;
  /** As written, e.g. `+10%`. */
  expression: string;
  /** Which way is worse; `off` checks nothing. */
  worse: 'up' | 'down' | 'off';
  /** How large a significant change must be to be a verdict: a fraction (0.1 = 10 %, or 10 points for proportions). */
  allowance: number;
  source?: SourceLocation;
}

/** The comparison settings of a profile: its rules over the defaults, and the assumed noise of single runs. */
export interface RegressionSettings {
  rules: RegressionRule[];
  /** The configured spread between single runs of an unchanged build (0.05 = 5 %); absent: {@link DEFAULT_NOISE}. */
  noise?: number;
  noiseSource?: SourceLocation;
}

/**
 * Defaults, on what a noisy 2-core laptop shows (bench/baseline.bench.mjs measures it): every
 * percentile that matters and every throughput, with a small allowance, since the interval, not
 * the allowance, keeps noise from being called a regression.
 */
export const DEFAULT_RULES: Readonly<Record<string, string>> = {
  'latency.p50': '+3%',
  'latency.p95': '+3%',
  'latency.p99': '+3%',
  rps: '-3%',
  rate: '-3%',
  'errors.rate': '+1%',
};

/**
 * The spread between single runs of an unchanged build, assumed when one run is compared with one
 * run and the store holds too few earlier runs of the profile to measure it: a relative standard
 * deviation per statistic. Measured on a noisy 2-core laptop (bench/baseline.bench.mjs prints the
 * spread it sees): medians move by about 12 % from run to run, tails by about 25 %, throughput
 * under a closed loop by about 5 %. A little above what was seen, so a single run does not cry
 * wolf; `--repeat` or more runs in the store measure it instead.
 */
export const DEFAULT_NOISE: Readonly<Record<'median' | 'tail' | 'rate', number>> = { median: 0.15, tail: 0.3, rate: 0.1 };

/** Earlier runs of the profile needed before their spread replaces the assumed one. */
export const HISTORY_MIN_RUNS = 5;

/** The assumed spread of a metric between single runs: the configured `noise`, else the default of its statistic. */
export function assumedNoise(metric: string, settings: RegressionSettings): number {
  if (settings.noise !== undefined) return settings.noise;
  if (/(?:^|\.)(?:rps|rate)$/.test(metric)) return DEFAULT_NOISE.rate;
  if (/latency\.(?:p50|mean|min)$/.test(metric)) return DEFAULT_NOISE.median;
  return DEFAULT_NOISE.tail;
}

/** The key of the assumed noise inside `regressions` (not a metric). */
export const NOISE_KEY = 'noise';

export type RuleParse = { ok: true; worse: RegressionRule['worse']; allowance: number } | { ok: false; message: string; hint: string };

const RULE = /^\s*([+-])\s*(\d+(?:\.\d+)?|\.\d+)\s*%\s*$/;

export function parseRule(expression: string): RuleParse {
  if (expression.trim() === 'off') return { ok: true, worse: 'off', allowance: 0 };
  const m = RULE.exec(expression);
  if (!m) {
    return {
      ok: false,
      message: `"${expression}" is not a regression rule`,
      hint: 'write a signed percentage, the direction that is worse: "+10%" (an increase of more than 10 % is a regression), "-5%" (a decrease of more than 5 %), or "off"',
    };
  }
  return { ok: true, worse: m[1] === '+' ? 'up' : 'down', allowance: Number(m[2]) / 100 };
}

/** `5%` → 0.05. */
export function parseNoise(expression: string): { ok: true; value: number } | { ok: false; message: string; hint: string } {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%\s*$/.exec(expression);
  if (!m || Number(m[1]) > 100) {
    return { ok: false, message: `"${expression}" is not a noise level`, hint: 'write the relative spread between runs of an unchanged build as a percentage, e.g. "5%"' };
  }
  return { ok: true, value: Number(m[1]) / 100 };
}

/** The defaults as rules. */
export function defaultRules(): RegressionRule[] {
  return Object.entries(DEFAULT_RULES).map(([key, expression]) => rule(key, expression));
}

/** The settings of a profile: the defaults, each replaced by a configured rule of the same key, plus the configured ones. */
export function settingsWith(configured: readonly RegressionRule[] = [], noise?: { value: number; source?: SourceLocation }): RegressionSettings {
  const keys = new Set(configured.map((r) => r.key));
  return {
    rules: [...defaultRules().filter((r) => !keys.has(r.key)), ...configured],
    ...(noise ? { noise: noise.value } : {}),
    ...(noise?.source ? { noiseSource: noise.source } : {}),
  };
}

/** The rule that applies to a metric: one of its own name, else the one with the longest matching tail. */
export function ruleFor(metric: string, rules: readonly RegressionRule[]): RegressionRule | undefined {
  let best: RegressionRule | undefined;
  for (const r of rules) {
    if (r.key === metric) return r;
    if (metric.endsWith(`.${r.key}`) && (!best || r.key.length > best.key.length)) best = r;
  }
  return best;
}

/** Whether a rule key names at least one of `metrics` (itself or as a tail). */
export function ruleCovers(key: string, metrics: readonly string[]): boolean {
  return metrics.some((m) => m === key || m.endsWith(`.${key}`));
}

function rule(key: string, expression: string, source?: SourceLocation): RegressionRule {
  const parsed = parseRule(expression);
  if (!parsed.ok) throw new Error(`regression rule ${key}: ${parsed.message}`);
  return { key, expression, worse: parsed.worse, allowance: parsed.allowance, ...(source ? { source } : {}) };
}

/** A configured rule (already validated). */
export function configuredRule(key: string, expression: string, source?: SourceLocation): RegressionRule {
  return rule(key, expression, source);
}
