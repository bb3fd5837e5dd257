// A database the server does not have (`redis://…/99999`, or `/16` on a server with the default
// 16) must fail the run on the SELECT, before anything is written, with a message that names the
// database, how many the server has and the fix; ioredis alone reports the failed SELECT as an
// event and goes on in db 0, so the run used to write there and report PASS. `/3` works and
// writes to db 3 only. Both runners, and the CLI's exit code.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BullmqProfile, PerfLabConfig, RedisProfile } from '../../src/core/config';
import { runBullmqProfile } from '../../src/runners/queue';
import * as connection from '../../src/runners/queue/connection';
import { runRedisProfile } from '../../src/runners/redis';
import * as sweeperProcess from '../../src/runners/redis/sweeperProcess';
import * as target from '../../src/runners/redis/target';
import { RunnerError, type RunHandle, type RunnerOutcome } from '../../src/runners/types';
import { cliFolder, STACK_LINE } from '../helpers/cli';
import { useLocalRedis, waitUntil } from '../helpers/redis';
import { foreignKeys, seedUserKeys, verifyUserKeys, type UserKeys } from '../helpers/userKeys';

const redisUrl = useLocalRedis();

function redisProfile(): RedisProfile {
  return {
    name: 'redis-ops', type: 'redis', operations: ['set', 'get', 'incr', 'lpush', 'zadd', 'pipeline'], mode: 'concurrent', concurrency: 10,
    pipeline: 16, iterations: undefined, durationMs: 3_000, valueSize: 100, thresholds: [], source: { line: 1, column: 1 },
  };
}

function bullmqProfile(): BullmqProfile {
  return {
    name: 'queue-ops', type: 'bullmq', queue: 'messages', mode: 'e2e', jobs: 3_000, arrivalRate: 1_000, bulkSize: 100, workerConcurrency: [4],
    failRate: 0, attempts: 1, payloadSize: 64, processTimeMs: 0, thresholds: [], source: { line: 1, column: 1 },
  };
}

const RUNNERS = {
  redis: (url: string) => runRedisProfile(redisProfile(), context(url)),
  bullmq: (url: string) => runBullmqProfile(bullmqProfile(), context(url)),
} as const;

function context(url: string) {
  const config: PerfLabConfig = { stack: { redis: { url }, queues: [] }, targets: {}, allowHosts: [], profiles: {} };
  return { config, configDir: process.cwd(), env: {}, trusted: true };
}

/** `{ db0: 2000, db3: 17 }` from INFO keyspace. */
async function keyspace(admin: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of ((await admin.info('keyspace')) as string).matchAll(/^(db\d+):keys=(\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

describe('the database of stack.redis.url', () => {
  let db0: Redis;
  let db3: Redis;
  let user0: UserKeys;
  let user3: UserKeys;

  beforeAll(async () => {
    db0 = new Redis(redisUrl());
    db3 = new Redis(`${redisUrl()}/3`);
    user0 = await seedUserKeys(db0, { count: 2_000 });
    user3 = await seedUserKeys(db3, { count: 500, prefix: 'db3:' });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    // Every user key where it was, and nothing else in any database once the run is over.
    expect(await verifyUserKeys(db0, user0)).toEqual([]);
    expect(await verifyUserKeys(db3, user3)).toEqual([]);
    expect(await foreignKeys(db0, user0)).toEqual([]);
    expect(await foreignKeys(db3, user3)).toEqual([]);
    expect(await keyspace(db0)).toEqual({ db0: 2_000, db3: 500 });
  });
  afterAll(() => {
    db0.disconnect();
    db3.disconnect();
  });

  for (const runner of ['redis', 'bullmq'] as const) {
    for (const db of [99_999, 16]) {
      it(`${runner}: /${db} fails on the SELECT, naming the database, the 16 the server has and the fix; nothing written`, async () => {
        const commandsBefore = await db0.info('commandstats');
        const err = await RUNNERS[runner](`${redisUrl()}/${db}`).result.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RunnerError);
        expect((err as RunnerError).code).toBe('redis');
        const message = (err as RunnerError).message;
        expect(message).toContain(`Redis at 127.0.0.1:${redisUrl.server().port} has no database ${db}`);
        expect(message).toContain('ERR DB index is out of range');
        expect(message).toContain('it has 16 (0 to 15');
        expect(message).toContain(`use one of 0 to 15 in stack.redis.url in perflab.config.json (${redisUrl()}/${db}), e.g. ${redisUrl()}/15`);
        // Not a single write reached the server.
        const writes = /cmdstat_(set|hset|hmset|lpush|rpush|zadd|incr|evalsha|eval|multi|fcall|xadd):calls=(\d+)/g;
        expect([...(await db0.info('commandstats')).matchAll(writes)].map((m) => m[0])).toEqual([...commandsBefore.matchAll(writes)].map((m) => m[0]));
      });
    }

    it(`${runner}: /3 works, and writes to db 3 only`, async () => {
      const handle: RunHandle = RUNNERS[runner](`${redisUrl()}/3`);
      const result = handle.result;
      // Mid-run: the run's keys are in db 3, db 0 holds exactly the user's keys.
      await waitUntil(async () => ((await keyspace(db0)).db3 ?? 0) > 500, 'the run to write to db 3');
      const during = await keyspace(db0);
      const outcome: RunnerOutcome = await result;
      expect(outcome.status).toBe('completed');
      expect(outcome.target).toBe(`${redisUrl()}/3`);
      expect(Object.keys(during).sort()).toEqual(['db0', 'db3']);
      expect(during.db0).toBe(2_000);
    });
  }

  it('bullmq: a queue or worker whose own SELECT fails stops the run, and nothing of it stays in db 0', async () => {
    // As if the server had lost databases between the checks of the admin link and of the key
    // sweeper (left out here: it runs in its own process) and the queues' connects: the admin
    // link connects to db 0, where the run's cleanup finds nothing of it.
    const connectRedis = target.connectRedis;
    vi.spyOn(connection, 'connectAdmin').mockImplementation((t, name, signal) => connectRedis({ ...t, db: 0 }, { name, reconnects: 10 }, signal));
    vi.spyOn(sweeperProcess, 'startSweeperProcess').mockResolvedValue({ pid: -1, stop: () => Promise.resolve() });
    const outcome = await RUNNERS.bullmq(`${redisUrl()}/99999`).result;
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/could not select database 99999 on Redis at 127\.0\.0\.1:\d+ \(ERR DB index is out of range\) and would work in db 0, so the run stops/);
    expect(outcome.operations.every((o) => o.count === 0)).toBe(true);
  });

  it('the CLI: exit 3, one line naming the database and the fix', () => {
    const folder = cliFolder();
    try {
      const url = `${redisUrl()}/99999`;
      folder.write('perflab.config.json', { stack: { redis: { url } }, profiles: { ops: { type: 'redis', operations: ['set'], iterations: 100 } } });
      const r = folder.run('run', 'ops');
      expect(r.code).toBe(3);
      expect(r.out + r.err).toContain(`has no database 99999 (SELECT 99999: ERR DB index is out of range): it has 16 (0 to 15, its "databases" setting). Nothing was written`);
      expect(r.out + r.err).not.toMatch(STACK_LINE);
      expect(r.out).not.toMatch(/PASS/);
    } finally {
      folder.remove();
    }
  });
});
