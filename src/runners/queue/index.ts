/**
 * BullMQ benchmarks of the developer's own Redis: producer throughput (`add`, `addBulk`), worker
 * drain rate and add-to-completion latency, over a sweep of worker concurrencies, with the
 * profile's priorities, delays, planned failures with retries, and rate limiter.
 *
 * Safety: every queue of a run lives under a BullMQ key prefix of its own
 * (`perflab-bench-<run id>`); at the end, on cancel and on error the run closes its workers and
 * queues and UNLINKs exactly the keys under that prefix (SCAN, never FLUSH), so other queues such
 * as the app's `bull:messages` are never touched. When the connection has dropped, cleanup
 * reconnects a bounded number of times; if it still cannot, the error log names the prefix left
 * behind and the command that removes it. BullMQ's scripts give its keys no TTL: a key sweeper
 * process (redis/sweeperProcess.ts) gives them one while the run lasts, and removes them should
 * PerfLab die mid-run.
 *
 * With `"workers": "app"` the jobs go to the app's own queue for the app's workers instead
 * (./appWorkers.ts), which removes only the jobs it added.
 *
 * Headline metrics of a sweep come from its best concurrency: for `drain` the one with the
 * highest `drain.rate`, for `e2e` the one with the lowest `e2e.latency.p99`; `overall` is that
 * step's result, named e.g. `drain.c10 (best of c=1, 10, 50)`. `jobs.failed` and `errors.rate`
 * count the whole run (every step), since a failure anywhere matters.
 */
import type { BullmqProfile } from '../../core/config';
import type { RunStatus } from '../../core/runRecord';
import { RunHandle, RunnerError, type RunnerContext, type RunnerFactory, type RunnerOutcome } from '../types';
import { runPrefix } from './names';
import { checkEvictionRisk, connectAdmin, resolveRedisTarget, serverFacts } from './connection';
import { JobPlan } from './jobs';
import { redisMemoryMetrics, startRedisMemorySampler } from '../redis/memorySampler';
import { startSweeperProcess } from '../redis/sweeperProcess';
import { runMode, type ModeOutput } from './modes';
import { summarize } from './summary';
import { runAppWorkers } from './appWorkers';
import { LiveFeed } from '../recorder';
import { BenchSession } from './session';
import { describeFailure } from '../unexpected';

/** Time between two slices of the key sweeper (see redis/sweeper.ts for the slice size). */
const SWEEP_EVERY_MS = 1_000;

/** Starts a BullMQ benchmark; see the module comment for what it measures and how it cleans up. */
export const runBullmqProfile: RunnerFactory<BullmqProfile> = (profile, ctx) =>
  new RunHandle((handle, signal) => (profile.workers === 'app' ? runAppWorkers : runBenchmark)(profile, ctx, handle, signal), ctx.signal);

async function runBenchmark(profile: BullmqProfile, ctx: RunnerContext, handle: RunHandle, signal: AbortSignal): Promise<RunnerOutcome> {
  const target = resolveRedisTarget(ctx);
  const empty = (status: RunStatus): RunnerOutcome => ({ status, target: target.label, phases: [], operations: [], metrics: {} });
  if (signal.aborted) return empty('cancelled');
  const prefix = runPrefix();
  let admin;
  try {
    admin = await connectAdmin(target, `${prefix}:admin`, signal);
  } catch (err) {
    if (signal.aborted) return empty('cancelled');
    throw err;
  }

  const steps = profile.mode === 'add' || profile.mode === 'addBulk' ? 1 : profile.workerConcurrency.length;
  const live = new LiveFeed(handle, profile.durationMs !== undefined ? profile.durationMs * steps : undefined);
  // The run also stops when Redis is gone for good: the admin link gave up reconnecting after a few seconds.
  const lost = new AbortController();
  const running = { now: true };
  admin.once('end', () => {
    if (!running.now) return;
    const message = `lost the connection to Redis at ${target.host}:${target.port} mid-run and could not reconnect; check that redis-server is still running (results are partial)`;
    live.log('error', message);
    lost.abort(new Error(message));
  });
  let session: BenchSession | undefined;
  try {
    session = new BenchSession(prefix, profile, target, admin, live, new JobPlan(profile), AbortSignal.any([signal, lost.signal]));
    return await benchmark(session, ctx, signal, lost.signal, running);
  } catch (err) {
    if (err instanceof RunnerError) throw err;
    // Nothing was written yet: the plan could not be built.
    return { ...empty('failed'), error: `BullMQ benchmark failed: ${describeFailure(err, ctx.env)}` };
  } finally {
    running.now = false;
    // Left open, the admin link alone keeps the process alive; the session may have replaced it.
    if (session) session.disconnectAdmin();
    else admin.disconnect();
  }
}

/** Checks the server, runs the mode, and always closes the queues and workers and removes the run's keys. */
async function benchmark(session: BenchSession, ctx: RunnerContext, signal: AbortSignal, lost: AbortSignal, running: { now: boolean }): Promise<RunnerOutcome> {
  const { profile, target, live, plan } = session;
  const admin = session.adminClient;
  let version: string;
  try {
    const facts = await serverFacts(admin);
    version = facts.version;
    const plannedJobs = profile.jobs ?? Math.ceil((profile.arrivalRate ?? 5_000) * (profile.durationMs ?? 0) / 1000);
    for (const warning of checkEvictionRisk(facts, plan.estimatedBytes(plannedJobs), target.label)) live.log('warn', warning);
  } catch (err) {
    if (err instanceof RunnerError) throw err;
    throw new RunnerError(`Redis at ${target.host}:${target.port} did not answer INFO: ${(err as Error).message}`, 'redis');
  }
  // Before the first queue exists, so no key of the run ever goes unswept.
  const sweeper = await startSweeperProcess(
    { target, prefix: `${session.prefix}:`, ttlMs: session.keyTtlMs, ownTtlMaxMs: session.ownTtlMaxMs, everyMs: SWEEP_EVERY_MS },
    (message) => live.log('warn', message),
  );
  live.log(
    'info',
    `BullMQ ${profile.mode} benchmark on ${target.label} (Redis ${version}); its queues live under the key prefix "${session.prefix}:", ` +
      `each of their keys gets a TTL of ${Math.round(session.keyTtlMs / 60_000)} min while the run lasts, and all are removed at the end`,
  );

  // Read before the first job is added, and last before the benchmark's queues are removed.
  const memory = await startRedisMemorySampler(admin);
  live.begin();
  const out: ModeOutput = { recorders: [], steps: [] };
  let status: RunStatus = 'completed';
  let error: string | undefined;
  let cleanup: Awaited<ReturnType<BenchSession['removeAll']>> | undefined;
  let redisMemory;
  try {
    await runMode(session, out);
  } catch (err) {
    // A fault reported elsewhere (a worker, a send in flight) is the cause; what it made fail here is not.
    session.fail(err);
  } finally {
    running.now = false;
    await session.closeAll();
    redisMemory = await memory.stop();
    cleanup = await session.removeAll();
    if ('error' in cleanup) live.log('error', cleanup.error);
    else live.log('info', `removed the benchmark's ${cleanup.removed} keys under "${session.prefix}:"; none is left`);
    await sweeper.stop();
    live.end();
  }
  if (signal.aborted) status = 'cancelled';
  else if (lost.aborted) {
    status = 'failed';
    error = (lost.reason as Error).message;
  } else if (session.fault) {
    // Once the run has started, a failure keeps what was measured: the outcome says `failed` and why.
    status = 'failed';
    error = describeFailure(session.fault.error, ctx.env);
    live.log('error', error);
  }
  if (status === 'failed' && cleanup && 'error' in cleanup) error = `${error}; ${cleanup.error}`;
  const summary = summarize(profile, out);
  return {
    ...summary,
    metrics: { ...summary.metrics, ...(summary.overall ? redisMemoryMetrics(redisMemory) : {}) },
    ...(redisMemory ? { redisMemory } : {}),
    status,
    target: target.label,
    phases: [],
    timeline: live.timeline,
    ...(out.generator ? { generator: out.generator } : {}),
    ...(error ? { error } : {}),
  };
}
