/**
 * One Redis benchmark run: connect (failing fast with what to check), describe the server, seed
 * the run's keys with TTLs, measure each operation in turn, and always remove the run's keys,
 * whether the run completed, was cancelled or failed.
 */
import type { Redis } from 'ioredis';
import type { RedisProfile } from '../../core/config';
import { type RunHandle, type RunLog, type RunnerContext, type RunnerOutcome, RunnerError } from '../types';
import { cleanupHint, removeUnder } from './cleanup';
import { BENCH_KEY_TTL_MS, BenchKeys, newBenchPrefix } from './keys';
import { redisMemoryMetrics, startRedisMemorySampler } from './memorySampler';
import { drive } from './modes';
import { type BenchOperation, createOperation, makeValue, type OperationContext, seedKeys } from './operations';
import { LiveFeed, mergedResult, Recorder } from '../recorder';
import { redisMetrics } from './results';
import { describeFailure } from '../unexpected';
import { describeServer, readServerFacts } from './serverInfo';
import { type Keeper, startKeeper } from './sweeper';
import { connectRedis, type RedisTarget, resolveRedisTarget } from './target';

/** After cancel, operations in flight get this long to finish before the connection is dropped. */
const CANCEL_GRACE_MS = 750;
/** Control connections (INFO, seeding, keeper, cleanup) give up on a command after this long. */
const CONTROL_COMMAND_TIMEOUT_MS = 5_000;

export async function runRedisBenchmark(profile: RedisProfile, ctx: RunnerContext, handle: RunHandle, signal: AbortSignal): Promise<RunnerOutcome> {
  const target = resolveRedisTarget(ctx);
  const log = (level: RunLog['level'], message: string) => handle.emit('log', { level, message });
  if (target.urlHadPassword) {
    log('warn', 'stack.redis.url contains a password, which is ignored: set PERFLAB_REDIS_PASSWORD in the environment instead');
  }
  const cancelled = (): RunnerOutcome => ({ status: 'cancelled', target: target.label, phases: [], operations: [], metrics: {} });
  const control = (name: string) => connectRedis(target, { name, commandTimeoutMs: CONTROL_COMMAND_TIMEOUT_MS }, signal);

  let admin: Redis;
  try {
    admin = await control('perflab-control');
  } catch (err) {
    if (signal.aborted) return cancelled();
    throw err;
  }

  // Whatever happens from here on, the control connection is closed: left open, it alone keeps the process alive.
  try {
    return await benchmark(profile, ctx, target, admin, handle, signal);
  } finally {
    admin.disconnect();
  }
}

/** Describes the server, measures, and always removes the run's keys; errors of the measured part end up in the outcome. */
async function benchmark(profile: RedisProfile, ctx: RunnerContext, target: RedisTarget, admin: Redis, handle: RunHandle, signal: AbortSignal): Promise<RunnerOutcome> {
  const log = (level: RunLog['level'], message: string) => handle.emit('log', { level, message });
  const keys = new BenchKeys(newBenchPrefix());
  try {
    const facts = await readServerFacts(admin);
    if (facts.clusterEnabled) {
      throw new RunnerError(`Redis at ${target.address} runs in cluster mode, which the Redis benchmark does not support: point stack.redis.url at a standalone server`, 'redis');
    }
    for (const entry of describeServer(facts, target, keys.prefix, BENCH_KEY_TTL_MS)) handle.emit('log', entry);
  } catch (err) {
    if (err instanceof RunnerError) throw err;
    throw new RunnerError(`Redis at ${target.address} accepted the connection but did not answer INFO (${(err as Error).message})`, 'redis');
  }

  const run = new Measurement(profile, target, keys, handle, signal, ctx.env);
  // Read before the first key is written, and last before the keys are removed: the footprint.
  const memory = await startRedisMemorySampler(admin);
  let redisMemory;
  try {
    await run.execute(admin);
  } finally {
    redisMemory = await memory.stop();
    const cleanup = await removeUnder({
      prefix: keys.prefix,
      known: keys.usedBy(profile.operations),
      reuse: admin,
      // Not tied to the run's signal: cleanup must also happen after a cancel.
      connect: () => connectRedis(target, { name: 'perflab-cleanup', commandTimeoutMs: CONTROL_COMMAND_TIMEOUT_MS }),
    });
    if (cleanup.ok) {
      log('info', `removed the benchmark's ${cleanup.deleted} key${cleanup.deleted === 1 ? '' : 's'} (${keys.prefix}*)`);
    } else {
      log(
        'error',
        `could not remove the benchmark keys under ${keys.prefix} from ${target.address} (${cleanup.reason}). ` +
          `They expire by themselves within ${BENCH_KEY_TTL_MS / 60_000} minutes; to remove them now: ` +
          cleanupHint(target, keys.prefix),
      );
    }
  }

  const outcome = run.outcome();
  const measured: RunnerOutcome = {
    ...outcome,
    ...(redisMemory ? { redisMemory } : {}),
    metrics: { ...outcome.metrics, ...(outcome.operations.length ? redisMemoryMetrics(redisMemory) : {}) },
  };
  if (signal.aborted && !run.failure) return { ...measured, status: 'cancelled' };
  return measured;
}

/** The measured part, from seeding to the last operation; keeps what it measured whatever happens. */
class Measurement {
  failure?: string;
  private readonly recorders: Recorder[];
  private operations: BenchOperation[] = [];
  private readonly live: LiveFeed;
  private stop = false;
  private lost?: string;
  private current = -1;

  constructor(
    private readonly profile: RedisProfile,
    private readonly target: RedisTarget,
    private readonly keys: BenchKeys,
    handle: RunHandle,
    private readonly signal: AbortSignal,
    private readonly env: RunnerContext['env'],
  ) {
    this.recorders = profile.operations.map((name) => new Recorder(name));
    this.live = new LiveFeed(handle, profile.durationMs);
  }

  async execute(admin: Redis): Promise<void> {
    let bench: Redis | undefined;
    let keeper: Keeper | undefined;
    let hardStop: NodeJS.Timeout | undefined;
    const onAbort = () => {
      this.stop = true;
      hardStop = setTimeout(() => bench?.disconnect(), CANCEL_GRACE_MS);
    };
    this.signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (this.signal.aborted) return;
      // Built here, not in the constructor, so a value that cannot be built fails the run like any other error.
      const opContext: OperationContext = { keys: this.keys, value: makeValue(this.profile.valueSize), ttlMs: BENCH_KEY_TTL_MS, pipelineSize: this.profile.pipeline };
      this.operations = this.profile.operations.map((name) => createOperation(name, opContext));
      bench = await connectRedis(this.target, { name: 'perflab-bench', autoPipelining: this.profile.mode === 'auto-pipeline' }, this.signal);
      let lastError: Error | undefined;
      bench.on('error', (err: Error) => {
        lastError = err;
      });
      bench.on('close', () => {
        if (this.stop) return;
        this.stop = true;
        this.lost = lastError?.message ?? 'the server closed the connection';
      });
      await seedKeys(admin, this.profile.operations, opContext);
      keeper = startKeeper(
        admin,
        this.keys.refreshedFor(this.profile.operations),
        this.profile.operations.includes('lpush') ? this.keys.lists : [],
        BENCH_KEY_TTL_MS,
        (err) => this.log('warn', `could not refresh the benchmark keys' TTLs (${err.message}); they still expire within ${BENCH_KEY_TTL_MS / 60_000} minutes of the last refresh`),
      );
      await this.measure(bench);
      if (this.lost) this.failure = `lost the connection to Redis at ${this.target.address} mid-run (${this.lost}); the results up to then are kept`;
    } catch (err) {
      if (!this.signal.aborted) this.failure = `Redis benchmark failed: ${describeFailure(err, this.env)}`;
    } finally {
      this.signal.removeEventListener('abort', onAbort);
      clearTimeout(hardStop);
      this.stop = true;
      await keeper?.stop();
      bench?.disconnect();
    }
  }

  private async measure(bench: Redis): Promise<void> {
    const { profile, live } = this;
    const n = this.operations.length;
    const perOperationMs = profile.durationMs !== undefined ? profile.durationMs / n : undefined;
    const iterations = perOperationMs === undefined ? (profile.iterations ?? 10_000) : undefined;
    live.begin();
    try {
      for (const [index, op] of this.operations.entries()) {
        if (this.stop) break;
        this.current = index;
        const rec = this.recorders[index]!;
        const startedAt = performance.now();
        live.follow(op.name, rec, () => iterations !== undefined
          ? this.recorders.reduce((sum, r) => sum + r.count, 0) / (iterations * n)
          : (index + Math.min(1, (performance.now() - startedAt) / perOperationMs!)) / n);
        const { lost } = await drive(bench, op, rec, {
          mode: profile.mode,
          concurrency: profile.concurrency,
          pipeline: profile.pipeline,
          iterations,
          deadline: perOperationMs === undefined ? undefined : startedAt + perOperationMs,
          stopped: () => this.stop,
        });
        if (lost && !this.stop) {
          this.stop = true;
          this.lost = lost.message;
        }
        if (op.name === 'pipeline') {
          this.log('info', `pipeline: each operation is one pipeline of ${op.commands} commands (SET and GET), ` +
            `${Math.round(rec.rate)} pipelines/s = ${Math.round(rec.rate * op.commands)} commands/s`);
        }
      }
    } finally {
      live.end();
    }
  }

  private log(level: RunLog['level'], message: string): void {
    this.live.log(level, message);
  }

  outcome(): RunnerOutcome {
    const started = this.recorders.slice(0, this.current + 1);
    const operations = started.map((r) => r.result());
    const overall = mergedResult('overall', started);
    return {
      status: this.failure ? 'failed' : 'completed',
      target: this.target.label,
      overall,
      phases: [],
      operations,
      timeline: this.live.timeline,
      metrics: operations.length ? redisMetrics(operations, overall) : {},
      ...(operations.length ? { samples: Object.fromEntries([['', { count: overall.count, errors: overall.errors }], ...started.map((r) => [`op.${r.name}.`, r.samples()])]) } : {}),
      ...(this.failure ? { error: this.failure } : {}),
    };
  }
}
