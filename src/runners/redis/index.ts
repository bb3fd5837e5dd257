/**
 * The Redis runner: SET, GET, INCR, LPUSH, ZADD, pipelines and the demo's analytics patterns,
 * issued sequentially, N in flight (with or without ioredis auto-pipelining) or in explicit
 * pipelines, with per-operation rates and HDR latencies. Only keys under a per-run prefix are
 * written, each with a TTL, and exactly those are deleted at the end, on cancel and on error.
 *
 * The operations run one after the other, each measured on its own: `iterations` operations
 * each, or an equal share of `duration` each. What one operation is (a pipeline counts as one)
 * is described in ./operations.ts, how each mode issues them in ./modes.ts.
 */
import type { RedisProfile } from '../../core/config';
import { RunHandle, type RunnerFactory } from '../types';
import { runRedisBenchmark } from './benchmark';

export const runRedisProfile: RunnerFactory<RedisProfile> = (profile, ctx) =>
  new RunHandle((handle, signal) => runRedisBenchmark(profile, ctx, handle, signal), ctx.signal);

export { BENCH_KEY_TTL_MS, scanPattern } from './keys';
export { connectRedis, PASSWORD_ENV, resolveRedisTarget, type RedisTarget } from './target';
