/**
 * Removing the benchmark's queues, and nothing else. Every queue of a run lives under one BullMQ
 * key prefix of its own (`perflab-bench-<run id>`), so "the benchmark's keys" is exactly the set
 * SCAN finds for that prefix: they are UNLINKed in batches and the SCAN is repeated until none is
 * left. No FLUSH, no pattern that could reach another prefix.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const SCAN_COUNT = 1_000;
const MAX_PASSES = 5;

/** A BullMQ key prefix no other run uses; only [a-z0-9-], so it needs no escaping in a MATCH pattern. */
export function runPrefix(): string {
  return `perflab-bench-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** A BullMQ queue name made safe for key patterns: BullMQ forbids `:`, and glob characters are dropped. */
export function safeQueueName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '-') || 'queue';
}

/** UNLINKs every key matching `pattern` (built from a run prefix only); resolves with the number removed. */
export async function unlinkMatching(client: Redis, pattern: string): Promise<number> {
  // Only `<run prefix>:*` or `<run prefix>:<queue>:*`, with no glob character before the final `*`.
  if (!/^perflab-bench-[a-z0-9]+:(?:[A-Za-z0-9_.-]+:)?\*$/.test(pattern)) {
    throw new Error(`refusing to delete keys outside a benchmark prefix: ${pattern}`);
  }
  let removed = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let found = 0;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next;
      if (keys.length) {
        found += keys.length;
        removed += await client.unlink(...keys);
      }
    } while (cursor !== '0');
    // A full SCAN that found nothing proves the prefix is empty (keys created meanwhile were seen on an earlier pass).
    if (found === 0) return removed;
  }
  const left = await countMatching(client, pattern);
  if (left) throw new Error(`${left} keys matching ${pattern} kept reappearing`);
  return removed;
}

export async function countMatching(client: Redis, pattern: string): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

/** What to tell the user when the keys could not be removed, so they can do it themselves. */
export function manualCleanupHint(prefix: string, host: string, port: number): string {
  const cli = `redis-cli -h ${host} -p ${port}`;
  return `remove them with: ${cli} --scan --pattern '${prefix}:*' | xargs -r ${cli} unlink`;
}
