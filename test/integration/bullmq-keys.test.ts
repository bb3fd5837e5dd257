// BullMQ benchmark keys outside a clean end: the key sweeper gives every key under the run's
// prefix a TTL while the run lasts (BullMQ's own scripts set none), leaves BullMQ's own short TTLs
// and everything outside the prefix alone, and removes the run's keys when PerfLab is killed
// mid-run. When Redis itself went away (the report: a Redis kill, then 36,705 keys with no TTL
// in db 3 and a hint that deleted nothing there), the printed command, run as printed, removes
// exactly the run's keys in that database.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BullmqProfile, PerfLabConfig } from '../../src/core/config';
import { runBullmqProfile } from '../../src/runners/queue';
import { cleanupHint } from '../../src/runners/redis/cleanup';
import { startLocalRedis } from '../../src/runners/redis/localServer';
import { PrefixSweep } from '../../src/runners/redis/sweeper';
import { parseRedisUrl } from '../../src/runners/redis/target';
import type { RunLog } from '../../src/runners/types';
import { cliFolder } from '../helpers/cli';
import { isRunning, useLocalRedis, waitUntil } from '../helpers/redis';
import { foreignKeys, seedUserKeys, snapshotUserKeys, verifyUserKeys, type UserKeys } from '../helpers/userKeys';

const redisUrl = useLocalRedis();

function profile(overrides: Partial<BullmqProfile> = {}): BullmqProfile {
  return {
    name: 'queue-ops', type: 'bullmq', queue: 'messages', mode: 'e2e', jobs: 200_000, arrivalRate: 1_000, bulkSize: 100, workerConcurrency: [4],
    failRate: 0, attempts: 1, payloadSize: 64, processTimeMs: 0, thresholds: [], source: { line: 1, column: 1 }, ...overrides,
  };
}

/** Every key SCAN finds for `pattern`. */
async function scanAll(client: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

/** The run prefix (`perflab-bench-…:`) of the one run writing to this database. */
async function runPrefixIn(client: Redis): Promise<string> {
  let prefix: string | undefined;
  await waitUntil(async () => {
    prefix = /^(perflab-bench-[a-z0-9]+:)/.exec((await scanAll(client, 'perflab-bench-*'))[0] ?? '')?.[1];
    return prefix !== undefined;
  }, 'the run to create its queue');
  return prefix!;
}

/** Keys BullMQ creates once and keeps for the queue's life: job hashes, the id counter, the meta hash, the events stream. */
const LASTING = /:(\d+|id|meta|events)$/;

describe('BullMQ benchmark keys after a crash', () => {
  let db0: Redis;
  let db3: Redis;
  let user0: UserKeys;
  let user3: UserKeys;

  beforeAll(async () => {
    db0 = new Redis(redisUrl());
    db3 = new Redis(`${redisUrl()}/3`);
    user0 = await seedUserKeys(db0, { count: 2_000 });
    user3 = await seedUserKeys(db3, { count: 1_000, prefix: 'db3:' });
  });
  afterAll(async () => {
    expect(await verifyUserKeys(db0, user0)).toEqual([]);
    expect(await verifyUserKeys(db3, user3)).toEqual([]);
    db0.disconnect();
    db3.disconnect();
  });

  it('the sweep gives keys under the prefix a TTL, keeps BullMQ\'s own short TTLs, and touches nothing else', async () => {
    const prefix = 'perflab-bench-sweeptest:';
    await db3.set(`${prefix}messages:1`, 'job');
    await db3.hset(`${prefix}messages:meta`, 'v', '1');
    await db3.set(`${prefix}messages:1:lock`, 'token', 'PX', 30_000);
    await db3.set('perflab-bench-sweeptestx:messages:1', 'another run');
    const sweep = new PrefixSweep({ prefix, ttlMs: 600_000, ownTtlMaxMs: 60_000 });
    do await sweep.tick(db3); while (!sweep.passEnded);
    expect(await db3.pttl(`${prefix}messages:1`)).toBeGreaterThan(590_000);
    expect(await db3.pttl(`${prefix}messages:meta`)).toBeGreaterThan(590_000);
    expect(await db3.pttl(`${prefix}messages:1:lock`)).toBeLessThanOrEqual(30_000);
    expect(await db3.pttl('perflab-bench-sweeptestx:messages:1')).toBe(-1);
    await db3.del(`${prefix}messages:1`, `${prefix}messages:meta`, `${prefix}messages:1:lock`, 'perflab-bench-sweeptestx:messages:1');
    expect(await foreignKeys(db3, user3)).toEqual([]);
  });

  it('PerfLab killed mid-run (SIGKILL): its keys had a TTL, and its key sweeper removes them', async () => {
    const folder = cliFolder();
    try {
      folder.write('perflab.config.json', {
        stack: { redis: { url: `${redisUrl()}/3` } },
        profiles: { queue: { type: 'bullmq', queue: 'messages', mode: 'e2e', jobs: 200_000, arrivalRate: 1_000, workerConcurrency: [4] } },
      });
      const cli = spawn(process.execPath, [path.resolve('dist/cli.js'), 'run', 'queue'], { cwd: folder.dir, stdio: 'ignore' });
      const prefix = await runPrefixIn(db3);
      // While it runs: every lasting key that existed a moment ago has been given a TTL since.
      let seen: string[] = [];
      await waitUntil(async () => (seen = (await scanAll(db3, `${prefix}*`)).filter((k) => LASTING.test(k))).length >= 20, 'the run to add jobs');
      await waitUntil(async () => (await Promise.all(seen.map((k) => db3.pttl(k)))).every((t) => t > 0), 'the sweeper to give the run\'s keys a TTL');

      const sweeper = Number(execFileSync('pgrep', ['-P', String(cli.pid)], { encoding: 'utf8' }).trim());
      expect(sweeper).toBeGreaterThan(0);
      cli.kill('SIGKILL');
      await waitUntil(() => !isRunning(sweeper), 'the key sweeper to finish and exit');
      expect(await scanAll(db3, `${prefix}*`)).toEqual([]);
      expect(await foreignKeys(db3, user3)).toEqual([]);
      expect(await foreignKeys(db0, user0)).toEqual([]);
    } finally {
      folder.remove();
    }
  });

  it('with an ACL user and a password: the command names the user, never the password, and works with REDISCLI_AUTH', async () => {
    const prefix = 'perflab-bench-acltest:';
    await db0.call('ACL', 'SETUSER', 'perflab-hint', 'on', '>s3cret-pw', '~*', '+@all');
    try {
      await db3.set(`${prefix}messages:1`, 'job');
      await db3.set(`${prefix}messages:2`, 'job');
      const url = new URL(redisUrl());
      const hint = cleanupHint(parseRedisUrl(`redis://perflab-hint@127.0.0.1:${url.port}/3`, 's3cret-pw'), prefix);
      expect(hint).not.toContain('s3cret-pw');
      const command = hint.replace(/ \(the server needs the password: .*\)$/, '');
      expect(command).toContain('--user perflab-hint');
      const r = spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, REDISCLI_AUTH: 's3cret-pw' } });
      expect(r.status, r.stderr).toBe(0);
      expect(await scanAll(db3, `${prefix}*`)).toEqual([]);
      expect(await foreignKeys(db3, user3)).toEqual([]);
    } finally {
      await db0.call('ACL', 'DELUSER', 'perflab-hint');
    }
  });

  it('Redis killed mid-run (db 3): the printed command, run as printed, removes exactly the run\'s keys', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'perflab-aof-'));
    let server = await startLocalRedis({ persistIn: dir });
    try {
      const admin0 = new Redis(server.url);
      const admin3 = new Redis(`${server.url}/3`);
      const mine0 = await seedUserKeys(admin0, { count: 1_000 });
      const mine3 = await seedUserKeys(admin3, { count: 1_000, prefix: 'db3:' });
      const config: PerfLabConfig = { stack: { redis: { url: `${server.url}/3` }, queues: [] }, targets: {}, allowHosts: [], profiles: {} };
      const handle = runBullmqProfile(profile(), { config, configDir: process.cwd(), env: {}, trusted: true });
      const logs: RunLog[] = [];
      handle.on('log', (l) => logs.push(l));
      const prefix = await runPrefixIn(admin3);
      await waitUntil(async () => (await admin3.pttl(`${prefix}messages-c4:1`)) > 0, 'the first job to get its TTL');
      admin0.disconnect();
      admin3.disconnect();
      process.kill(server.pid, 'SIGKILL');
      const outcome = await handle.result;
      expect(outcome.status).toBe('failed');
      const hint = /to remove them now: (.+)$/.exec(logs.find((l) => l.level === 'error' && /may remain in db 3/.test(l.message))?.message ?? '')?.[1];
      const cli = `redis-cli -h 127.0.0.1 -p ${server.port} -n 3`;
      expect(hint).toBe(`${cli} --scan --pattern '${prefix}*' | xargs -r ${cli} unlink`);

      // Back from its append-only file, as a restarted server would be.
      await server.stop();
      server = await startLocalRedis({ port: server.port, persistIn: dir });
      const back0 = new Redis(server.url);
      const back3 = new Redis(`${server.url}/3`);
      try {
        // Every user key came back; their state from now on is what the command must leave as it is.
        const before0 = await snapshotUserKeys(back0, mine0);
        const before3 = await snapshotUserKeys(back3, mine3);
        expect([before0.states.size, before3.states.size]).toEqual([1_000, 1_000]);
        const left = await scanAll(back3, `${prefix}*`);
        expect(left.length).toBeGreaterThan(10);
        expect(await back3.pttl(`${prefix}messages-c4:1`)).toBeGreaterThan(0);
        const r = spawnSync('sh', ['-c', hint!], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        expect(await scanAll(back3, `${prefix}*`)).toEqual([]);
        // Nothing else went: the user's keys in both databases, look-alikes included, are as they were.
        expect(await verifyUserKeys(back0, before0)).toEqual([]);
        expect(await verifyUserKeys(back3, before3)).toEqual([]);
        expect(await foreignKeys(back3, mine3)).toEqual([]);
        expect(await back0.dbsize()).toBe(1_000);
      } finally {
        back0.disconnect();
        back3.disconnect();
      }
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
