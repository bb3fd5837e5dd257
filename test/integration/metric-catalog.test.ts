/**
 * Every metric the config accepts is one some run really measures: for each profile type, a real
 * run (against a real HTTP target, a private redis-server, and a sampled Node process) with a
 * threshold on every metric name the catalog accepts for that profile, each of which must get a
 * value.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText, validMetricNames, lookupMetric, type MetricContext, type MetricUnit, type Profile } from '../../src/core/config';
import { RunStore } from '../../src/core/runStore';
import { runProfile } from '../../src/runners/runProfile';
import { startTarget, stopAllTargets, type TargetProcess } from '../fixtures/targets/harness';
import { startHttpTarget, type HttpTarget } from '../helpers/httpTargets';
import { useLocalRedis } from '../helpers/redis';

const dir = mkdtempSync(path.join(tmpdir(), 'perflab-catalog-'));
const redisUrl = useLocalRedis();
let http: HttpTarget;
let sampled: TargetProcess;

beforeAll(async () => {
  http = await startHttpTarget();
  // It keeps allocating long-lived objects: major GCs come every half second, so heap growth has points.
  sampled = await startTarget('alloc.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
});
afterAll(async () => {
  await http?.stop();
  await stopAllTargets();
  rmSync(dir, { recursive: true, force: true });
});

/** An expression any value of the unit can be compared with (the verdict's value is what counts). */
const ANY: Record<MetricUnit, string> = { ms: '>= 0ms', 'ops/s': '>= 0/s', ratio: '>= 0%', count: '>= 0', bytes: '>= 0B', 'bytes/min': '>= 0B/min' };

function contextOf(p: Profile): MetricContext {
  if (p.type === 'http') return { type: 'http', scenarios: p.scenarios.map((s) => s.name), phases: p.phases.map((ph) => ph.name) };
  if (p.type === 'redis') return { type: 'redis', operations: p.operations };
  return { type: 'bullmq' };
}

/** Loads `raw` once to learn its names, then again with a threshold on every metric they allow. */
function withEveryMetric(raw: Record<string, unknown>): { config: NonNullable<ReturnType<typeof parseConfigText>['config']>; names: string[] } {
  const first = parseConfigText(JSON.stringify(raw));
  expect(first.problems).toEqual([]);
  const profile = first.config!.profiles.p!;
  const ctx = contextOf(profile);
  const names = validMetricNames(ctx);
  const thresholds = Object.fromEntries(names.map((n) => {
    const found = lookupMetric(n, ctx);
    if (!found.ok) throw new Error(found.message);
    return [n, ANY[found.unit]];
  }));
  const withThresholds = structuredClone(raw) as { profiles: { p: Record<string, unknown> } };
  withThresholds.profiles.p.thresholds = thresholds;
  const second = parseConfigText(JSON.stringify(withThresholds));
  expect(second.problems).toEqual([]);
  return { config: second.config!, names };
}

async function unmeasured(raw: Record<string, unknown>): Promise<string[]> {
  const { config, names } = withEveryMetric(raw);
  const record = await runProfile({ config, profile: 'p', configDir: dir, store: new RunStore(path.join(dir, 'runs')), trusted: true }).record;
  expect(record.status, record.error).toBe('completed');
  expect(record.thresholds.map((t) => t.metric).sort()).toEqual([...names].sort());
  return record.thresholds.filter((t) => t.actual === null).map((t) => t.metric);
}

describe('the metric catalog', () => {
  const process = () => ({ inspect: `127.0.0.1:${sampled.inspectorPort}` });

  it('every http metric is measured', async () => {
    expect(await unmeasured({
      targets: { api: { baseUrl: http.url, process: process() } },
      profiles: {
        p: {
          type: 'http', target: 'api',
          phases: [{ name: 'open', duration: '1.5s', arrivalRate: 50 }, { name: 'closed', duration: '1.5s', connections: 2 }],
          scenarios: [{ name: 'a', weight: 2, request: { path: '/a' } }, { name: 'b', request: { path: '/b' } }],
        },
      },
    })).toEqual([]);
  });

  it('every redis metric is measured', async () => {
    expect(await unmeasured({
      stack: { redis: { url: redisUrl() } },
      profiles: { p: { type: 'redis', operations: ['set', 'get', 'pipeline'], duration: '3s', concurrency: 4, process: process() } },
    })).toEqual([]);
  });

  it("redis.memory.used.max is the benchmark's footprint on the server", async () => {
    const { Redis } = await import('ioredis');
    const { STRING_KEYS } = await import('../../src/runners/redis/keys');
    const { config } = withEveryMetric({
      stack: { redis: { url: redisUrl() } },
      profiles: { p: { type: 'redis', operations: ['set'], iterations: 2000, concurrency: 4, valueSize: 65_536, process: process() } },
    });
    const record = await runProfile({ config, profile: 'p', configDir: dir, store: new RunStore(path.join(dir, 'runs')), trusted: true }).record;
    const m = record.redisMemory!;
    // SET writes each of its keys with one 64 KB value; they stay until the run removes them.
    const written = STRING_KEYS * 65_536;
    expect(m.maxBytes - m.startBytes).toBeGreaterThanOrEqual(written);
    expect(m.maxBytes - m.startBytes).toBeLessThan(written * 1.5);
    expect(record.thresholds.find((t) => t.metric === 'redis.memory.used.max')!.actual).toBe(m.maxBytes);
    const client = new Redis(redisUrl());
    try {
      const after = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
      expect(after).toBeLessThan(m.startBytes + written / 10);
    } finally {
      client.disconnect();
    }
  });

  it('every bullmq metric is measured, by PerfLab\'s own worker or the app\'s', async () => {
    const own = await unmeasured({
      stack: { redis: { url: redisUrl() } },
      profiles: { p: { type: 'bullmq', queue: 'catalog', mode: 'e2e', duration: '3s', arrivalRate: 200, workerConcurrency: 4, process: process() } },
    });
    // The backlog of the app's queue is the app-workers mode's own figure.
    const app = await startTarget('app-workers.cjs', { env: { REDIS_URL: redisUrl(), QUEUE: 'catalog-app', PREFIX: 'catalog', WORK_MS: '5', CONCURRENCY: '4' }, ready: /^ready / });
    try {
      const appOnly = await unmeasured({
        stack: { redis: { url: redisUrl() }, queues: [{ name: 'catalog-app', prefix: 'catalog' }] },
        profiles: { p: { type: 'bullmq', queue: 'catalog-app', mode: 'e2e', workers: 'app', duration: '2s', arrivalRate: 50, process: process() } },
      });
      expect(own.filter((m) => appOnly.includes(m))).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});
