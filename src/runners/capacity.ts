/**
 * `perflab capacity`: the highest arrival rate an HTTP profile's target sustains within the
 * profile's thresholds. Each step is a run of the profile's scenarios at one rate, started with
 * the http runner; src/core/capacity.ts picks the rates and reads the steps. After an overloaded step the next waits until the target answers as it did at
 * the lowest rate (its backlog drained), so no step measures the one before it.
 *
 * A bullmq profile with `"workers": "app"` is searched the same way: each step adds jobs to the
 * app's queue at one rate for the step's time, and fails when the app's workers do not keep up
 * (completions below the rate, or the queue's backlog growing while jobs were added) or an e2e
 * threshold fails. Its runner waits for the step's jobs to finish, so the next step starts on a
 * drained queue and needs no recovery probe.
 *
 * The outcome is one run: the steps are its phases and its timeline, its overall figures and
 * metrics those of the capacity step (so the thresholds read as they were met there), and
 * `capacity` says what was found.
 */
import {
  type CapacityPlan,
  type CapacityProfile,
  isCapacityProfile,
  BACKLOG_SHARE,
  BACKLOG_SLACK_JOBS,
  KEEP_UP_SHARE,
  capacityResult,
  type CapacityStep,
  type CapacityStop,
  nextStep,
  backlogMiss,
  stepVerdict,
} from '../core/capacity';
import type { Profile } from '../core/config';
import { formatMiss, formatRate } from '../core/format';
import type { PhaseResult, TimelinePoint } from '../core/runRecord';
import { evaluateThresholds } from '../core/thresholds';
import type { OpenPhase } from './http/config';
import { httpKind } from './http/kind';
import { bullmqKind } from './queue/kind';
import { type BacklogWatch, watchBacklog } from './queueBacklog';
import { startRunner } from './registry';
import { RunHandle, RunnerError, type RunnerContext, type RunnerOutcome } from './types';

/** A recovery probe: a second at a low rate, repeated until the target answers as before. */
const PROBE_MS = 1_000;
/** Probes at most after an overloaded step (about half a minute). */
const MAX_PROBES = 20;

/** Throws the RunnerError a capacity search of `profile` gives before it starts, naming the profiles it can search. */
export function assertCapacityProfile(profile: Profile): asserts profile is CapacityProfile {
  if (isCapacityProfile(profile)) return;
  const own = profile.type === 'bullmq' ? " of PerfLab's own worker" : '';
  throw new RunnerError(
    `a capacity search steps an arrival rate: an http profile's, or that of a bullmq profile with "workers": "app"; "${profile.name}" is a ${profile.type} profile${own}: ` +
      `give an http profile${own ? ', or set "workers": "app" to measure the app\'s own workers' : ''}`,
    'config',
  );
}

/** How the search runs one step of a kind: the profile at a rate, and the step's result. */
interface Stepper {
  rateUnit: string;
  /** The profile's load at `rate` for `ms`; `name` names the step's phase. */
  at(rate: number, ms: number, name: string): Profile;
  /** The step's figures, from its outcome. */
  result(outcome: RunnerOutcome, ms: number): PhaseResult | undefined;
  /** An overloaded step may leave a backlog in the target: probe until it is gone. */
  recovers: boolean;
  /** Whether PerfLab could not offer the rate, so the step says nothing of the target. */
  generatorBound(outcome: RunnerOutcome, rate: number): boolean;
}

function stepperOf(profile: CapacityProfile): Stepper {
  if (profile.type === 'http') {
    const { preset: _preset, ...scenarios } = profile;
    return {
      rateUnit: httpKind.words.rateUnit,
      at: (rate, ms, name) => ({ ...scenarios, phases: [phase(name, rate, ms)] }),
      result: (outcome) => outcome.phases[0],
      recovers: true,
      generatorBound: (outcome) => outcome.generator?.generatorBound === true,
    };
  }
  const { jobs: _jobs, ...rest } = profile;
  return {
    rateUnit: bullmqKind.words.rateUnit,
    at: (rate, ms) => ({ ...rest, arrivalRate: rate, durationMs: ms }),
    result: (outcome, ms) => {
      if (!outcome.overall) return undefined;
      const { distribution: _d, ...overall } = outcome.overall;
      return { ...overall, durationMs: ms, model: 'open' };
    },
    // The runner waited for the step's jobs: the queue holds none of them any more.
    recovers: false,
    // Adds a few ms late (a busy machine) still offer the rate, and the e2e latency counts from
    // each job's due time, lateness included: only adds that fell behind the rate void the step.
    generatorBound: (outcome, rate) => outcome.generator?.generatorBound === true && (outcome.metrics['add.rate'] ?? 0) < KEEP_UP_SHARE * rate,
  };
}

export function startCapacity(profile: Profile, ctx: RunnerContext, plan: CapacityPlan): RunHandle {
  assertCapacityProfile(profile);
  return new RunHandle(async (handle, signal) => {
    const backlog = profile.type === 'http' ? await openBacklog({ ...ctx, signal }, handle) : undefined;
    try {
      return await search(profile, { ...ctx, signal }, plan, handle, signal, backlog);
    } finally {
      await backlog?.close();
    }
  }, ctx.signal);
}

/**
 * An HTTP service whose queues (`stack.queues`) fall behind does not sustain the rate: each step
 * also reads their backlog. A Redis that cannot be read leaves the steps judged on the answers alone.
 */
async function openBacklog(ctx: RunnerContext, handle: RunHandle): Promise<BacklogWatch | undefined> {
  try {
    const watch = await watchBacklog(ctx);
    if (watch) handle.emit('log', { level: 'info', message: `each step also reads the backlog of ${watch.queues}: a step that leaves it growing fails` });
    return watch;
  } catch (err) {
    const names = ctx.config.stack.queues.map((q) => q.name).join(', ');
    handle.emit('log', { level: 'warn', message: `the stack's queues (${names}) are not watched: ${(err as Error).message}; the steps are judged on the HTTP answers alone` });
    return undefined;
  }
}

interface Measured {
  step: CapacityStep;
  outcome: RunnerOutcome;
  metrics: Record<string, number>;
  result: PhaseResult;
}

async function search(profile: CapacityProfile, ctx: RunnerContext, plan: CapacityPlan, handle: RunHandle, signal: AbortSignal, backlog: BacklogWatch | undefined): Promise<RunnerOutcome> {
  const stepper = stepperOf(profile);
  const unit = stepper.rateUnit;
  const measured: Measured[] = [];
  const timeline: TimelinePoint[] = [];
  let offsetS = 0;
  let total = 0;
  const started = Date.now();
  const hasErrorThreshold = profile.thresholds.some((t) => t.metric === 'errors.rate' || t.metric === 'errors.count');
  const log = (level: 'info' | 'warn', message: string) => handle.emit('log', { level, message });

  /** One run of the profile's load at `rate` for `ms`, its events passed on. */
  const runAt = async (name: string, rate: number, ms: number, label: string): Promise<RunnerOutcome> => {
    const run = startRunner(stepper.at(rate, ms, name), ctx);
    const base = offsetS;
    run.on('sample', (s) => handle.emit('sample', { ...s, t: base + s.t, phase: label, total: total + s.total }));
    // A step's own notes (each phase's line) would repeat for every step: only its warnings pass.
    run.on('log', (l) => {
      if (l.level !== 'info') handle.emit('log', l);
    });
    run.on('progress', (p) => handle.emit('progress', {
      fraction: Math.min(0.95, measured.length / (measured.length + 3)),
      elapsedMs: Date.now() - started,
      phase: label,
      ...(p.message ? { message: p.message } : {}),
    }));
    const outcome = await run.result;
    for (const point of outcome.timeline ?? []) timeline.push({ ...point, t: base + point.t, phase: label });
    offsetS = base + ms / 1000;
    total += outcome.overall?.count ?? 0;
    return outcome;
  };

  const startWaiting = await backlog?.waiting();
  /** The rates tried once more after the generator could not send them. */
  const retried = new Set<number>();
  let stop: CapacityStop | undefined;
  let failure: string | undefined;
  for (;;) {
    const next = nextStep(plan, measured.map((m) => m.step));
    if ('stop' in next) {
      stop = next.stop;
      break;
    }
    const { rate } = next;
    const label = formatRate(rate, unit);
    log('info', `step ${measured.length + 1}: ${label} for ${plan.stepMs / 1000} s`);
    const before = await backlog?.waiting();
    const outcome = await runAt('step', rate, plan.stepMs, label);
    const after = await backlog?.waiting();
    if (outcome.status === 'cancelled' || signal.aborted) {
      stop = 'cancelled';
      break;
    }
    if (outcome.status === 'failed') {
      failure = outcome.error ?? `the step at ${label} failed`;
      break;
    }
    const grown = before !== undefined && after !== undefined ? after - before : undefined;
    const m = measure(profile, stepper, outcome, rate, plan.stepMs, hasErrorThreshold, grown);
    if (!m) {
      failure = `the step at ${label} measured nothing`;
      break;
    }
    // A machine that stalls for a moment (another program, the target on the same cores) makes a
    // step the generator could not send: it is tried once more before its rate bounds the search.
    if (m.step.generatorBound && !retried.has(rate)) {
      retried.add(rate);
      log('warn', `step ${measured.length + 1}: ${label}: PerfLab's generator could not send it on this machine; trying it once more`);
      if (measured.length && stepper.recovers && !(await recovered(measured, runAt, log, signal, undefined))) {
        stop = signal.aborted ? 'cancelled' : 'no-recovery';
        break;
      }
      continue;
    }
    measured.push(m);
    log(m.step.pass ? 'info' : 'warn', `step ${measured.length}: ${label} ${m.step.pass ? 'met every criterion' : `failed: ${m.step.failed.join('; ')}`}`);
    // Drained: the queues back to where the search found them, give or take what a step may leave.
    const drained = backlog && startWaiting !== undefined
      ? async () => ((await backlog.waiting()) ?? Infinity) <= startWaiting + Math.max(BACKLOG_SLACK_JOBS, BACKLOG_SHARE * m.step.count)
      : undefined;
    if (!m.step.pass && !m.step.generatorBound && stepper.recovers && !(await recovered(measured, runAt, log, signal, drained))) {
      stop = signal.aborted ? 'cancelled' : 'no-recovery';
      break;
    }
  }

  const steps = measured.map((m) => m.step);
  const capacity = capacityResult(plan, steps, stop ?? 'cancelled');
  // The figures of the run: the capacity step's, else the lowest rate tried (which failed).
  const shown = measured.find((m) => m.step.rate === capacity.rate) ?? [...measured].sort((a, b) => a.step.rate - b.step.rate)[0];
  const phases = measured.map((m) => ({ ...m.result, name: formatRate(m.step.rate, unit) }));
  const status = failure !== undefined ? 'failed' : stop === 'cancelled' ? 'cancelled' : 'completed';
  return {
    status,
    ...(shown?.outcome.target !== undefined ? { target: shown.outcome.target } : {}),
    phases,
    operations: shown?.outcome.operations ?? [],
    timeline,
    metrics: shown?.metrics ?? {},
    ...(shown?.outcome.overall ? { overall: shown.outcome.overall } : {}),
    ...(shown?.outcome.generator ? { generator: shown.outcome.generator } : {}),
    ...(failure !== undefined ? { error: failure } : {}),
    capacity,
  };
}

function phase(name: string, rate: number, durationMs: number): OpenPhase {
  return { name, model: 'open', arrivalRate: rate, durationMs, duration: `${durationMs / 1000}s` };
}

/** A step's figures, and its verdict on the profile's thresholds it measures. */
function measure(profile: CapacityProfile, stepper: Stepper, outcome: RunnerOutcome, rate: number, ms: number, hasErrorThreshold: boolean, queueGrowth?: number): Measured | undefined {
  const result = stepper.result(outcome, ms);
  if (!result) return undefined;
  const metrics = outcome.metrics;
  const verdicts = evaluateThresholds(profile.thresholds, metrics);
  // The app-workers runner measures its queue's growth itself; an HTTP step has the stack queues' reading.
  const backlog = metrics['backlog.growth'] ?? queueGrowth;
  const partial = { rate, achieved: result.rate, count: result.count, errors: result.errors, ...(backlog !== undefined ? { backlogGrowth: backlog } : {}) };
  // A late generator says nothing of the target's latency, but a queue that grew while it sent
  // less than offered says the workers fell behind all the same: then the target failed.
  const lateGenerator = stepper.generatorBound(outcome, rate);
  const behind = lateGenerator ? backlogMiss(partial) : undefined;
  const generatorBound = lateGenerator && !behind;
  const { pass, failed } = behind
    ? { pass: false, failed: [behind, `(PerfLab's generator could not send ${rate}/s on this machine either)`] }
    : generatorBound
      ? { pass: false, failed: [`PerfLab's generator could not send ${rate}/s on this machine`] }
      : stepVerdict(verdicts, partial, (v) => formatMiss(v, stepper.rateUnit), hasErrorThreshold);
  const step: CapacityStep = {
    ...partial,
    p50: result.latency.p50,
    p95: result.latency.p95,
    p99: result.latency.p99,
    pass,
    failed,
    ...(generatorBound ? { generatorBound } : {}),
  };
  return { step, outcome, metrics, result };
}

/**
 * After an overloaded step: probes at a tenth of the highest passing rate until the target's
 * median answers within twice (plus 2 ms) the median at the lowest rate, so the next step does not
 * measure the backlog this one left. False when it never does (or the search was cancelled).
 */
async function recovered(
  measured: readonly Measured[],
  runAt: (name: string, rate: number, ms: number, label: string) => Promise<RunnerOutcome>,
  log: (level: 'info' | 'warn', message: string) => void,
  signal: AbortSignal,
  drained?: () => Promise<boolean>,
): Promise<boolean> {
  const passing = measured.filter((m) => m.step.pass);
  if (!passing.length) return true;
  const lowest = [...measured].sort((a, b) => a.step.rate - b.step.rate)[0]!;
  const highest = Math.max(...passing.map((m) => m.step.rate));
  const rate = Math.max(5, Math.round(highest / 10));
  const limit = 2 * lowest.step.p50 + 2;
  for (let i = 0; i < MAX_PROBES; i++) {
    if (signal.aborted) return false;
    const probe = await runAt('probe', rate, PROBE_MS, 'recovering');
    if (probe.status !== 'completed') return false;
    const p50 = probe.overall?.latency.p50;
    if (p50 !== undefined && p50 <= limit && (probe.overall?.errors ?? 0) === 0 && (await drained?.()) !== false) return true;
    if (i === 0) log('info', `waiting for the target to drain what the last step left (median ${p50?.toFixed(1) ?? '?'} ms, ${lowest.step.p50.toFixed(1)} ms at ${lowest.step.rate}/s${drained ? '; and its queues\' backlog' : ''})`);
  }
  log('warn', `the target did not answer as before within ${(MAX_PROBES * PROBE_MS) / 1000} s of the last step: the search stops there`);
  return false;
}
