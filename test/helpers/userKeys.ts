/**
 * "Someone's data" for safety tests: seeds a Redis with user keys of every common type (strings,
 * hashes, lists, sorted sets, sets), binary values, some with TTLs, some with names that look like
 * PerfLab's or BullMQ's, then proves after a benchmark that every one is byte-for-byte unchanged
 * (DUMP) with its expiry neither removed nor extended, and that nothing else was left behind.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Names a careless prefix match or cleanup would hit; always part of the seeded keys. */
export const LOOKALIKE_KEYS = [
  'perflab:bench:other',
  'perflab:bench:other:1',
  'perflab:bench:',
  'perflab:bench:*',
  'perflab:bench:[a-z]:x',
  'perflab:user',
  'perflab:',
  'perflab',
  'bull:messages:1',
  'bull:messages:meta',
  'bull:messages:wait',
  'bull:perflab:id',
] as const;

type KeyType = 'string' | 'hash' | 'list' | 'zset' | 'set';
const TYPES: readonly KeyType[] = ['string', 'hash', 'list', 'zset', 'set'];

export interface SeedUserKeysOptions {
  /** Total keys, including {@link LOOKALIKE_KEYS}. Default 10,000. */
  count?: number;
  /** Prefix of the generated (not look-alike) names. Default `app:`. */
  prefix?: string;
  /** Every n-th key gets a TTL of 1–2 hours. Default 3. */
  ttlEvery?: number;
}

/** What a key looked like when seeded. */
interface KeyState {
  dump: Buffer;
  /** Absolute expiry in ms (PEXPIRETIME), or -1 without a TTL; with `exact` false, a PTTL reading. */
  expiry: number;
  /** When the PTTL was read (Date.now()), for servers without PEXPIRETIME. */
  readAt: number;
}

export interface UserKeys {
  names: string[];
  /** PEXPIRETIME was available, so expiries compare exactly. */
  exact: boolean;
  states: Map<string, KeyState>;
}

/** Tolerance when expiries can only be compared through PTTL (Redis before 7.0). */
const PTTL_SLACK_MS = 2_000;

/** Seeds the keys (each with its TTL in the same MULTI) and records their state. */
export async function seedUserKeys(redis: Redis, opts: SeedUserKeysOptions = {}): Promise<UserKeys> {
  const count = opts.count ?? 10_000;
  const prefix = opts.prefix ?? 'app:';
  const ttlEvery = opts.ttlEvery ?? 3;
  const names = [...LOOKALIKE_KEYS, ...Array.from({ length: Math.max(0, count - LOOKALIKE_KEYS.length) }, (_, i) => `${prefix}${TYPES[i % TYPES.length]}:${i}`)];

  for (let start = 0; start < names.length; start += 500) {
    const m = redis.multi();
    names.slice(start, start + 500).forEach((name, j) => {
      const i = start + j;
      const type = TYPES[i % TYPES.length]!;
      // Every 1,000th value is large, so more than one internal encoding is covered.
      const size = i % 1000 === 7 ? 10_000 : 8 + (i % 40);
      const bytes = () => randomBytes(size);
      switch (type) {
        case 'string': m.set(name, bytes()); break;
        case 'hash': m.hset(name, { a: bytes(), b: String(i), [`f${i}`]: bytes() }); break;
        case 'list': m.rpush(name, bytes(), bytes(), String(i)); break;
        case 'zset': m.zadd(name, i, bytes(), -i, String(i), 0.5, 'm'); break;
        case 'set': m.sadd(name, bytes(), String(i), 'x'); break;
      }
      if (i % ttlEvery === 1) m.pexpire(name, 3_600_000 + ((i * 7919) % 3_600_000));
    });
    const results = await m.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw new Error(`seeding user keys failed: ${failed?.[0]?.message ?? 'discarded'}`);
  }

  const exact = await supportsPexpiretime(redis);
  return { names, exact, states: await readStates(redis, names, exact) };
}

/**
 * Every difference from the seeded state: a key missing, its DUMP changed, its TTL removed, added
 * or extended. Empty when the user's data is intact.
 */
export async function verifyUserKeys(redis: Redis, keys: UserKeys): Promise<string[]> {
  const now = await readStates(redis, keys.names, keys.exact);
  const problems: string[] = [];
  for (const name of keys.names) {
    const before = keys.states.get(name)!;
    const after = now.get(name);
    if (!after) problems.push(`${name}: missing`);
    else if (!after.dump.equals(before.dump)) problems.push(`${name}: value changed`);
    else if ((before.expiry === -1) !== (after.expiry === -1)) {
      problems.push(`${name}: TTL ${before.expiry === -1 ? 'added' : 'removed'}`);
    } else if (before.expiry !== -1) {
      if (keys.exact && after.expiry !== before.expiry) problems.push(`${name}: expiry moved from ${before.expiry} to ${after.expiry}`);
      if (!keys.exact) {
        // A PTTL only counts down: now it must be what it was minus the time since, give or take.
        const expected = before.expiry - (after.readAt - before.readAt);
        if (Math.abs(after.expiry - expected) > PTTL_SLACK_MS) problems.push(`${name}: TTL ${after.expiry} ms, expected about ${expected} ms`);
      }
    }
    if (problems.length >= 20) break;
  }
  return problems;
}

/**
 * The same keys as they are now, to verify against later: a server restarted from its
 * append-only file re-encodes some values, so DUMPs from before a restart no longer compare.
 */
export async function snapshotUserKeys(redis: Redis, keys: UserKeys): Promise<UserKeys> {
  return { ...keys, states: await readStates(redis, keys.names, keys.exact) };
}

/** Keys in the database that are not among the user's (what a benchmark left behind). */
export async function foreignKeys(redis: Redis, keys: UserKeys): Promise<string[]> {
  const own = new Set(keys.names);
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const k of found) if (!own.has(k)) out.push(k);
  } while (cursor !== '0');
  return out;
}

async function supportsPexpiretime(redis: Redis): Promise<boolean> {
  try {
    await redis.pexpiretime('perflab:probe:none');
    return true;
  } catch {
    return false;
  }
}

async function readStates(redis: Redis, names: string[], exact: boolean): Promise<Map<string, KeyState>> {
  const out = new Map<string, KeyState>();
  for (let start = 0; start < names.length; start += 1000) {
    const batch = names.slice(start, start + 1000);
    const p = redis.pipeline();
    for (const name of batch) {
      p.dumpBuffer(name);
      if (exact) p.pexpiretime(name);
      else p.pttl(name);
    }
    const readAt = Date.now();
    const results = await p.exec();
    if (!results) throw new Error('reading user keys: pipeline discarded');
    batch.forEach((name, j) => {
      const [dumpErr, dump] = results[2 * j]!;
      const [ttlErr, ttl] = results[2 * j + 1]!;
      if (dumpErr || ttlErr) throw dumpErr ?? ttlErr;
      if (dump === null) return; // missing
      out.set(name, { dump: dump as Buffer, expiry: ttl as number, readAt });
    });
  }
  return out;
}
