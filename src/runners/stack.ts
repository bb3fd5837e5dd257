/**
 * The state of the stack a config names, for the editor's Stack view: whether its Redis answers,
 * what it is (version, memory, eviction policy, persistence, keys), and the job counts of each
 * BullMQ queue the config lists, read with BullMQ's own `getJobCounts`. Reads only: INFO, CONFIG
 * GET save and BullMQ's read-only count script. Loaded by the editor from its own bundle
 * (dist/stack.js), so the extension does not carry BullMQ.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PerfLabConfig } from '../core/config';
import { readServerFacts, type ServerFacts } from './redis/serverInfo';
import { readUsedMemory } from './redis/memorySampler';
import { connectRedis, resolveRedisTarget } from './redis/target';
import { withTimeout } from './timeout';

/** The job states the view shows, in BullMQ's words. */
export const JOB_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children'] as const;
export type JobState = (typeof JOB_STATES)[number];

const READ_TIMEOUT_MS = 3_000;

export type RedisStatus =
  | { ok: true; label: string; facts: ServerFacts; usedMemory: number }
  | { ok: false; label: string; error: string };

export interface QueueStatus {
  name: string;
  prefix: string;
  counts?: Record<JobState, number>;
  error?: string;
}

export interface StackStatus {
  /** Undefined when the config names no Redis. */
  redis?: RedisStatus;
  queues: QueueStatus[];
}

/** Reads the stack once; never throws: what could not be read is in the status, with what to check. */
export async function readStackStatus(config: PerfLabConfig, env: Record<string, string | undefined>, configName: string): Promise<StackStatus> {
  const queues = config.stack.queues.map((q): QueueStatus => ({ name: q.name, prefix: q.prefix }));
  if (!config.stack.redis?.url) return { queues };
  let target;
  try {
    target = resolveRedisTarget({ config, env, configName });
  } catch (err) {
    return { redis: { ok: false, label: config.stack.redis.url, error: (err as Error).message }, queues };
  }
  let client: Redis;
  try {
    client = await connectRedis(target, { name: 'perflab-stack-view', timeoutMs: READ_TIMEOUT_MS });
  } catch (err) {
    const error = (err as Error).message;
    for (const q of queues) q.error = 'Redis is not reachable';
    return { redis: { ok: false, label: target.label, error }, queues };
  }
  try {
    const [facts, usedMemory] = await withTimeout(Promise.all([readServerFacts(client), readUsedMemory(client)]), READ_TIMEOUT_MS, 'Redis did not answer INFO');
    await Promise.all(queues.map((q) => readCounts(client, q)));
    return { redis: { ok: true, label: target.label, facts, usedMemory }, queues };
  } catch (err) {
    return { redis: { ok: false, label: target.label, error: (err as Error).message }, queues };
  } finally {
    client.disconnect();
  }
}

async function readCounts(client: Redis, q: QueueStatus): Promise<void> {
  // On the shared connection: BullMQ leaves a connection it was given open when the queue closes.
  const queue = new Queue(q.name, { connection: client as never, prefix: q.prefix });
  try {
    const counts = await withTimeout(queue.getJobCounts(...JOB_STATES), READ_TIMEOUT_MS, `no counts of queue ${q.name} within ${READ_TIMEOUT_MS / 1000} s`);
    q.counts = Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as Record<JobState, number>;
  } catch (err) {
    q.error = (err as Error).message;
  } finally {
    await queue.close().catch(() => undefined);
  }
}
