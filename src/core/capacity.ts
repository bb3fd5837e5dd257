/**
 * Capacity search: which offered arrival rates to try, and what the steps tried say. The rate
 * grows by `growth` from `startRate` until a step fails (or `maxRate` passes), then the gap
 * between the highest passing and the lowest failing rate is bisected until it is within
 * `precision` of the passing one. VS Code-free and pure; src/runners/capacity.ts runs the steps.
 */
import type { BullmqProfile, HttpProfile, Profile } from './config/types';
import type { ThresholdVerdict } from './runRecord';

/** A profile whose arrival rate a capacity search can step. */
export type CapacityProfile = HttpProfile | (BullmqProfile & { workers: 'app' });

/** Whether a capacity search can step `profile`'s rate: an http profile's requests, or the jobs a bullmq profile adds for the app's workers. */
export function isCapacityProfile(profile: Profile): profile is CapacityProfile {
  return profile.type === 'http' || (profile.type === 'bullmq' && profile.workers === 'app');
}

export interface CapacityPlan {
  /** The first rate tried, per second. */
  startRate: number;
  /** No rate above this one is tried; passing it ends the search. */
  maxRate: number;
  /** How long each step holds its rate (ms); the whole step is measured. */
  stepMs: number;
  /** The search ends when (lowest failing − highest passing) ≤ precision × highest passing. */
  precision: number;
  /** Factor of the rate while no step has failed. */
  growth: number;
  /** Steps at most (the search says it stopped there). */
  maxSteps: number;
}

export const CAPACITY_DEFAULTS = {
  startRate: 50,
  maxRate: 20_000,
  stepMs: 10_000,
  precision: 0.05,
  growth: 2,
  maxSteps: 16,
} as const satisfies CapacityPlan;

/**
 * A step fails when its completions fall below this share of the offered rate: the service no
 * longer keeps up (its backlog grows), whatever the thresholds say. With a queue to read (the
 * app's workers, or an HTTP service's `stack.queues`), also when its backlog grew (`BACKLOG_SHARE`).
 */
export const KEEP_UP_SHARE = 0.95;

/**
 * A queue's backlog (waiting jobs, read before and after the step) may grow by at most this share
 * of the step's jobs, or `BACKLOG_SLACK_JOBS` for a small step (a reading catches a few jobs just
 * added): a backlog growing by more is workers falling behind, which no later drain makes up for.
 * Tighter than the throughput's share: the count of a queue is exact, a completion rate is not.
 */
export const BACKLOG_SHARE = 0.02;
export const BACKLOG_SLACK_JOBS = 10;

/** Without an `errors.rate` threshold of its own, a step fails when more than this share of its requests fail. */
export const DEFAULT_MAX_ERROR_RATE = 0.01;

/** The knee of the latency curve: the last rate before p99 passes this multiple of the p99 at the lowest rate. */
export const KNEE_FACTOR = 2;

/** One step of the search, as measured. */
export interface CapacityStep {
  /** Offered rate, per second. */
  rate: number;
  /** Completions per second. */
  achieved: number;
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  /** Met every criterion: the thresholds it measures, the error rate, keeping up. */
  pass: boolean;
  /** Why it failed, each in one line (`latency.p99: 212 ms does not meet < 200ms`). */
  failed: string[];
  /** PerfLab's generator could not send the offered rate: the step says nothing of the target. */
  generatorBound?: boolean;
  /** A queue's workers (bullmq, `"workers": "app"`): jobs more waiting when adding ended than when it began. */
  backlogGrowth?: number;
}

export type CapacityStop =
  /** A passing and a failing rate within the precision: the capacity is found. */
  | 'bracketed'
  /** `maxRate` passed: the capacity is at least that. */
  | 'max-rate'
  /** Even the lowest rate tried failed. */
  | 'fails-at-start'
  /** The generator could not send a rate: the capacity is at least the highest passing one. */
  | 'generator'
  /** The target did not recover after an overloaded step. */
  | 'no-recovery'
  | 'max-steps'
  | 'cancelled';

export interface CapacityResult {
  /** The highest offered rate that met every criterion; absent when none did. */
  rate?: number;
  /** The lowest rate above it that failed, and why. */
  firstFailing?: { rate: number; failed: string[] };
  /** The last rate before p99 passes KNEE_FACTOR × the p99 at the lowest rate; absent when it never does. */
  knee?: number;
  stop: CapacityStop;
  /** The steps in the order they ran. */
  steps: CapacityStep[];
  plan: CapacityPlan;
}

/** The highest passing and the lowest failing rate; a pass above a failure (noise) does not count. */
export function bracket(steps: readonly CapacityStep[]): { pass?: CapacityStep; fail?: CapacityStep } {
  const failing = steps.filter((s) => !s.pass && !s.generatorBound).sort((a, b) => a.rate - b.rate);
  const fail = failing[0];
  const passing = steps.filter((s) => s.pass && (!fail || s.rate < fail.rate)).sort((a, b) => b.rate - a.rate);
  return { ...(passing[0] ? { pass: passing[0] } : {}), ...(fail ? { fail } : {}) };
}

/**
 * The next rate to try, or why the search ends. A rate PerfLab's generator could not send is a
 * ceiling the search stays under (bisecting up to it), not a failure of the target.
 */
export function nextStep(plan: CapacityPlan, steps: readonly CapacityStep[]): { rate: number } | { stop: CapacityStop } {
  if (steps.length >= plan.maxSteps) return { stop: 'max-steps' };
  const { pass, fail } = bracket(steps);
  const bound = Math.min(...steps.filter((s) => s.generatorBound).map((s) => s.rate));
  const within = (upper: number) => !!pass && upper - pass.rate <= plan.precision * pass.rate;
  const tried = new Set(steps.map((s) => s.rate));
  let rate: number;
  if (pass && bound < (fail?.rate ?? Infinity)) {
    // The generator's limit lies below any failure: bisect up to it.
    if (within(bound)) return { stop: 'generator' };
    rate = roundRate((pass.rate + bound) / 2);
  } else if (!fail) {
    if (!pass) return Number.isFinite(bound) ? { stop: 'generator' } : { rate: plan.startRate };
    if (pass.rate >= plan.maxRate) return { stop: 'max-rate' };
    rate = Math.min(roundRate(pass.rate * plan.growth), plan.maxRate);
  } else if (!pass) {
    // Failing from the start: lower, until a rate passes or the rate reaches 1/s.
    if (fail.rate <= 1) return { stop: 'fails-at-start' };
    rate = Math.max(1, roundRate(fail.rate / plan.growth));
  } else {
    if (within(fail.rate)) return { stop: 'bracketed' };
    rate = roundRate(Math.min((pass.rate + fail.rate) / 2, ceiling(steps) ?? Infinity));
    if (rate <= pass.rate) rate = roundRate((pass.rate + fail.rate) / 2);
  }
  // Rounding may land on a rate already tried when the gap is a few per second: then it is found.
  if (tried.has(rate)) return { stop: fail && pass ? 'bracketed' : fail ? 'fails-at-start' : Number.isFinite(bound) ? 'generator' : 'max-rate' };
  return { rate };
}

/**
 * A step that fell behind answered as fast as the service could: no rate much above what it
 * achieved can keep up, so bisection need not try one (it saves steps of overload).
 */
function ceiling(steps: readonly CapacityStep[]): number | undefined {
  const behind = steps.filter((s) => !s.generatorBound && s.achieved < KEEP_UP_SHARE * s.rate).map((s) => s.achieved / KEEP_UP_SHARE);
  return behind.length ? Math.max(...behind) : undefined;
}

/** Rates as people write them: whole numbers, two or three significant digits above 100. */
export function roundRate(rate: number): number {
  if (rate < 100) return Math.max(1, Math.round(rate));
  const step = 10 ** (Math.floor(Math.log10(rate)) - 2);
  return Math.round(rate / step) * step;
}

/**
 * Whether a step met the search's criteria: every threshold it measured (a process metric the
 * step does not measure is checked over the whole search instead), no more failures than
 * allowed, and completions keeping up with the offered rate.
 */
export function stepVerdict(verdicts: readonly ThresholdVerdict[], step: Pick<CapacityStep, 'rate' | 'achieved' | 'count' | 'errors' | 'backlogGrowth'>, miss: (v: ThresholdVerdict) => string, hasErrorThreshold: boolean): { pass: boolean; failed: string[] } {
  const failed = verdicts.filter((v) => v.actual !== null && !v.pass).map(miss);
  if (!hasErrorThreshold && step.count > 0 && step.errors / step.count > DEFAULT_MAX_ERROR_RATE) {
    failed.push(`errors: ${step.errors} of ${step.count} requests failed (more than ${DEFAULT_MAX_ERROR_RATE * 100}%)`);
  }
  if (step.achieved < KEEP_UP_SHARE * step.rate) {
    failed.push(`throughput: ${round1(step.achieved)}/s of the ${step.rate}/s offered (the service fell behind)`);
  }
  // The queue's own view of keeping up.
  const backlog = backlogMiss(step);
  if (backlog) failed.push(backlog);
  return { pass: failed.length === 0, failed };
}

/**
 * Why a step's queue backlog says the workers fell behind, or undefined when it grew no more
 * than a step may leave. The queue's counts do not depend on PerfLab's generator keeping time,
 * so this holds for a step the generator could not send at its rate too: its workers did not
 * keep up even with what was sent.
 */
export function backlogMiss(step: Pick<CapacityStep, 'count' | 'backlogGrowth'>): string | undefined {
  if (step.backlogGrowth === undefined || step.backlogGrowth <= Math.max(BACKLOG_SLACK_JOBS, BACKLOG_SHARE * step.count)) return undefined;
  return `backlog: ${step.backlogGrowth} more jobs waiting when adding ended than when it began (the workers fell behind)`;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The knee of the latency curve over the steps that measured the target (by rate). */
export function kneeOf(steps: readonly CapacityStep[]): number | undefined {
  const measured = steps.filter((s) => !s.generatorBound && s.count > 0).sort((a, b) => a.rate - b.rate);
  const low = measured[0];
  if (!low) return undefined;
  const limit = KNEE_FACTOR * low.p99;
  const over = measured.findIndex((s) => s.p99 > limit);
  if (over <= 0) return undefined;
  return measured[over - 1]!.rate;
}

/** What the steps say, once the search has stopped. */
export function capacityResult(plan: CapacityPlan, steps: CapacityStep[], stop: CapacityStop): CapacityResult {
  const { pass, fail } = bracket(steps);
  const knee = kneeOf(steps);
  return {
    ...(pass ? { rate: pass.rate } : {}),
    ...(fail && (!pass || fail.rate > pass.rate) ? { firstFailing: { rate: fail.rate, failed: fail.failed } } : {}),
    ...(knee !== undefined ? { knee } : {}),
    stop,
    steps,
    plan,
  };
}
