// `perflab run` as a user runs it: the built CLI against the demo stack (its own private Redis),
// real processes, real files, exit codes and reports as documented.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, startDemo } from '../../src/runners/demo';
import { useLocalRedis, waitUntil } from '../helpers/redis';
import { foreignKeys, seedUserKeys, verifyUserKeys } from '../helpers/userKeys';

const CLI = path.resolve('dist/cli.js');
let dir: string;
let demo: DemoHandle;
const userRedisUrl = useLocalRedis();

function config(): string {
  return JSON.stringify({
    stack: { redis: { url: demo.redisUrl }, queues: [{ name: 'messages' }] },
    targets: {
      api: { baseUrl: demo.url },
      down: { baseUrl: 'http://127.0.0.1:9' },
      remote: { baseUrl: 'http://perflab-remote.invalid:3000' },
    },
    profiles: {
      smoke: {
        type: 'http',
        target: 'api',
        phases: [
          { name: 'warm-up', duration: '1s', arrivalRate: 20 },
          { name: 'ramp-up', duration: '1s', arrivalRate: 20, rampTo: 40 },
          { name: 'saturate', duration: '1s', connections: 4 },
        ],
        scenarios: [
          { name: 'send-text', weight: 70, request: { method: 'POST', path: '/messages', json: { to: '{{phone}}', type: 'text', body: '{{words(5)}}' } } },
          { name: 'health', weight: 30, request: { method: 'GET', path: '/health' } },
        ],
        thresholds: { 'latency.p99': '< 5s', 'errors.rate': '< 1%' },
      },
      strict: {
        type: 'http',
        target: 'api',
        phases: [{ name: 'main', duration: '1s', arrivalRate: 20 }],
        scenarios: [{ name: 'health', weight: 1, request: { path: '/health' } }],
        thresholds: { 'latency.p99': '< 0.001ms', 'errors.rate': '< 1%' },
      },
      unreachable: { type: 'http', target: 'down', phases: [{ name: 'main', duration: '2s', arrivalRate: 10 }], scenarios: [{ name: 'x', weight: 1, request: { path: '/' } }] },
      remote: { type: 'http', target: 'remote', phases: [{ name: 'main', duration: '2s', arrivalRate: 10 }], scenarios: [{ name: 'x', weight: 1, request: { path: '/' } }] },
    },
  });
}

function perflab(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  demo = await startDemo({ port: 0 });
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-run-'));
  writeFileSync(path.join(dir, 'perflab.config.json'), config());
});
afterAll(async () => {
  await demo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('perflab run', () => {
  it('runs smoke against the demo stack: final table, passing verdicts, a run record', () => {
    const r = perflab('run', 'smoke', '--json', 'out.json');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^smoke \(http\) PASS/m);
    expect(r.out).toMatch(/latency\.p99\s+< 5s\s+[\d.]+ m?s\s+pass/);
    expect(r.err).toMatch(/warm-up|ramp-up|saturate/); // the live status went to stderr
    const record = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8'));
    expect(record).toMatchObject({ profile: 'smoke', status: 'completed', pass: true });
    expect(record.phases.map((p: { name: string }) => p.name)).toEqual(['warm-up', 'ramp-up', 'saturate']);
    expect(record.operations.map((o: { name: string }) => o.name).sort()).toEqual(['health', 'send-text']);
    expect(existsSync(path.join(dir, '.perflab', 'runs', record.id, 'run.json'))).toBe(true);
  });

  it('a failing threshold exits 1 and the JUnit failure names metric, limit and actual', () => {
    const r = perflab('run', 'strict', '--junit', 'junit.xml', '--markdown', 'summary.md');
    expect(r.code).toBe(1);
    const xml = readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    expect(xml).toMatch(/<failure message="latency\.p99: [\d.]+ m?s does not meet &lt; 0\.001ms"/);
    expect(xml).toMatch(/metric: latency\.p99\nlimit: &lt; 0\.001ms\nactual: [\d.]+/);
    expect(readFileSync(path.join(dir, 'summary.md'), 'utf8')).toMatch(/❌ FAIL/);
  });

  it('an unreachable target fails fast with exit 3, naming the URL', () => {
    const r = perflab('run', 'unreachable');
    expect(r.code).toBe(3);
    expect(r.err + r.out).toContain('http://127.0.0.1:9');
  });

  it('a non-loopback target without allowHosts is refused with the fix', () => {
    const r = perflab('run', 'remote');
    expect(r.code).toBe(2);
    expect(r.err + r.out).toMatch(/allowHosts/);
  });

  it('an unknown profile is a usage error listing the profiles', () => {
    const r = perflab('run', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no profile "nope".*smoke, strict/);
  });

  it('Ctrl-C stops a run, saves it as cancelled, exits 130, leaves no benchmark keys and the user keys untouched', async () => {
    // A Redis of its own holding 10,000 user keys (with TTLs, and names that look like ours).
    writeFileSync(
      path.join(dir, 'redis.json'),
      JSON.stringify({ stack: { redis: { url: userRedisUrl() } }, profiles: { long: { type: 'redis', operations: ['set', 'get', 'incr', 'lpush', 'zadd'], mode: 'concurrent', concurrency: 10, duration: '60s' } } }),
    );
    const redis = new Redis(userRedisUrl());
    const userKeys = await seedUserKeys(redis);
    const child = spawn(process.execPath, [CLI, 'run', 'long', '--config', 'redis.json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Interrupt once the benchmark has written keys of its own.
      await waitUntil(async () => (await foreignKeys(redis, userKeys)).length > 0, 'benchmark keys', 30_000);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      const runs = readdirSync(path.join(dir, '.perflab', 'runs'));
      const records = runs.map((id) => JSON.parse(readFileSync(path.join(dir, '.perflab', 'runs', id, 'run.json'), 'utf8')));
      expect(records.find((r) => r.profile === 'long')).toMatchObject({ status: 'cancelled', pass: false });
      expect(await foreignKeys(redis, userKeys), err).toEqual([]);
      expect(await verifyUserKeys(redis, userKeys)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      redis.disconnect();
    }
  });
});
