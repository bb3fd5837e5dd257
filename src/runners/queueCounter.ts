/**
 * A BullMQ queue's job counts, read with BullMQ's own count script (`getJobCounts`), for the
 * Stack view (./stack.ts) and a run's stack evidence (./stackEvidence.ts).
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { withTimeout } from './timeout';

/** Reads a queue's job counts, as often as asked, until closed. */
export interface QueueCounter {
  /** The count of each state; rejects after `timeoutMs` without an answer. */
  counts<S extends string>(states: readonly S[], timeoutMs: number): Promise<Record<S, number>>;
  close(): Promise<void>;
}

/**
 * A BullMQ queue object on `client` that only reads: BullMQ writes the queue's meta hash when a
 * Queue opens unless told not to (`skipMetasUpdate`), and reads the whole INFO for its version
 * check (`skipVersionCheck`: the counts need no version, and a server that refuses INFO still
 * gives them). It leaves a connection it was given open when the queue closes.
 */
export function queueCounter(client: Redis, name: string, prefix: string): QueueCounter {
  const queue = new Queue(name, { connection: client as never, prefix, skipMetasUpdate: true, skipVersionCheck: true });
  return {
    async counts<S extends string>(states: readonly S[], timeoutMs: number) {
      const counts = await withTimeout(queue.getJobCounts(...(states as unknown as Parameters<Queue['getJobCounts']>)), timeoutMs, `no counts of queue ${name} within ${timeoutMs / 1000} s`);
      return Object.fromEntries(states.map((s) => [s, (counts as Record<string, number | undefined>)[s] ?? 0])) as Record<S, number>;
    },
    close: () => queue.close().catch(() => undefined),
  };
}
