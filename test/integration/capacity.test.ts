// `perflab capacity` against a service whose every request costs a known CPU time on its one
// thread: the reported capacity must agree with the rate that service time allows. Also what a
// user sees of it (the steps, the record), Ctrl-C in the middle, and the mistakes it refuses.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/runRecord';
import { type TargetProcess, startTarget } from '../fixtures/targets/harness';
import { type CliFolder, cliFolder, STACK_LINE } from '../helpers/cli';
import { Queue } from 'bullmq';
import { uniquePrefix, useLocalRedis, waitUntil } from '../helpers/redis';

const redisUrl = useLocalRedis();
let folder: CliFolder;
let target: TargetProcess | undefined;

beforeEach(() => {
  folder = cliFolder('perflab-capacity-');
});
afterEach(async () => {
  await target?.stop();
  target = undefined;
  folder.remove();
});

async function startService(costMs: number): Promise<string> {
  // A high priority where permitted: the service's thread, not the machine's other work, sets its capacity.
  target = await startTarget('fixed-cost.cjs', { env: { COST_MS: String(costMs) }, ready: /^listening \d+/, priority: -10 });
  const port = /^listening (\d+)/.exec(target.stdout.find((l) => l.startsWith('listening'))!)![1];
  return `http://127.0.0.1:${port}`;
}

function writeConfig(url: string): void {
  folder.write('perflab.config.json', {
    targets: { api: { baseUrl: url } },
    profiles: {
      work: {
        type: 'http', target: 'api',
        phases: [{ name: 'steady', duration: '5s', arrivalRate: 10 }],
        scenarios: [{ name: 'work', request: { path: '/work' } }],
        thresholds: { 'latency.p99': '< 100ms', 'errors.rate': '< 1%' },
      },
      queue: { type: 'bullmq', queue: 'jobs', mode: 'add', jobs: 10 },
    },
    stack: { redis: { url: 'redis://127.0.0.1:1' } },
  });
}

const record = (out: string): RunRecord => {
  const file = /run record: (.+run\.json)/.exec(out)![1]!;
  return JSON.parse(readFileSync(path.join(folder.dir, file), 'utf8')) as RunRecord;
};

describe('perflab capacity', () => {
  it('finds the rate a fixed service time allows, within 10 %', async () => {
    writeConfig(await startService(4));
    const run = folder.start('capacity', 'work', '--start-rate', '60', '--step', '4s');
    const { code, out, err } = await run.result;
    expect(err).not.toMatch(STACK_LINE);
    expect(code, `${out}\n${err}`).toBe(0);
    const rec = record(out);
    const c = rec.capacity!;
    expect(c.stop, out).toBe('bracketed');

    // The rate the service time implies: requests served per second of the CPU its process used.
    const stats = (await (await fetch(`${rec.target}/stats`)).json()) as { served: number; cpuMs: number };
    const implied = stats.served / (stats.cpuMs / 1000);
    expect(c.rate!, `capacity ${c.rate} req/s vs ${implied.toFixed(0)} req/s implied by ${(stats.cpuMs / stats.served).toFixed(2)} ms of CPU per request`).toBeGreaterThanOrEqual(0.9 * implied);
    expect(c.rate!).toBeLessThanOrEqual(1.1 * implied);

    // What the user reads: the headline, the first failing rate with its reason, the steps.
    expect(out).toMatch(new RegExp(`capacity: ${c.rate!.toLocaleString('en-US')}(\\.0)? req/s, every criterion met`));
    expect(out).toMatch(/at [\d,.]+ req\/s: (latency\.p99: .* does not meet < 100ms|throughput: )/);
    expect(out).toMatch(/step\s+offered\s+achieved\s+errors\s+p50\s+p95\s+p99\s+result\s+why/);
    // The record: one phase per step, the thresholds as met at the capacity step, PASS.
    expect(rec.pass).toBe(true);
    expect(rec.phases.map((p) => p.name)).toEqual(c.steps.map((s) => `${s.rate.toLocaleString('en-US')}${s.rate < 100 ? '.0' : ''} req/s`));
    expect(rec.thresholds.every((t) => t.pass)).toBe(true);
    expect(rec.overall!.count).toBe(c.steps.find((s) => s.rate === c.rate)!.count);
    // No step above the capacity passed.
    for (const s of c.steps) if (s.rate > c.rate!) expect(s.pass).toBe(false);
    expect(c.steps.filter((s) => s.pass).every((s) => s.p99 < 100)).toBe(true);

    // Its steps ran at other rates than the profile's phases: it is no baseline and no run to compare.
    const compared = await folder.runAsync('compare', rec.id, rec.id);
    expect(compared.code).toBe(2);
    expect(compared.err).toMatch(/is a capacity search \(perflab capacity\): its steps ran at other rates/);
    const latest = await folder.runAsync('run', 'work', '--baseline', 'latest');
    expect(latest.code).toBe(2);
    expect(latest.err).toMatch(/no completed run of "work" .* to compare with/);
  }, 240_000);

  it('a service whose queue falls behind does not sustain the rate: the capacity is its workers\', within 10 %', async () => {
    const prefix = uniquePrefix('cap');
    target = await startTarget('queue-api.cjs', { env: { REDIS_URL: redisUrl(), BULL_PREFIX: prefix }, ready: /^listening \d+/ });
    const url = `http://127.0.0.1:${/^listening (\d+)/.exec(target.stdout.find((l) => l.startsWith('listening'))!)![1]}`;
    folder.write('perflab.config.json', {
      targets: { api: { baseUrl: url } },
      stack: { redis: { url: redisUrl() }, queues: [{ name: 'outbox', prefix }] },
      profiles: {
        send: {
          type: 'http', target: 'api',
          phases: [{ name: 'steady', duration: '5s', arrivalRate: 10 }],
          scenarios: [{ name: 'send', request: { method: 'POST', path: '/send' } }],
          thresholds: { 'latency.p99': '< 200ms', 'errors.rate': '< 1%' },
        },
      },
    });
    const run = folder.start('capacity', 'send', '--start-rate', '20', '--step', '3s');
    const { code, out, err } = await run.result;
    expect(err).not.toMatch(STACK_LINE);
    expect(code, `${out}\n${err}`).toBe(0);
    expect(err).toMatch(/each step also reads the backlog of outbox: a step that leaves it growing fails/);
    const c = record(out).capacity!;
    expect(c.stop, out).toBe('bracketed');
    // Every HTTP answer was fast: the steps above the capacity failed on the backlog alone.
    for (const s of c.steps.filter((x) => !x.pass)) expect(s.failed.join('; ')).toMatch(/^backlog: \d+ more jobs waiting/);

    // The workers' own pace, measured apart from PerfLab: 300 jobs added at once, and the spread of
    // their finish times as BullMQ stamped them (no add time, no event delivery in it).
    const queue = new Queue('outbox', { connection: { url: redisUrl() }, prefix });
    await queue.addBulk(Array.from({ length: 300 }, (_, i) => ({ name: 'mail', data: { i } })));
    await waitUntil(async () => (await queue.getCompletedCount()) >= 300, 'the 300 jobs to finish', 60_000);
    const finished = (await queue.getCompleted(0, 299)).map((j) => j.finishedOn!).sort((a, b) => a - b);
    const drained = (finished.length - 1) / ((finished.at(-1)! - finished[0]!) / 1000);
    await queue.close();
    expect(c.rate!, `capacity ${c.rate}/s vs the workers' ${drained.toFixed(1)} jobs/s\n${out}`).toBeGreaterThanOrEqual(0.9 * drained);
    expect(c.rate!, `capacity ${c.rate}/s vs the workers' ${drained.toFixed(1)} jobs/s\n${out}`).toBeLessThanOrEqual(1.1 * drained);
  }, 240_000);

  it('Ctrl-C stops the search, keeps the steps done and exits 130', async () => {
    writeConfig(await startService(1));
    const run = folder.start('capacity', 'work', '--start-rate', '50', '--step', '2s');
    await waitUntil(() => /step 2:/.test(run.err()), 'the second step', 60_000);
    run.kill('SIGINT');
    const { code, out } = await run.result;
    expect(code).toBe(130);
    const rec = record(out);
    expect(rec.status).toBe('cancelled');
    expect(rec.capacity!.stop).toBe('cancelled');
    expect(rec.capacity!.steps.length).toBeGreaterThanOrEqual(1);
    expect(rec.capacity!.rate).toBeGreaterThanOrEqual(50);
    expect(out).toMatch(/capacity: at least [\d,.]+ req\/s/);
  }, 120_000);

  it('refuses a profile that is not http, and flags it cannot read, with the fix', async () => {
    writeConfig('http://127.0.0.1:1');
    const queue = await folder.runAsync('capacity', 'queue');
    expect(queue.code).toBe(2);
    expect(queue.err).toMatch(/a capacity search steps an arrival rate: an http profile's, or that of a bullmq profile with "workers": "app"; "queue" is a bullmq profile of PerfLab's own worker: give an http profile, or set "workers": "app" to measure the app's own workers/);
    expect(queue.out).not.toMatch(/run record:/);
    for (const [flag, value, message] of [
      ['--max-rate', 'fast', /--max-rate fast is not a rate; give requests per second from 1 to 100000/],
      ['--step', '10 parsecs', /--step 10 parsecs: /],
      ['--step', '200ms', /--step 200ms is too short to measure a step; give at least 1 s/],
      ['--precision', '0.05', /--precision 0.05 is not a share; give a percentage from 1% to 50%/],
    ] as const) {
      const r = await folder.runAsync('capacity', 'work', flag, value);
      expect(r.code, flag).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(STACK_LINE);
    }
    const down = await folder.runAsync('capacity', 'work');
    expect(down.code).toBe(3);
    expect(down.err).not.toMatch(STACK_LINE);
  }, 60_000);
});
