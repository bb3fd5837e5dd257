// The real-workers mode ("workers": "app") against an app whose BullMQ workers run in a process
// of their own (test/fixtures/targets/app-workers.cjs): 4 jobs at once, each waiting 50 ms on a
// timer (long beside the few Redis round trips of a job, about 3 ms on this machine, which the
// work-implied figures leave out). The pool's capacity is therefore concurrency / work time: the work time is taken from the
// app's own clock (the fixture times each job's work), not from PerfLab, so every expectation
// below is computed independently of what PerfLab measured. A timer, not CPU, is the work: 4 jobs
// of synchronous CPU in one process would run one after another, and the machine's other load
// would set the figures. Before each run the app leaves jobs of its own in the queue (completed,
// failed, delayed): after each run, completed, cancelled or searched, every one of them is still
// there in its state, and no job PerfLab added is left. No test asserts how fast anything was.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CapacityPlan } from '../../src/core/capacity';
import type { BullmqProfile, PerfLabConfig, Threshold } from '../../src/core/config';
import { startCapacity } from '../../src/runners/capacity';
import { runBullmqProfile } from '../../src/runners/queue';
import { RunnerError, type RunHandle, type RunLog, type RunnerContext } from '../../src/runners/types';
import { type TargetProcess, startTarget } from '../fixtures/targets/harness';
import { useLocalRedis } from '../helpers/redis';

const redisUrl = useLocalRedis();
const QUEUE = 'emails';
const PREFIX = 'app';
const CONCURRENCY = 4;
const WORK_MS = 50;

interface Seeded { completed: string[]; failed: string[]; delayed: string[] }
interface AppStats { ran: number; failed: number; workMs: number }

let app: TargetProcess | undefined;
let seeded: Seeded;
let statsAsked = 0;

beforeEach(async () => {
  const redis = new Redis(redisUrl());
  // The server is this file's own: each test starts from an empty queue of the app.
  const keys = await redis.keys(`${PREFIX}:${QUEUE}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  app = await startTarget('app-workers.cjs', {
    env: { REDIS_URL: redisUrl(), QUEUE, PREFIX, WORK_MS: String(WORK_MS), CONCURRENCY: String(CONCURRENCY) },
    ready: /^ready /,
  });
  seeded = JSON.parse(/^ready (.*)$/.exec(app.stdout.find((l) => l.startsWith('ready '))!)![1]!) as Seeded;
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function appStats(): Promise<AppStats> {
  const n = ++statsAsked;
  app!.send(`stats ${n}`);
  const m = await app!.waitForLine(new RegExp(`^stats ${n} (.*)$`));
  return JSON.parse(m[1]!) as AppStats;
}

function profile(overrides: Partial<BullmqProfile> = {}): BullmqProfile {
  return {
    name: 'emails-real',
    type: 'bullmq',
    queue: QUEUE,
    mode: 'e2e',
    workers: 'app',
    jobName: 'send-email',
    data: { to: 'user{{seq}}@example.test' },
    durationMs: 3_000,
    arrivalRate: 50,
    bulkSize: 100,
    workerConcurrency: [],
    failRate: 0,
    attempts: 1,
    payloadSize: 0,
    processTimeMs: 0,
    thresholds: [],
    source: { line: 1, column: 1 },
    ...overrides,
  };
}

function context(opts: { url?: string; queues?: PerfLabConfig['stack']['queues']; signal?: AbortSignal } = {}): RunnerContext {
  const config: PerfLabConfig = {
    stack: { redis: { url: opts.url ?? redisUrl() }, queues: opts.queues ?? [{ name: QUEUE, prefix: PREFIX }] },
    targets: {},
    allowHosts: [],
    profiles: {},
  };
  return { config, configDir: process.cwd(), env: {}, trusted: true, ...(opts.signal ? { signal: opts.signal } : {}) };
}

function start(p: BullmqProfile, ctx = context()): { handle: RunHandle; logs: RunLog[] } {
  const handle = runBullmqProfile(p, ctx);
  const logs: RunLog[] = [];
  handle.on('log', (l) => logs.push(l));
  return { handle, logs };
}

/** The app's own jobs are all there in their states, and no job PerfLab added is left, in any state. */
async function expectOnlyOwnJobsGone(): Promise<void> {
  const queue = new Queue(QUEUE, { connection: { host: '127.0.0.1', port: redisUrl.server().port }, prefix: PREFIX, skipMetasUpdate: true });
  try {
    for (const [state, ids] of Object.entries(seeded)) {
      for (const id of ids) expect(await queue.getJobState(id), `app job ${id}`).toBe(state);
    }
    const all = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed']);
    expect(all.filter((j) => j.data?._perflab !== undefined).map((j) => j.id)).toEqual([]);
    expect(all.map((j) => j.id).sort()).toEqual([...seeded.completed, ...seeded.failed, ...seeded.delayed].sort());
    const redis = new Redis(redisUrl());
    const left = await redis.keys(`${PREFIX}:${QUEUE}:perflab-*`);
    redis.disconnect();
    expect(left).toEqual([]);
  } finally {
    await queue.close();
  }
}

const within = (actual: number, expected: number, share: number) => Math.abs(actual - expected) <= share * expected;

describe('bullmq "workers": "app"', () => {
  it("measures the app's workers: e2e latency and throughput as their work implies, failures by reason", async () => {
    // Light load: 20 jobs/s is a quarter of what 4 × 50 ms allows, so a job waits for no worker
    // and its e2e latency is its work time (plus a few Redis round trips).
    const before = await appStats();
    const light = start(profile({ arrivalRate: 20, durationMs: 5_000, data: { to: 'user{{seq}}@example.test', fail: '{{pick(yes,no,no,no)}}', why: 'quota' } }));
    const calm = await light.handle.result;
    const after = await appStats();
    expect(calm.status, calm.error).toBe('completed');
    const ran = after.ran - before.ran;
    const workMs = (after.workMs - before.workMs) / ran;
    const e2e = calm.operations.find((o) => o.name === 'e2e')!;
    expect(e2e.count).toBe(100);
    expect(ran).toBe(100);
    expect(e2e.latency.p50, `e2e p50 ${e2e.latency.p50} ms vs ${workMs.toFixed(2)} ms of work per job`).toSatisfy((v: number) => within(v, workMs, 0.15));
    expect(calm.metrics['drain.rate']).toSatisfy((v: number) => within(v, 20, 0.15));
    // Failures by the reason the app gave, as many as the app counted.
    const failed = after.failed - before.failed;
    expect(failed).toBeGreaterThan(0);
    expect(calm.metrics['jobs.failed']).toBe(failed);
    expect(e2e.errorsByKind).toEqual({ 'failed: rejected by the app: quota': failed });
    expect(calm.metrics['backlog.growth']).toBeLessThanOrEqual(CONCURRENCY);
    expect(light.logs.some((l) => /removed \d+ jobs PerfLab added .* the app's own jobs were not touched/.test(l.message))).toBe(true);
    await expectOnlyOwnJobsGone();

    // Overload: 160 jobs/s is twice the capacity, so the workers are never idle and the
    // throughput is the pool's: concurrency / work time.
    const busyBefore = await appStats();
    const heavy = await start(profile({ arrivalRate: 160, durationMs: 3_000 })).handle.result;
    const busyAfter = await appStats();
    expect(heavy.status, heavy.error).toBe('completed');
    const busyWork = (busyAfter.workMs - busyBefore.workMs) / (busyAfter.ran - busyBefore.ran);
    const implied = (CONCURRENCY / busyWork) * 1000;
    expect(heavy.metrics['drain.rate'], `throughput ${heavy.metrics['drain.rate']} jobs/s vs ${implied.toFixed(1)} jobs/s implied by ${busyWork.toFixed(2)} ms × ${CONCURRENCY}`).toSatisfy((v: number) => within(v, implied, 0.15));
    expect(heavy.metrics['backlog.growth']).toBeGreaterThan(0.2 * 480);
    await expectOnlyOwnJobsGone();
  }, 60_000);

  it('removes only the jobs it added when cancelled mid-run, the waiting ones before the app runs them', async () => {
    const before = await appStats();
    const ac = new AbortController();
    const { handle } = start(profile({ arrivalRate: 160, durationMs: 10_000 }), context({ signal: ac.signal }));
    await new Promise<void>((resolve) => {
      const listener = (s: { total: number }) => {
        if (s.total >= 40) {
          handle.off('sample', listener);
          resolve();
        }
      };
      handle.on('sample', listener);
    });
    ac.abort();
    const outcome = await handle.result;
    expect(outcome.status).toBe('cancelled');
    await expectOnlyOwnJobsGone();
    const added = outcome.operations.find((o) => o.name === 'add')!.count;
    const settled = await appStats();
    // Nothing of PerfLab's is left to run: the count of jobs the app ran stays where it is.
    await new Promise((r) => setTimeout(r, 500));
    const later = await appStats();
    expect(later.ran).toBe(settled.ran);
    expect(settled.ran - before.ran).toBeLessThan(added);
  }, 60_000);

  it('refuses a remote Redis without allowHosts, and a queue the stack does not list, before connecting', async () => {
    const remote = start(profile(), context({ url: 'redis://10.255.255.1:6379' })).handle.result;
    await expect(remote).rejects.toBeInstanceOf(RunnerError);
    await expect(remote).rejects.toThrow(/not loopback and not in allowHosts/);
    const unlisted = start(profile(), context({ queues: [] })).handle.result;
    await expect(unlisted).rejects.toThrow(/"workers": "app" adds jobs to the app's queue "emails", which is not listed in stack.queues/);
    await expectOnlyOwnJobsGone();
  });

  it("finds the worker pool's capacity within 10 %", async () => {
    const before = await appStats();
    const threshold: Threshold = { metric: 'e2e.latency.p99', expression: '< 500ms', op: '<', value: 500, unit: 'ms' };
    const plan: CapacityPlan = { startRate: 20, maxRate: 2_000, stepMs: 3_000, precision: 0.05, growth: 2, maxSteps: 12 };
    const run = startCapacity(profile({ thresholds: [threshold] }), context(), plan);
    const outcome = await run.result;
    const after = await appStats();
    expect(outcome.status, outcome.error).toBe('completed');
    const c = outcome.capacity!;
    const work = (after.workMs - before.workMs) / (after.ran - before.ran);
    const implied = (CONCURRENCY / work) * 1000;
    expect(c.stop, JSON.stringify(c.steps)).toBe('bracketed');
    expect(c.rate, `capacity ${c.rate} jobs/s vs ${implied.toFixed(1)} jobs/s implied by ${work.toFixed(2)} ms × ${CONCURRENCY}; steps ${JSON.stringify(c.steps.map((s) => [s.rate, s.achieved, s.backlogGrowth, s.pass]))}`)
      .toSatisfy((v: number) => within(v, implied, 0.1));
    // Above the capacity every step failed for falling behind, not for noise.
    for (const s of c.steps.filter((x) => !x.pass)) expect(s.failed.join('; ')).toMatch(/throughput|backlog|e2e\.latency/);
    await expectOnlyOwnJobsGone();
  }, 120_000);
});
