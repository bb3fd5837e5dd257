// Redis safety: with 10,000 user keys in the server (every type, binary values, with and without
// TTLs, some named like PerfLab's own), every benchmark mode, a cancel mid-run and a connection
// killed mid-run leave each user key byte-for-byte as it was, its TTL neither removed nor extended,
// and no benchmark key behind. While a run is live, every key it created has a TTL.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PerfLabConfig, RedisMode, RedisOperation, RedisProfile } from '../../src/core/config';
import { runRedisProfile } from '../../src/runners/redis';
import { startLocalRedis } from '../../src/runners/redis/localServer';
import type { RunHandle, RunLog } from '../../src/runners/types';
import { useLocalRedis, waitUntil } from '../helpers/redis';
import { foreignKeys, seedUserKeys, verifyUserKeys, type UserKeys } from '../helpers/userKeys';

const redisUrl = useLocalRedis();

const ALL_OPERATIONS: RedisOperation[] = ['set', 'get', 'incr', 'lpush', 'zadd', 'pipeline', 'analytics-write', 'analytics-read'];
const MODES: RedisMode[] = ['sequential', 'concurrent', 'auto-pipeline', 'pipeline'];

function profile(overrides: Partial<RedisProfile> = {}): RedisProfile {
  return {
    name: 'redis-ops',
    type: 'redis',
    operations: ALL_OPERATIONS,
    mode: 'concurrent',
    concurrency: 50,
    pipeline: 16,
    iterations: 2_000,
    valueSize: 100,
    thresholds: [],
    source: { line: 1, column: 1 },
    ...overrides,
  };
}

function start(p: RedisProfile, url = redisUrl()): { handle: RunHandle; logs: RunLog[] } {
  const config: PerfLabConfig = { stack: { redis: { url }, queues: [] }, targets: {}, allowHosts: [], profiles: {} };
  const handle = runRedisProfile(p, { config, configDir: process.cwd(), env: {}, trusted: true });
  const logs: RunLog[] = [];
  handle.on('log', (l) => logs.push(l));
  return { handle, logs };
}

/** Resolves once the run has measured for a while (its first live sample). */
function firstSample(handle: RunHandle): Promise<void> {
  return new Promise((resolve) => handle.once('sample', () => resolve()));
}

/** This server's clients whose name starts with `perflab-`, as `[id, name]`. */
async function perflabClients(admin: Redis): Promise<[string, string][]> {
  const list = (await admin.client('LIST')) as string;
  return list
    .split('\n')
    .map((line) => [/\bid=(\d+)/.exec(line)?.[1], /\bname=(\S*)/.exec(line)?.[1]] as const)
    .filter((c): c is [string, string] => !!c[0] && !!c[1]?.startsWith('perflab-'))
    .map(([id, name]) => [id, name]);
}

describe('Redis safety with 10,000 user keys', () => {
  let admin: Redis;
  let user: UserKeys;

  beforeAll(async () => {
    admin = new Redis(redisUrl());
    user = await seedUserKeys(admin, { count: 10_000 });
    expect(await admin.dbsize()).toBe(10_000);
  });
  afterEach(async () => {
    expect(await verifyUserKeys(admin, user)).toEqual([]);
    expect(await foreignKeys(admin, user)).toEqual([]);
  });
  afterAll(async () => {
    // Never FLUSH, never KEYS: the server's own command statistics say so.
    const stats = await admin.info('commandstats');
    expect(stats).not.toMatch(/cmdstat_(flushall|flushdb|keys):/);
    expect(stats).toMatch(/cmdstat_scan:/);
    admin.disconnect();
  });

  for (const mode of MODES) {
    it(`${mode}: user keys intact, no benchmark key left`, async () => {
      const { handle, logs } = start(profile({ mode }));
      const outcome = await handle.result;
      expect(outcome.status).toBe('completed');
      expect(outcome.overall?.errors).toBe(0);
      expect(logs.find((l) => l.message.startsWith('removed the benchmark'))).toBeDefined();
    });
  }

  it('while a run is live, every key it created has a TTL and sits under its prefix', async () => {
    // Keys stay until the cleanup, so once the last operation runs, every kind of key exists.
    const operations: RedisOperation[] = ['incr', 'lpush', 'zadd', 'analytics-write', 'get', 'set', 'pipeline'];
    const { handle, logs } = start(profile({ operations, iterations: undefined, durationMs: operations.length * 1_000 }));
    await new Promise<void>((resolve) => handle.on('progress', (p) => p.phase === 'pipeline' && resolve()));
    const prefix = /benchmark keys: (\S+)\*/.exec(logs.map((l) => l.message).join('\n'))?.[1];
    expect(prefix).toMatch(/^perflab:bench:[0-9a-z]+:$/);

    const created = await foreignKeys(admin, user);
    const ttls = await Promise.all(created.map((k) => admin.pttl(k)));
    handle.cancel();
    const kinds = new Set(created.map((k) => k.slice(prefix!.length).split(':')[0]));
    expect([...kinds].sort()).toEqual(['analytics', 'get', 'incr', 'list', 'pipe', 'set', 'zset']);
    created.forEach((k, i) => {
      expect(k.startsWith(prefix!), k).toBe(true);
      // -2: deleted since the scan, by the run's own cleanup.
      if (ttls[i] !== -2) expect(ttls[i], `${k} has no TTL`).toBeGreaterThan(0);
    });
    expect(ttls.filter((t) => t > 0).length).toBeGreaterThan(created.length / 2);
    expect((await handle.result).status).toBe('cancelled');
  });

  it('cancel() mid-run: the run ends cancelled with what it measured, and cleans up', async () => {
    const { handle, logs } = start(profile({ mode: 'auto-pipeline', iterations: undefined, durationMs: 60_000 }));
    await firstSample(handle);
    handle.cancel();
    const outcome = await handle.result;
    expect(outcome.status).toBe('cancelled');
    expect(outcome.operations[0]!.count).toBeGreaterThan(0);
    expect(logs.find((l) => l.message.startsWith('removed the benchmark'))).toBeDefined();
  });

  it('cancel() right as measuring starts also cleans up', async () => {
    const { handle } = start(profile({ iterations: undefined, durationMs: 60_000 }));
    await new Promise<void>((resolve) => handle.once('progress', () => resolve()));
    handle.cancel();
    expect((await handle.result).status).toBe('cancelled');
  });

  // `inFlight`: operations that can fail with the connection; the run must not keep sending after it.
  for (const [what, mode, victims, inFlight] of [
    ['the benchmark connection', 'concurrent', ['perflab-bench'], 50],
    ['every PerfLab connection (cleanup must reconnect)', 'pipeline', ['perflab-bench', 'perflab-control'], 16],
    ['every PerfLab connection', 'sequential', ['perflab-bench', 'perflab-control'], 1],
  ] as const) {
    it(`${what} killed mid-run (${mode}): the run fails saying so and still cleans up`, async () => {
      const { handle, logs } = start(profile({ mode, iterations: undefined, durationMs: 60_000 }));
      await firstSample(handle);
      const clients = (await perflabClients(admin)).filter(([, name]) => (victims as readonly string[]).includes(name));
      expect(clients.map(([, name]) => name).sort()).toEqual([...victims].sort());
      for (const [id] of clients) await admin.client('KILL', 'ID', id);

      const outcome = await handle.result;
      expect(outcome.status).toBe('failed');
      expect(outcome.error).toMatch(/lost the connection to Redis at 127\.0\.0\.1:\d+ mid-run/);
      expect(outcome.operations[0]!.count).toBeGreaterThan(0);
      expect(outcome.overall!.errors).toBeGreaterThan(0);
      expect(outcome.overall!.errors).toBeLessThanOrEqual(inFlight);
      expect(logs.find((l) => l.message.startsWith('removed the benchmark'))).toBeDefined();
      await waitUntil(async () => (await perflabClients(admin)).length === 0, 'PerfLab connections to close');
    });
  }
});

describe('Redis safety when the server goes away for good', () => {
  it('says it could not clean up, names the prefix and how to remove the keys', async () => {
    const server = await startLocalRedis();
    try {
      const { handle, logs } = start(profile({ iterations: undefined, durationMs: 60_000 }), server.url);
      await firstSample(handle);
      await server.stop();
      const outcome = await handle.result;
      expect(outcome.status).toBe('failed');
      const error = logs.find((l) => l.level === 'error');
      expect(error?.message).toMatch(/could not remove the benchmark keys under perflab:bench:[0-9a-z]+: from 127\.0\.0\.1:\d+/);
      expect(error?.message).toMatch(/expire by themselves within 10 minutes/);
      expect(error?.message).toMatch(/redis-cli -h 127\.0\.0\.1 -p \d+ --scan --pattern 'perflab:bench:[0-9a-z]+:\*'/);
    } finally {
      await server.stop();
    }
  });
});
