/**
 * The HTTP runner: runs an `http` profile's phases in order in a load-generator worker thread
 * and resolves with per-phase, per-scenario and overall results.
 *
 * - Arrival-rate phases (`arrivalRate`, optional `rampTo`) use PerfLab's own open-model generator
 *   (./openLoop.ts): latency is measured from each request's intended send time, and from the
 *   actual send as `uncorrectedLatency`.
 * - Closed-loop phases (`connections`, optional `pipelining`) run on autocannon (./closedLoop.ts).
 *
 * Before any load: the target must be loopback or allowed (`RunnerError('refused')`), the plan
 * within what the generator can do (./plan.ts), templates and the custom generator usable
 * (`RunnerError('config')`), and the target's port must accept a connection within 2 s
 * (`RunnerError('unreachable')`).
 *
 * During the run: a target that stops answering (./liveness.ts) stops it early, and a run that
 * ends while every request fails with a connection error checks the port once more. Either way
 * the outcome is `failed`, with what was measured until then and the reason.
 */
import { Worker } from 'node:worker_threads';
import type { HttpProfile } from '../../core/config/types';
import type { TimelinePoint } from '../../core/runRecord';
import { RunHandle, RunnerError, type RunnerContext, type RunnerEvents, type RunnerFactory, type RunnerOutcome } from '../types';
import { checkReachable, resolveGenerator, resolveTarget } from './preflight';
import { checkPlan } from './plan';
import type { FromWorker, PhaseData, Unanswered, WorkerInit, WorkerShard } from './protocol';
import type { EventEmitter } from 'node:events';
import type { SerializedHistogram } from '../../core/stats';
import { compileScenarios, targetInfo } from './requestPlan';
import { buildOutcome, type CollectedRun } from './results';
import { TemplateError } from '../../core/config/templates';
import { findWorkerBundle, WORKER_BUNDLE } from './workerBundle';
import { formatDuration, formatMs, formatTally } from '../../core/format';

export interface HttpRunnerOptions {
  /** Open model: connections to start with (default 10) and the most the pool may grow to (default 1024). */
  connections?: { initial?: number; max?: number };
  /** The worker bundle; found next to (or above) this module by default. */
  workerPath?: string;
  /** A distributed run's agent: the share of the run this generator sends (see WorkerShard). */
  shard?: WorkerShard;
  /** A shard's live windows, with their histograms, as the worker reports them (about once a second). */
  onWindow?: (window: ShardWindow) => void;
}

/** One live window of a shard: the point, the run's completions so far, the window's latencies. */
export interface ShardWindow {
  point: TimelinePoint;
  total: number;
  histogram?: SerializedHistogram;
}

/** What one generator measured, before it becomes an outcome: what a distributed run's agent returns. */
export interface CollectedHttpRun {
  run: CollectedRun;
  unanswered?: Unanswered;
  /** With `shard.keepRaw`: every corrected latency, ms. */
  raw?: number[];
}

export const DEFAULT_CONNECTIONS = 10;
export const MAX_CONNECTIONS = 1024;
/** After a stop request, how long the worker gets to report partial results before it is terminated. */
const STOP_GRACE_MS = 1_000;

/** A runner factory with non-default generator settings (tests, benchmarks). */
export function createHttpRunner(options: HttpRunnerOptions = {}): RunnerFactory<HttpProfile> {
  return (profile, ctx) => new RunHandle((handle, signal) => execute(profile, ctx, handle, signal, options), ctx.signal);
}

/** Runs an `http` profile. */
export const runHttpProfile: RunnerFactory<HttpProfile> = createHttpRunner();

async function execute(profile: HttpProfile, ctx: RunnerContext, handle: RunHandle, signal: AbortSignal, options: HttpRunnerOptions): Promise<RunnerOutcome> {
  return buildOutcome((await collectHttpRun(profile, ctx, handle, signal, options)).run);
}

/**
 * Runs an http profile and returns what the generator measured (phases with their histograms),
 * not yet an outcome: the runner turns it into one, a distributed run's agent sends it to the
 * coordinator, which merges the agents' before it does. The same checks, the same generator.
 */
export async function collectHttpRun(
  profile: HttpProfile, ctx: RunnerContext, handle: EventEmitter<RunnerEvents>, signal: AbortSignal, options: HttpRunnerOptions = {},
): Promise<CollectedHttpRun> {
  const resolved = resolveTarget(profile, ctx);
  const connections = {
    initial: options.connections?.initial ?? DEFAULT_CONNECTIONS,
    max: options.connections?.max ?? MAX_CONNECTIONS,
  };
  checkPlan(profile, connections);
  try {
    compileScenarios(profile.scenarios, targetInfo(resolved.url.href, resolved.target.headers));
  } catch (err) {
    if (err instanceof TemplateError) throw new RunnerError(`profile "${profile.name}": ${err.message}`, 'config');
    throw err;
  }
  const generatorModule = resolveGenerator(profile, ctx);
  const workerPath = options.workerPath ?? findWorkerBundle();
  if (!workerPath) throw new RunnerError(`the load generator (dist/${WORKER_BUNDLE}) was not found above ${__dirname}; run \`npm run build\``, 'internal');

  const cancelled = (): CollectedHttpRun => ({ run: { status: 'cancelled', target: resolved.display, phases: [], timeline: [] } });
  if (signal.aborted) return cancelled();
  await checkReachable(resolved, ctx, signal);
  if (signal.aborted) return cancelled();

  const init: WorkerInit = {
    baseUrl: resolved.url.href,
    targetHeaders: resolved.target.headers,
    phases: profile.phases,
    scenarios: profile.scenarios,
    timeoutMs: profile.timeoutMs,
    ...(generatorModule ? { generatorModule } : {}),
    connections,
    ...(options.shard ? { shard: options.shard } : {}),
  };
  const plannedMs = profile.phases.reduce((ms, p) => ms + p.durationMs, 0);
  const collected = await runWorker(workerPath, init, handle, signal, resolved.display, plannedMs, options.onWindow);
  const { run, unanswered } = collected;
  if (unanswered && run.status === 'completed') {
    if (unanswered.stoppedRun) {
      run.status = 'failed';
      run.error = `${describeUnanswered(unanswered)}, so the run stopped early; what was measured until then is kept. Is the server still running?`;
    } else {
      // The run ended inside a streak too short to stop it: is anything listening at all?
      const gone = await checkReachable(resolved, ctx).then(() => undefined, (err: RunnerError) => err);
      if (gone) {
        run.status = 'failed';
        run.error = `${describeUnanswered(unanswered)} until the run ended, and it is still down: ${gone.message}`;
      }
    }
  }
  return collected;
}

/** `the target stopped answering 2.1 s into the run: every request for 3.0 s failed with a connection error (ECONNREFUSED × 300)`. */
function describeUnanswered(u: Unanswered): string {
  const kinds = formatTally(u.byKind);
  return `the target stopped answering ${formatDuration(u.sinceMs)} into the run: every request for ${formatDuration(u.forMs)} ` +
    `failed with a connection error (${kinds}) and none was answered`;
}

function runWorker(
  workerPath: string, init: WorkerInit, handle: EventEmitter<RunnerEvents>, signal: AbortSignal, target: string, plannedMs: number,
  onWindow?: (window: ShardWindow) => void,
): Promise<CollectedHttpRun> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerPath, { workerData: init });
    const phases: PhaseData[] = [];
    const timeline: TimelinePoint[] = [];
    let ready = false;
    let done = false;
    let lagP99Ms: number | undefined;
    let unanswered: Unanswered | undefined;
    let raw: number[] | undefined;
    let error: string | undefined;
    let configError: RunnerError | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const progress = (elapsedMs: number, phase?: string) =>
      handle.emit('progress', {
        fraction: plannedMs > 0 ? Math.min(1, elapsedMs / plannedMs) : 1,
        elapsedMs: Math.round(elapsedMs),
        totalMs: plannedMs,
        ...(phase !== undefined ? { phase } : {}),
      });

    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'ready':
          ready = true;
          break;
        case 'phase-start':
          progress(m.elapsedMs, m.name);
          break;
        case 'sample':
          timeline.push(m.point);
          handle.emit('sample', { ...m.point, total: m.total });
          onWindow?.({ point: m.point, total: m.total, ...(m.histogram ? { histogram: m.histogram } : {}) });
          progress(m.elapsedMs, m.point.phase);
          break;
        case 'phase-end':
          phases.push(m.phase);
          if (m.phase.health.sent !== undefined) handle.emit('log', { level: 'info', message: describeOpenPhase(m.phase) });
          if (m.phase.health.message) handle.emit('log', { level: 'warn', message: m.phase.health.message });
          break;
        case 'log':
          handle.emit('log', { level: m.level, message: m.message });
          break;
        case 'done':
          done = true;
          lagP99Ms = m.lagP99Ms;
          unanswered = m.unanswered;
          raw = m.raw;
          void worker.terminate();
          break;
        case 'fatal':
          if (!ready && m.code === 'config') configError = new RunnerError(m.message, 'config');
          else error ??= m.message;
          void worker.terminate();
          break;
      }
    });
    worker.on('error', (err) => {
      error ??= `the load generator failed: ${err.message}`;
    });
    worker.once('exit', () => {
      clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
      if (configError) return reject(configError);
      let status: RunnerOutcome['status'] = 'completed';
      if (error !== undefined) status = 'failed';
      else if (signal.aborted) status = 'cancelled';
      else if (!done) {
        status = 'failed';
        error = 'the load generator stopped unexpectedly';
      }
      if (status === 'completed' && !unanswered?.stoppedRun) progress(plannedMs);
      resolve({
        run: { status, target, phases, timeline, ...(lagP99Ms !== undefined ? { lagP99Ms } : {}), ...(error !== undefined ? { error } : {}) },
        ...(unanswered ? { unanswered } : {}),
        ...(raw ? { raw } : {}),
      });
    });
    const onAbort = () => {
      worker.postMessage({ type: 'stop' });
      killTimer ??= setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `phase "x": 10000 of 10000 planned requests sent on 10 connections, 12 sent late (worst …), connection wait p99 …`. */
function describeOpenPhase(p: PhaseData): string {
  const h = p.health;
  const wait = h.connectionWait ? `, connection wait p99 ${formatMs(h.connectionWait.p99)} (max ${formatMs(h.connectionWait.max)})` : '';
  return `phase "${p.name}": ${h.sent} of ${h.planned} planned requests sent on ${h.connections} connections` +
    `${h.refused ? `, ${h.refused} refused as invalid` : ''}${h.dropped ? `, ${h.dropped} dropped` : ''}, ` +
    `${h.lateSends} sent late (worst ${formatMs(h.lateSendMaxMs)})${wait}, generator lag p99 ${formatMs(h.lagP99Ms)}`;
}

