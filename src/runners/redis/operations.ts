/**
 * The operations a Redis profile can benchmark, each as the commands one operation sends.
 * Every key comes from {@link BenchKeys}; every write either carries its own TTL (SET ... PX) or
 * goes to a key that was created with one before the measured part started ({@link seedKeys}).
 *
 * Counting: one operation is one call of {@link BenchOperation.run}. For `set`, `get`, `incr`,
 * `lpush` and `zadd` that is one command. `pipeline` is one explicit pipeline of `pipeline`
 * commands (SET ... PX and GET, alternating) and counts as ONE operation: its rate is pipelines
 * per second and its latency the round trip of the whole pipeline. `analytics-write` (INCR +
 * ZADD + LPUSH + LTRIM + SADD) and `analytics-read` (3 × GET + ZRANGEBYSCORE + LRANGE + SCARD)
 * are one pipeline each, as the demo stack sends them, and count as one operation each.
 */
import { randomBytes } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisOperation } from '../../core/config';
import { type BenchKeys, EVENT_TYPES, LIST_KEEP, MEMBERS, STRING_KEYS, COLLECTION_KEYS } from './keys';

/** What an operation needs besides its keys. */
export interface OperationContext {
  keys: BenchKeys;
  /** The `valueSize`-byte value written by SET and LPUSH. */
  value: string;
  ttlMs: number;
  /** Commands per pipeline for the `pipeline` operation. */
  pipelineSize: number;
}

export interface BenchOperation {
  name: RedisOperation;
  /** Commands one operation sends. */
  commands: number;
  /**
   * Whether pipeline mode batches several of these into one explicit pipeline; `pipeline` is
   * already one and is sent as it is.
   */
  batchable: boolean;
  /** Sends operation number `i` and settles when all its replies are in; rejects when a command failed. */
  run(client: Redis, i: number): Promise<unknown>;
  /** Appends operation number `i` to an explicit pipeline (exactly `commands` commands). */
  queue(pipeline: ChainableCommander, i: number): void;
}

/**
 * A value of `size` bytes (letters and digits, so it reads well in redis-cli), decoded from a
 * buffer so that it is one flat string rather than a rope of `+=` pieces.
 */
export function makeValue(size: number): string {
  const alphabet = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789');
  const bytes = randomBytes(size);
  for (let i = 0; i < size; i++) bytes[i] = alphabet[bytes[i]! % alphabet.length]!;
  return bytes.toString('latin1');
}

const members = Array.from({ length: MEMBERS }, (_, i) => `m${i}`);
const phones = Array.from({ length: MEMBERS }, (_, i) => `+1555${String(i).padStart(7, '0')}`);

/** The first failed command of a pipeline's replies, or a failure when the pipeline was discarded. */
export function pipelineError(results: [Error | null, unknown][] | null, from = 0, to = results?.length ?? 0): Error | undefined {
  if (!results) return new Error('pipeline discarded');
  for (let j = from; j < to; j++) {
    const err = results[j]?.[0];
    if (err) return err;
  }
  return undefined;
}

async function execChecked(pipeline: ChainableCommander): Promise<void> {
  const err = pipelineError(await pipeline.exec());
  if (err) throw err;
}

export function createOperation(name: RedisOperation, ctx: OperationContext): BenchOperation {
  const { keys, value, ttlMs } = ctx;
  const single = (send: (c: Redis | ChainableCommander, i: number) => unknown): BenchOperation => ({
    name,
    commands: 1,
    batchable: true,
    run: (client, i) => send(client, i) as Promise<unknown>,
    queue: (p, i) => void send(p, i),
  });
  const grouped = (commands: number, batchable: boolean, add: (p: ChainableCommander, i: number) => void): BenchOperation => ({
    name,
    commands,
    batchable,
    run: (client, i) => {
      const p = client.pipeline();
      add(p, i);
      return execChecked(p);
    },
    queue: add,
  });

  switch (name) {
    case 'set':
      return single((c, i) => c.set(keys.set[i % STRING_KEYS]!, value, 'PX', ttlMs));
    case 'get':
      return single((c, i) => c.get(keys.get[i % STRING_KEYS]!));
    case 'incr':
      return single((c, i) => c.incr(keys.incr[i % STRING_KEYS]!));
    case 'lpush':
      // Lists are trimmed by the run's keeper, so the measured command is a plain LPUSH.
      return single((c, i) => c.lpush(keys.lists[i % COLLECTION_KEYS]!, value));
    case 'zadd':
      return single((c, i) => c.zadd(keys.zsets[i % COLLECTION_KEYS]!, i, members[Math.floor(i / COLLECTION_KEYS) % MEMBERS]!));
    case 'pipeline': {
      const n = ctx.pipelineSize;
      return grouped(n, false, (p, i) => {
        for (let j = 0; j < n; j++) {
          const key = keys.pipeline[(i + (j >> 1)) % STRING_KEYS]!;
          if (j % 2 === 0) p.set(key, value, 'PX', ttlMs);
          else p.get(key);
        }
      });
    }
    case 'analytics-write': {
      const a = keys.analytics;
      return grouped(5, true, (p, i) => {
        const t = i % EVENT_TYPES.length;
        const now = Date.now();
        const phone = phones[i % MEMBERS]!;
        p.incr(a.count[t]!)
          .zadd(a.series[t]!, now, members[i % MEMBERS]!)
          .lpush(a.recent, `{"type":"${EVENT_TYPES[t]}","phone":"${phone}","at":${now}}`)
          .ltrim(a.recent, 0, LIST_KEEP - 1)
          .sadd(a.phones, phone);
      });
    }
    case 'analytics-read': {
      const a = keys.analytics;
      return grouped(EVENT_TYPES.length + 3, true, (p, i) => {
        const now = Date.now();
        for (const key of a.count) p.get(key);
        p.zrangebyscore(a.series[i % EVENT_TYPES.length]!, now - 60_000, now, 'LIMIT', 0, 10)
          .lrange(a.recent, 0, 9)
          .scard(a.phones);
      });
    }
  }
}

/** How many entries the analytics keys start with, so reads have something to read. */
const ANALYTICS_SEED = 100;

/**
 * Creates, before anything is measured, every key that the measured commands would otherwise
 * create without a TTL, each with its TTL in the same MULTI/EXEC. Keys written by SET ... PX need
 * no seeding.
 */
export async function seedKeys(client: Redis, operations: readonly RedisOperation[], ctx: OperationContext): Promise<void> {
  const { keys, value, ttlMs } = ctx;
  const ops = new Set(operations);
  if (!operations.some((op) => op !== 'set' && op !== 'pipeline')) return;
  const m = client.multi();
  if (ops.has('get')) for (const k of keys.get) m.set(k, value, 'PX', ttlMs);
  if (ops.has('incr')) for (const k of keys.incr) m.set(k, '0', 'PX', ttlMs);
  if (ops.has('lpush')) for (const k of keys.lists) m.rpush(k, value).pexpire(k, ttlMs);
  if (ops.has('zadd')) for (const k of keys.zsets) m.zadd(k, 0, members[0]!).pexpire(k, ttlMs);
  if (ops.has('analytics-write') || ops.has('analytics-read')) {
    const a = keys.analytics;
    const now = Date.now();
    for (const k of a.count) m.set(k, '0', 'PX', ttlMs);
    const scored = Array.from({ length: ANALYTICS_SEED }, (_, j) => [now - j * 500, members[j]!]).flat();
    for (const k of a.series) m.zadd(k, ...scored).pexpire(k, ttlMs);
    const entries = Array.from({ length: ANALYTICS_SEED }, (_, j) => `{"type":"${EVENT_TYPES[j % EVENT_TYPES.length]}","phone":"${phones[j]}","at":${now - j * 500}}`);
    m.rpush(a.recent, ...entries).pexpire(a.recent, ttlMs);
    m.sadd(a.phones, ...phones.slice(0, ANALYTICS_SEED)).pexpire(a.phones, ttlMs);
  }
  const err = pipelineError(await m.exec());
  if (err) throw err;
}
