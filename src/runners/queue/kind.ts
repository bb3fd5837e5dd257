/** The bullmq kind: queue benchmarks on the stack's Redis (see ./index.ts). */
import { metric } from '../../core/kindDescription';
import type { Kind } from '../kind';
import { REDIS_MEMORY_METRIC } from '../redis/kind';
import { type BullmqProfile, bullmqConfig } from './config';

export const bullmqKind: Kind<'bullmq', BullmqProfile> = {
  type: 'bullmq',
  label: 'BullMQ benchmark',
  profileNoun: 'a bullmq profile',
  icon: 'list-ordered',
  words: { count: 'Jobs', countColumn: 'Jobs', rateUnit: 'jobs/s', item: 'Operation', items: 'Operations' },
  metrics: [
    metric('e2e.latency.<stat>', 'ms', 'Job latency from add to completion.'),
    metric('add.rate', 'ops/s', 'Jobs added per second.'),
    metric('drain.rate', 'ops/s', 'Jobs completed per second.'),
    metric('jobs.failed', 'count', 'Jobs that ended failed.'),
    metric('backlog.growth', 'count', "Jobs more waiting in the app's queue when adding ended than when it began (workers: app)."),
    REDIS_MEMORY_METRIC,
  ],
  usesRedis: true,
  config: bullmqConfig,
  outline: (p) => ({ summary: `bullmq · ${p.queue} · ${p.workers === 'app' ? "the app's workers" : p.mode}`, rows: [] }),
  ownLoad: "adds and processes its jobs in PerfLab's own process (its own queue and worker)",
  load: () => import('./index').then((m) => m.runBullmqProfile),
};
