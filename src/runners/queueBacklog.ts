/**
 * The waiting jobs of the config's stack queues (`stack.queues`), read between the steps of a
 * capacity search of an HTTP profile: a service that answers every request in time while its
 * queue's workers fall behind does not sustain the rate, so the step fails on the backlog it
 * left. Read-only (BullMQ's count script, ./queueCounter.ts) on a connection of PerfLab's own.
 */
import type { Redis } from 'ioredis';
import { type QueueCounter, queueCounter } from './queueCounter';
import { connectRedis, resolveRedisTarget } from './redis/target';
import type { RunnerContext } from './types';

/** Jobs ready to run and not yet taken: what a backlog is made of (delayed jobs wait by design). */
const BACKLOG_STATES = ['waiting', 'prioritized'] as const;
const READ_TIMEOUT_MS = 2_000;

export interface BacklogWatch {
  /** `messages, outbox`: the queues read. */
  readonly queues: string;
  /** Waiting jobs over all the queues; undefined when a reading failed. */
  waiting(): Promise<number | undefined>;
  close(): Promise<void>;
}

/** A watch of the stack's queues; undefined when the config names none (or no stack Redis). Throws when the Redis cannot be reached. */
export async function watchBacklog(ctx: Pick<RunnerContext, 'config' | 'env' | 'configName' | 'signal'>): Promise<BacklogWatch | undefined> {
  const queues = ctx.config.stack.queues;
  if (!ctx.config.stack.redis?.url || !queues.length) return undefined;
  const client: Redis = await connectRedis(resolveRedisTarget(ctx), { name: 'perflab-capacity-backlog', commandTimeoutMs: READ_TIMEOUT_MS }, ctx.signal);
  const counters: QueueCounter[] = queues.map((q) => queueCounter(client, q.name, q.prefix));
  return {
    queues: queues.map((q) => q.name).join(', '),
    async waiting() {
      try {
        const counts = await Promise.all(counters.map((c) => c.counts(BACKLOG_STATES, READ_TIMEOUT_MS)));
        return counts.reduce((sum, c) => sum + c.waiting + c.prioritized, 0);
      } catch {
        return undefined;
      }
    },
    async close() {
      await Promise.all(counters.map((c) => c.close()));
      client.disconnect();
    },
  };
}
