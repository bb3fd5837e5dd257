/**
 * The Redis server's memory during a Redis or BullMQ benchmark: `used_memory` of `INFO memory`,
 * read at the start, every second on the control connection, and at the end (before the
 * benchmark's keys are removed), so a benchmark's footprint is visible as
 * `redis.memory.used.max`. The same readings (with `connected_clients`) make the memory and
 * clients series of every run's stack evidence (../stackEvidence.ts). A reading that fails (a busy or lost server) is skipped: the run's own
 * error handling says what happened to Redis.
 */
import type { Redis } from 'ioredis';
import type { RedisMemorySummary } from '../../core/runRecord';
import { withTimeout } from '../timeout';
import { parseInfo } from './serverInfo';

/**
 * Time between two readings. INFO runs on Redis's one thread like the benchmark's commands, so it
 * is read no more often than needed: a benchmark's footprint grows until its keys are removed,
 * and the last reading is taken right before that, so once a second misses no peak that matters.
 */
export const REDIS_MEMORY_INTERVAL_MS = 1_000;
/** A reading that takes longer is dropped, so a stalled server never holds up the end of a run. */
const READ_TIMEOUT_MS = 2_000;

/** Readings in progress. */
export interface RedisMemorySampler {
  /** Takes a last reading and stops; undefined when no reading succeeded. Idempotent. */
  stop(): Promise<RedisMemorySummary | undefined>;
}

/** `used_memory` in bytes, from a client. */
export async function readUsedMemory(client: Redis): Promise<number> {
  const used = Number(parseInfo(await client.info('memory')).used_memory);
  if (!Number.isFinite(used)) throw new Error('INFO memory has no used_memory');
  return used;
}

/** `used_memory` (bytes) and `connected_clients`, from a client: INFO memory and INFO clients (one section each, as every Redis version accepts). */
export async function readServerGauges(client: Redis): Promise<{ usedMemory: number; connectedClients: number }> {
  const [usedMemory, clients] = await Promise.all([readUsedMemory(client), client.info('clients')]);
  const connectedClients = Number(parseInfo(clients).connected_clients);
  if (!Number.isFinite(connectedClients)) throw new Error('INFO clients has no connected_clients');
  return { usedMemory, connectedClients };
}

/** Takes the first reading, then one every `intervalMs` until stopped. */
export async function startRedisMemorySampler(client: Redis, intervalMs = REDIS_MEMORY_INTERVAL_MS): Promise<RedisMemorySampler> {
  const readings: number[] = [];
  let reading: Promise<void> | undefined;
  const read = () =>
    (reading ??= withTimeout(readUsedMemory(client), READ_TIMEOUT_MS, 'INFO memory took too long')
      .then((bytes) => void readings.push(bytes), () => undefined)
      .finally(() => (reading = undefined)));
  await read();
  const timer = setInterval(() => void read(), intervalMs);
  timer.unref();
  let stopped: Promise<RedisMemorySummary | undefined> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(timer);
        await reading;
        await read();
        return readings.length
          ? { startBytes: readings[0]!, maxBytes: readings.reduce((a, b) => Math.max(a, b)), endBytes: readings[readings.length - 1]!, samples: readings.length }
          : undefined;
      })()),
  };
}

/** The catalog metric of a summary. */
export function redisMemoryMetrics(summary: RedisMemorySummary | undefined): Record<string, number> {
  return summary ? { 'redis.memory.used.max': summary.maxBytes } : {};
}
