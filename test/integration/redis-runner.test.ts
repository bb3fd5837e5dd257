// The Redis runner against a private redis-server: every operation in every mode yields counts,
// rates and latencies under the catalog's metric names; the server is described before the run;
// a Redis that is down, refuses the password or is not allowed fails with what to fix.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PerfLabConfig, RedisMode, RedisOperation, RedisProfile } from '../../src/core/config';
import { lookupMetric } from '../../src/core/config/metrics';
import { runRedisProfile } from '../../src/runners/redis';
import { freePort, startLocalRedis, type LocalRedis } from '../../src/runners/redis/localServer';
import { type LiveSample, type RunLog, type RunProgress, RunnerError } from '../../src/runners/types';
import { useLocalRedis } from '../helpers/redis';

const redisUrl = useLocalRedis();

const ALL_OPERATIONS: RedisOperation[] = ['set', 'get', 'incr', 'lpush', 'zadd', 'pipeline', 'analytics-write', 'analytics-read'];
const MODES: RedisMode[] = ['sequential', 'concurrent', 'auto-pipeline', 'pipeline'];
const STATS = ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'] as const;

function profile(overrides: Partial<RedisProfile> = {}): RedisProfile {
  return {
    name: 'redis-ops',
    type: 'redis',
    operations: ALL_OPERATIONS,
    mode: 'concurrent',
    concurrency: 10,
    pipeline: 16,
    iterations: 300,
    valueSize: 100,
    thresholds: [],
    source: { line: 1, column: 1 },
    ...overrides,
  };
}

function context(url: string, env: Record<string, string | undefined> = {}, allowHosts: string[] = []) {
  const config: PerfLabConfig = { stack: { redis: { url }, queues: [] }, targets: {}, allowHosts, profiles: {} };
  return { config, configDir: process.cwd(), env, trusted: true };
}

/** Starts a run and collects its events. */
function start(p: RedisProfile, ctx: ReturnType<typeof context>) {
  const handle = runRedisProfile(p, ctx);
  const logs: RunLog[] = [];
  const samples: LiveSample[] = [];
  const progress: RunProgress[] = [];
  handle.on('log', (l) => logs.push(l));
  handle.on('sample', (s) => samples.push(s));
  handle.on('progress', (p) => progress.push(p));
  return { handle, logs, samples, progress };
}

describe('Redis runner: operations and modes', () => {
  for (const mode of MODES) {
    it(`${mode}: every operation is counted, timed and named as the metric catalog says`, async () => {
      const { handle, logs, progress } = start(profile({ mode }), context(redisUrl()));
      const outcome = await handle.result;

      expect(outcome.status).toBe('completed');
      expect(outcome.error).toBeUndefined();
      expect(outcome.target).toBe(`redis://127.0.0.1:${redisUrl.server().port}/0`);
      expect(outcome.operations.map((o) => o.name)).toEqual(ALL_OPERATIONS);
      for (const op of outcome.operations) {
        expect(op.count, op.name).toBe(300);
        expect(op.errors, op.name).toBe(0);
        expect(op.rate, op.name).toBeGreaterThan(0);
        const l = op.latency;
        expect(l.min, op.name).toBeGreaterThan(0);
        expect(l.p50).toBeGreaterThanOrEqual(l.min);
        expect(l.p90).toBeGreaterThanOrEqual(l.p50);
        expect(l.p99).toBeGreaterThanOrEqual(l.p95);
        expect(l.max).toBeGreaterThanOrEqual(l.p99);
        expect(outcome.metrics[`op.${op.name}.rate`]).toBe(op.rate);
        for (const stat of STATS) expect(outcome.metrics[`op.${op.name}.latency.${stat}`]).toBe(l[stat]);
      }
      expect(outcome.overall?.count).toBe(300 * ALL_OPERATIONS.length);
      expect(outcome.metrics['errors.rate']).toBe(0);

      // Every metric (bar `min`, which thresholds do not take) is one a threshold can name.
      for (const name of Object.keys(outcome.metrics).filter((n) => !n.endsWith('.min'))) {
        expect(lookupMetric(name, { type: 'redis', operations: ALL_OPERATIONS }).ok, name).toBe(true);
      }
      expect(progress.at(-1)?.fraction).toBe(1);
      expect(logs.find((l) => l.message.startsWith('Redis 7') || l.message.startsWith('Redis '))?.message).toMatch(
        /maxmemory-policy noeviction .*persistence RDB off, AOF off/,
      );
      expect(logs.filter((l) => l.level !== 'info')).toEqual([]);
    });
  }

  it('runs for a duration, with live samples, a timeline and progress as a fraction', async () => {
    const { handle, samples, progress } = start(profile({ operations: ['get', 'set'], iterations: undefined, durationMs: 2_400 }), context(redisUrl()));
    const outcome = await handle.result;

    expect(outcome.status).toBe('completed');
    expect(outcome.operations.map((o) => o.name)).toEqual(['get', 'set']);
    for (const op of outcome.operations) expect(op.count).toBeGreaterThan(0);
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples.map((s) => s.phase)).toContain('get');
    expect(samples.map((s) => s.phase)).toContain('set');
    expect(samples.at(-1)!.total).toBe(outcome.overall!.count);
    expect(outcome.timeline).toHaveLength(samples.length);
    const fractions = progress.map((p) => p.fraction);
    expect(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]!))).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    expect(progress.at(-1)?.totalMs).toBe(2_400);
  });

  it('counts a pipeline as one operation and says how many commands it carried', async () => {
    const { handle, logs } = start(profile({ operations: ['pipeline'], pipeline: 10, iterations: 50, mode: 'sequential' }), context(redisUrl()));
    const outcome = await handle.result;
    expect(outcome.operations[0]!.count).toBe(50);
    expect(logs.map((l) => l.message).join('\n')).toMatch(/one pipeline of 10 commands/);
  });

  it('warns when the server persists to disk', async () => {
    const admin = new Redis(redisUrl());
    try {
      await admin.config('SET', 'save', '3600 1');
      const { handle, logs } = start(profile({ operations: ['get'], iterations: 10 }), context(redisUrl()));
      await handle.result;
      const warning = logs.find((l) => l.level === 'warn');
      expect(warning?.message).toMatch(/RDB snapshots are on \(save "3600 1"\)/);
    } finally {
      await admin.config('SET', 'save', '');
      admin.disconnect();
    }
  });
});

describe('Redis runner: bad input', () => {
  it('Redis down: RunnerError("redis") naming host:port and what to check', async () => {
    const port = await freePort();
    const { handle } = start(profile(), context(`redis://127.0.0.1:${port}`));
    const err = await handle.result.then(() => undefined, (e: unknown) => e);

    expect(err).toBeInstanceOf(RunnerError);
    expect((err as RunnerError).code).toBe('redis');
    const message = (err as RunnerError).message;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).toMatch(/connection refused/);
    expect(message).toMatch(/redis-server is running/);
    expect(message).toMatch(/stack\.redis\.url/);
    expect(message).toMatch(/PERFLAB_REDIS_PASSWORD/);
  });

  it('a host that is not loopback and not in allowHosts is refused before connecting', async () => {
    const { handle } = start(profile(), context('redis://10.20.30.40:6379'));
    await expect(handle.result).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/allowHosts.*10\.20\.30\.40/) });
  });

  it('no stack.redis in the config is a config error', async () => {
    const ctx = context('redis://127.0.0.1:1');
    delete ctx.config.stack.redis;
    await expect(runRedisProfile(profile(), ctx).result).rejects.toMatchObject({ code: 'config', message: expect.stringMatching(/stack/) });
  });

  describe('a server that requires a password', () => {
    let server: LocalRedis;
    beforeAll(async () => {
      server = await startLocalRedis();
      const admin = new Redis(server.url);
      await admin.config('SET', 'requirepass', 'correct horse');
      admin.disconnect();
    });
    afterAll(() => server.stop());

    it('without PERFLAB_REDIS_PASSWORD: says to set it', async () => {
      const { handle } = start(profile(), context(server.url));
      await expect(handle.result).rejects.toMatchObject({ code: 'redis', message: expect.stringMatching(/requires a password: set PERFLAB_REDIS_PASSWORD/) });
    });

    it('with a wrong one: says it was refused', async () => {
      const { handle } = start(profile(), context(server.url, { PERFLAB_REDIS_PASSWORD: 'wrong' }));
      await expect(handle.result).rejects.toMatchObject({ code: 'redis', message: expect.stringMatching(/password in PERFLAB_REDIS_PASSWORD \(or the one stored with "PerfLab: Set Redis Password"\) was refused/) });
    });

    it('with the right one: runs, and the password appears nowhere in the outcome or the logs', async () => {
      const { handle, logs } = start(profile({ operations: ['set', 'get'], iterations: 50 }), context(server.url, { PERFLAB_REDIS_PASSWORD: 'correct horse' }));
      const outcome = await handle.result;
      expect(outcome.status).toBe('completed');
      expect(JSON.stringify(outcome)).not.toContain('correct horse');
      expect(JSON.stringify(logs)).not.toContain('correct horse');
    });
  });
});
