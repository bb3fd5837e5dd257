// BullMQ runner against a private redis-server holding someone's data: 10,000 user keys (every
// type, binary values, TTLs, look-alike names) and a real BullMQ queue `bull:messages` with jobs.
// Every mode must produce sane counts, and after every run (completed, cancelled, connection
// killed) the user keys and the foreign queue are byte-for-byte unchanged and no benchmark key
// is left. No test asserts how fast anything was.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BullmqProfile, PerfLabConfig } from '../../src/core/config';
import type { OperationResult } from '../../src/core/runRecord';
import { runBullmqProfile } from '../../src/runners/queue';
import { freePort, startLocalRedis } from '../../src/runners/redis/localServer';
import { RunnerError, type RunHandle, type RunLog, type RunnerOutcome } from '../../src/runners/types';
import { useLocalRedis } from '../helpers/redis';
import { foreignKeys, seedUserKeys, verifyUserKeys, type UserKeys } from '../helpers/userKeys';

const redisUrl = useLocalRedis();

function profile(overrides: Partial<BullmqProfile> = {}): BullmqProfile {
  return {
    name: 'queue-ops',
    type: 'bullmq',
    queue: 'messages',
    mode: 'e2e',
    jobs: 300,
    bulkSize: 100,
    workerConcurrency: [4],
    failRate: 0,
    attempts: 1,
    payloadSize: 256,
    processTimeMs: 0,
    thresholds: [],
    source: { line: 1, column: 1 },
    ...overrides,
  };
}

function start(p: BullmqProfile, opts: { url?: string; signal?: AbortSignal; allowHosts?: string[] } = {}): { handle: RunHandle; logs: RunLog[] } {
  const config: PerfLabConfig = { stack: { redis: { url: opts.url ?? redisUrl() }, queues: [] }, targets: {}, allowHosts: opts.allowHosts ?? [], profiles: {} };
  const handle = runBullmqProfile(p, { config, configDir: process.cwd(), env: {}, trusted: true, ...(opts.signal ? { signal: opts.signal } : {}) });
  const logs: RunLog[] = [];
  handle.on('log', (l) => logs.push(l));
  return { handle, logs };
}

async function run(p: BullmqProfile): Promise<{ outcome: RunnerOutcome; logs: RunLog[] }> {
  const { handle, logs } = start(p);
  const outcome = await handle.result;
  return { outcome, logs };
}

function op(outcome: RunnerOutcome, name: string): OperationResult {
  const found = outcome.operations.find((o) => o.name === name);
  if (!found) throw new Error(`no operation ${name} among ${outcome.operations.map((o) => o.name).join(', ')}`);
  return found;
}

function expectSaneLatency(r: OperationResult): void {
  expect(r.latency.p50).toBeGreaterThan(0);
  expect(r.latency.p50).toBeLessThanOrEqual(r.latency.p99);
  // Percentiles come from HDR buckets (three significant digits), the max is exact.
  expect(r.latency.p99).toBeLessThanOrEqual(r.latency.max * 1.001 + 0.001);
}

/** Resolves on the first progress event of a phase whose name starts with `phase`. */
function phaseStarted(handle: RunHandle, phase: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (p: { phase?: string }) => {
      if (p.phase?.startsWith(phase)) {
        handle.off('progress', listener);
        resolve();
      }
    };
    handle.on('progress', listener);
  });
}

/** Resolves once `n` jobs have finished according to the live samples. */
function finishedAtLeast(handle: RunHandle, n: number): Promise<void> {
  return new Promise((resolve) => {
    const listener = (s: { total: number }) => {
      if (s.total >= n) {
        handle.off('sample', listener);
        resolve();
      }
    };
    handle.on('sample', listener);
  });
}

/** Resolves on the first live sample of a phase whose name starts with `phase` that saw work. */
function liveSampleIn(handle: RunHandle, phase: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (s: { phase?: string; rps: number }) => {
      if (s.phase?.startsWith(phase) && s.rps > 0) {
        handle.off('sample', listener);
        resolve();
      }
    };
    handle.on('sample', listener);
  });
}

/** DUMP and expiry of every key of the foreign queue. */
async function snapshot(admin: Redis, pattern: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const dump = await admin.dumpBuffer(key);
      out.set(key, `${dump?.toString('base64')}|${await admin.pexpiretime(key)}`);
    }
  } while (cursor !== '0');
  return out;
}

describe('BullMQ runner on a Redis with user data', () => {
  let admin: Redis;
  let user: UserKeys;
  let foreign: Map<string, string>;

  beforeAll(async () => {
    admin = new Redis(redisUrl());
    const seeded = await seedUserKeys(admin, { count: 10_000 });
    // Three look-alike keys sit where a real `bull:messages` queue keeps its keys: a real queue replaces them.
    const taken = [...(await snapshot(admin, 'bull:messages:*')).keys()].sort();
    expect(taken).toEqual(['bull:messages:1', 'bull:messages:meta', 'bull:messages:wait']);
    await admin.del(...taken);
    user = { ...seeded, names: seeded.names.filter((n) => !taken.includes(n)) };

    const messages = new Queue('messages', { connection: { host: '127.0.0.1', port: redisUrlPort() }, prefix: 'bull' });
    await messages.add('text', { to: '+15550001', body: 'hello' });
    await messages.add('text', { to: '+15550002', body: 'later' }, { delay: 3_600_000 });
    await messages.add('text', { to: '+15550003', body: 'urgent' }, { priority: 1 });
    await messages.addBulk([{ name: 'text', data: { n: 1 } }, { name: 'text', data: { n: 2 } }]);
    await messages.close();
    foreign = await snapshot(admin, 'bull:messages:*');
    expect(foreign.size).toBeGreaterThan(4);
  });

  afterEach(async () => {
    expect(await verifyUserKeys(admin, user)).toEqual([]);
    expect(await snapshot(admin, 'bull:messages:*')).toEqual(foreign);
    // Nothing else in the database: no benchmark key, no queue left behind.
    expect((await foreignKeys(admin, user)).filter((k) => !foreign.has(k))).toEqual([]);
    let cursor = '0';
    const left: string[] = [];
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', 'perflab-bench-*', 'COUNT', 1000);
      cursor = next;
      left.push(...keys);
    } while (cursor !== '0');
    expect(left).toEqual([]);
  });

  afterAll(async () => {
    const stats = await admin.info('commandstats');
    expect(stats).not.toMatch(/cmdstat_(flushall|flushdb|keys):/);
    admin.disconnect();
  });

  function redisUrlPort(): number {
    return Number(new URL(redisUrl()).port);
  }

  describe('modes', () => {
    it('add: one job at a time', async () => {
      const { outcome } = await run(profile({ mode: 'add', jobs: 300 }));
      expect(outcome.status).toBe('completed');
      const add = op(outcome, 'add');
      expect(add).toMatchObject({ count: 300, errors: 0 });
      expect(add.rate).toBeGreaterThan(0);
      expectSaneLatency(add);
      expect(outcome.overall?.name).toBe('add');
      expect(outcome.metrics['add.rate']).toBe(add.rate);
      expect(outcome.metrics['errors.rate']).toBe(0);
      expect(outcome.target).toBe(`${redisUrl()}/0`);
    });

    it('addBulk: batches of bulkSize, with priorities and delayed jobs', async () => {
      const { outcome } = await run(profile({ mode: 'addBulk', jobs: 1_050, bulkSize: 100, priorities: [1, 5, 10], delayed: { ratio: 0.2, delayMs: 60_000 } }));
      expect(outcome.status).toBe('completed');
      const bulk = op(outcome, 'addBulk');
      expect(bulk).toMatchObject({ count: 1_050, errors: 0 });
      expectSaneLatency(bulk);
      expect(outcome.metrics['add.rate']).toBe(bulk.rate);
    });

    it('add for a duration', async () => {
      const { outcome } = await run(profile({ mode: 'add', jobs: undefined, durationMs: 300 }));
      expect(outcome.status).toBe('completed');
      expect(op(outcome, 'add').count).toBeGreaterThan(0);
    });

    it('drain: a sweep gives one result per concurrency, the headline names the best', async () => {
      const { outcome } = await run(profile({ mode: 'drain', jobs: 500, workerConcurrency: [1, 4] }));
      expect(outcome.status).toBe('completed');
      const c1 = op(outcome, 'drain.c1');
      const c4 = op(outcome, 'drain.c4');
      for (const r of [c1, c4]) {
        expect(r).toMatchObject({ count: 500, errors: 0 });
        expect(r.rate).toBeGreaterThan(0);
        expectSaneLatency(r);
      }
      expect(op(outcome, 'fill.c1').count).toBe(500);
      expect(op(outcome, 'fill.c4').count).toBe(500);
      const best = c1.rate >= c4.rate ? c1 : c4;
      expect(outcome.overall?.name).toBe(`${best.name} (best of c=1, 4)`);
      expect(outcome.metrics['drain.rate']).toBe(best.rate);
      expect(outcome.metrics['jobs.failed']).toBe(0);
      expect(outcome.metrics['errors.rate']).toBe(0);
    });

    it('e2e: at a fixed arrival rate, with priorities and delayed jobs, latency from the scheduled add', async () => {
      const { handle } = start(profile({ mode: 'e2e', jobs: 300, arrivalRate: 300, workerConcurrency: [2], priorities: [1, 5, 10], delayed: { ratio: 0.1, delayMs: 100 } }));
      const samples: number[] = [];
      handle.on('sample', (s) => samples.push(s.total));
      const outcome = await handle.result;
      expect(outcome.status).toBe('completed');
      const e2e = op(outcome, 'e2e.c2');
      expect(e2e).toMatchObject({ count: 300, errors: 0 });
      expectSaneLatency(e2e);
      expect(e2e.uncorrectedLatency).toBeDefined();
      const add = op(outcome, 'add.c2');
      expect(add).toMatchObject({ count: 300, errors: 0 });
      expect(add.uncorrectedLatency).toBeDefined();
      expect(outcome.overall?.name).toBe('e2e.c2');
      expect(outcome.metrics['e2e.latency.p99']).toBe(e2e.latency.p99);
      expect(outcome.metrics['drain.rate']).toBe(e2e.rate);
      expect(outcome.metrics['add.rate']).toBe(add.rate);
      expect(outcome.generator).toBeDefined();
      expect(samples.at(-1)).toBe(300);
    });

    it('e2e sweep without an arrival rate: one result per concurrency', async () => {
      const { outcome } = await run(profile({ mode: 'e2e', jobs: 200, workerConcurrency: [1, 8] }));
      expect(outcome.status).toBe('completed');
      expect(op(outcome, 'e2e.c1').count).toBe(200);
      expect(op(outcome, 'e2e.c8').count).toBe(200);
      expect(outcome.overall?.name).toMatch(/^e2e\.c(1|8) \(best of c=1, 8\)$/);
    });

    it('e2e for a duration at a rate: rate × duration jobs', async () => {
      const { outcome } = await run(profile({ mode: 'e2e', jobs: undefined, durationMs: 500, arrivalRate: 200, workerConcurrency: [2] }));
      expect(outcome.status).toBe('completed');
      expect(op(outcome, 'e2e.c2')).toMatchObject({ count: 100, errors: 0 });
    });

    it('retries: failed and retried attempts add up', async () => {
      const jobs = 400;
      const { outcome } = await run(profile({ mode: 'drain', jobs, workerConcurrency: [8], failRate: 0.3, attempts: 3, backoff: { type: 'fixed', delayMs: 5 } }));
      expect(outcome.status).toBe('completed');
      const drain = op(outcome, 'drain.c8');
      const attempts = op(outcome, 'attempts.c8');
      const failed = drain.errorsByKind?.failed ?? 0;
      const retried = attempts.errorsByKind?.retried ?? 0;
      expect(drain.count).toBe(jobs);
      expect(drain.errors).toBe(failed);
      expect(failed).toBeGreaterThan(0);
      expect(retried).toBeGreaterThan(0);
      // Every job made one attempt plus one per retry; failed attempts are the retried ones plus the final failures.
      expect(attempts.count).toBe(jobs + retried);
      expect(attempts.errors).toBe(retried + failed);
      expect(attempts.errorsByKind).toEqual({ retried, failed });
      expect(outcome.metrics['jobs.failed']).toBe(failed);
      expect(outcome.metrics['errors.rate']).toBeCloseTo(failed / jobs, 10);
    });

    it('retries: with failRate 1 every job fails after its attempts', async () => {
      const { outcome } = await run(profile({ mode: 'e2e', jobs: 50, workerConcurrency: [4], failRate: 1, attempts: 2, backoff: { type: 'exponential', delayMs: 1 } }));
      expect(op(outcome, 'e2e.c4')).toMatchObject({ count: 50, errors: 50, errorsByKind: { failed: 50 } });
      expect(op(outcome, 'attempts.c4')).toMatchObject({ count: 100, errors: 100, errorsByKind: { retried: 50, failed: 50 } });
      expect(outcome.metrics['jobs.failed']).toBe(50);
      expect(outcome.metrics['errors.rate']).toBe(1);
    });

    it('rate limiter settings reach the worker', async () => {
      // 60 jobs at most 20 per 100 ms: the drain cannot finish in less than two limiter windows.
      const { outcome } = await run(profile({ mode: 'drain', jobs: 60, workerConcurrency: [10], limiter: { max: 20, durationMs: 100 } }));
      const drain = op(outcome, 'drain.c10');
      expect(drain).toMatchObject({ count: 60, errors: 0 });
      expect(drain.count / drain.rate).toBeGreaterThanOrEqual(0.2);
    });

    it('simulated work per job', async () => {
      const { outcome } = await run(profile({ mode: 'drain', jobs: 40, workerConcurrency: [4], processTimeMs: 20 }));
      const drain = op(outcome, 'drain.c4');
      expect(drain).toMatchObject({ count: 40, errors: 0 });
      expect(drain.latency.min).toBeGreaterThanOrEqual(19);
    });
  });

  describe('safety', () => {
    it('cancel() mid-run stops with partial results and removes the queues', async () => {
      const { handle, logs } = start(profile({ mode: 'e2e', jobs: 200_000, arrivalRate: 2_000, workerConcurrency: [5, 10] }));
      await finishedAtLeast(handle, 200);
      handle.cancel();
      const outcome = await handle.result;
      expect(outcome.status).toBe('cancelled');
      const e2e = op(outcome, 'e2e.c5');
      expect(e2e.count).toBeGreaterThan(0);
      expect(e2e.count).toBeLessThan(200_000);
      expect(outcome.operations.some((o) => o.name === 'e2e.c10')).toBe(false);
      expect(logs.some((l) => /^removed the benchmark's \d+ keys under "perflab-bench-/.test(l.message))).toBe(true);
    });

    it('aborting the context signal while workers drain cancels too', async () => {
      const controller = new AbortController();
      // At most 1,000 jobs/s (2 at a time, 2 ms each): draining 10,000 outlasts the abort.
      const { handle } = start(profile({ mode: 'drain', jobs: 10_000, workerConcurrency: [2], processTimeMs: 2 }), { signal: controller.signal });
      await phaseStarted(handle, 'drain');
      await finishedAtLeast(handle, 100);
      controller.abort();
      const outcome = await handle.result;
      expect(outcome.status).toBe('cancelled');
      expect(op(outcome, 'fill.c2').count).toBe(10_000);
      expect(op(outcome, 'drain.c2').count).toBeGreaterThan(0);
    });

    it('cancel() while filling the queue', async () => {
      const { handle } = start(profile({ mode: 'drain', jobs: 500_000, workerConcurrency: [2] }));
      await finishedAtLeast(handle, 1_000);
      handle.cancel();
      const outcome = await handle.result;
      expect(outcome.status).toBe('cancelled');
      expect(op(outcome, 'fill.c2').count).toBeGreaterThan(0);
    });

    // Each run is long by construction, whatever the machine's speed: a paced or timed producer, or
    // a drain held back by 1 ms of work per job (at most 4 jobs per ms at c=4, so ≥ 2.5 s for
    // 10,000). Samples come once a second, so the first one of the phase arrives mid-run.
    for (const mode of ['e2e', 'drain', 'add'] as const) {
      it(`${mode}: the connections killed mid-run (CLIENT KILL), the run still ends and cleans up`, async () => {
        const p = mode === 'e2e'
          ? profile({ mode, jobs: 3_000, arrivalRate: 1_000, workerConcurrency: [4] })
          : mode === 'drain'
            ? profile({ mode, jobs: 10_000, workerConcurrency: [4], processTimeMs: 1 })
            : profile({ mode, jobs: undefined, durationMs: 3_000 });
        const { handle, logs } = start(p);
        await liveSampleIn(handle, mode);
        // Every client but this one: the run's queue, worker (blocking too) and admin connections.
        const killed = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'));
        const outcome = await handle.result;
        expect(killed).toBeGreaterThanOrEqual(2);
        expect(['completed', 'failed']).toContain(outcome.status);
        expect(logs.some((l) => /^removed the benchmark's \d+ keys under "perflab-bench-/.test(l.message))).toBe(true);
      });
    }
  });

  describe('Redis gone mid-run', () => {
    it('the run ends as failed, keeps partial results and names the prefix left behind', async () => {
      const doomed = await startLocalRedis();
      try {
        const { handle, logs } = start(profile({ mode: 'e2e', jobs: 100_000, arrivalRate: 1_000, workerConcurrency: [4] }), { url: doomed.url });
        await finishedAtLeast(handle, 100);
        await doomed.stop();
        const outcome = await handle.result;
        expect(outcome.status).toBe('failed');
        expect(outcome.error).toContain(`127.0.0.1:${doomed.port}`);
        expect(outcome.error).toMatch(/redis-server is still running/);
        expect(op(outcome, 'e2e.c4').count).toBeGreaterThan(0);
        const leftBehind = logs.find((l) => l.level === 'error' && /may remain/.test(l.message));
        expect(leftBehind?.message).toMatch(/keys under "perflab-bench-[a-z0-9]+:" may remain in db 0 on 127\.0\.0\.1:\d+\. The key sweeper gave each a TTL of 10 minutes/);
        expect(leftBehind?.message).toMatch(/to remove them now: redis-cli -h 127\.0\.0\.1 -p \d+ --scan --pattern 'perflab-bench-[a-z0-9]+:\*' \| xargs -r redis-cli -h 127\.0\.0\.1 -p \d+ unlink$/);
      } finally {
        await doomed.stop();
      }
    });
  });

  describe('bad input', () => {
    it('Redis down: a RunnerError naming host:port and what to check', async () => {
      const port = await freePort();
      const { handle } = start(profile(), { url: `redis://127.0.0.1:${port}` });
      const err = await handle.result.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunnerError);
      expect((err as RunnerError).code).toBe('redis');
      expect((err as RunnerError).message).toContain(`127.0.0.1:${port}`);
      expect((err as RunnerError).message).toMatch(/redis-server is running/);
    });

    it('a Redis that is not loopback nor allowed is refused before connecting', async () => {
      const { handle } = start(profile(), { url: 'redis://10.255.255.1:6379' });
      const err = await handle.result.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunnerError);
      expect((err as RunnerError).code).toBe('refused');
      expect((err as RunnerError).message).toMatch(/allowHosts/);
    });
  });
});
