/** The redis kind: operation benchmarks of the stack's Redis (see ./index.ts). */
import { type KindMetric, metric } from '../../core/kindDescription';
import type { Kind } from '../kind';
import { type RedisProfile, redisConfig } from './config';

/** Measured by the kinds that run against Redis (src/runners/redis/memorySampler.ts). */
export const REDIS_MEMORY_METRIC: KindMetric = metric('redis.memory.used.max', 'bytes', "Peak memory of the Redis server during the run (INFO memory's used_memory).");

export const redisKind: Kind<'redis', RedisProfile> = {
  type: 'redis',
  label: 'Redis benchmark',
  profileNoun: 'a redis profile',
  icon: 'database',
  words: { count: 'Operations', countColumn: 'Count', rateUnit: 'ops/s', item: 'Operation', items: 'Operations' },
  metrics: [
    metric('op.<operation>.rate', 'ops/s', 'Commands per second of one operation.'),
    metric('op.<operation>.latency.<stat>', 'ms', 'Latency of one operation.'),
    REDIS_MEMORY_METRIC,
  ],
  usesRedis: true,
  config: redisConfig,
  outline: (p) => ({ summary: `redis · ${p.operations.join(', ')} · ${p.mode}`, rows: [] }),
  ownLoad: "sends its Redis commands from PerfLab's own process",
  load: () => import('./index').then((m) => m.runRedisProfile),
};
