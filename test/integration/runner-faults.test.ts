// A Redis or BullMQ run that meets an error nobody planned for (a value too large to build, an
// operation or a bookkeeping step that throws) must still end: status failed with one line that
// says what happened (the stack only with PERFLAB_DEBUG=1), its keys removed, its connections
// closed and its timers cleared, with the user's keys untouched. The huge sizes are the ones of
// the report; validation refuses them now, so the runners are called directly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BullmqProfile, PerfLabConfig, RedisMode, RedisProfile } from '../../src/core/config';
import { textReport } from '../../src/core/report/text';
import { RunStore } from '../../src/core/runStore';
import { runBullmqProfile } from '../../src/runners/queue';
import { JobPlan } from '../../src/runners/queue/jobs';
import { Recorder } from '../../src/runners/recorder';
import { runRedisProfile } from '../../src/runners/redis';
import { runProfile } from '../../src/runners/runProfile';
import type { RunHandle, RunLog, RunnerOutcome } from '../../src/runners/types';
import { activeResources, waitForResourcesBack } from '../helpers/handles';
import { useLocalRedis, waitUntil } from '../helpers/redis';
import { foreignKeys, seedUserKeys, verifyUserKeys, type UserKeys } from '../helpers/userKeys';

// Operations named here throw a TypeError from their `after`-th call on, as a bug in one would.
const faults = vi.hoisted(() => ({ operations: new Map<string, number>() }));
vi.mock('../../src/runners/redis/operations', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/runners/redis/operations')>();
  return {
    ...real,
    createOperation: (...args: Parameters<typeof real.createOperation>) => {
      const op = real.createOperation(...args);
      const after = faults.operations.get(op.name);
      if (after === undefined) return op;
      let calls = 0;
      const check = () => {
        if (++calls >= after) throw new TypeError(`injected fault in ${op.name}`);
      };
      return {
        ...op,
        run: (client, i) => (check(), op.run(client, i)),
        queue: (pipeline, i) => (check(), op.queue(pipeline, i)),
      } satisfies typeof op;
    },
  };
});

const redisUrl = useLocalRedis();
const STACK_LINE = /\n\s+at /;

function config(): PerfLabConfig {
  return { stack: { redis: { url: redisUrl() }, queues: [] }, targets: {}, allowHosts: [], profiles: {} };
}

function redisProfile(overrides: Partial<RedisProfile> = {}): RedisProfile {
  return {
    name: 'redis-ops', type: 'redis', operations: ['set', 'incr', 'get'], mode: 'concurrent', concurrency: 50, pipeline: 16,
    iterations: 3_000, valueSize: 100, thresholds: [], source: { line: 1, column: 1 }, ...overrides,
  };
}

function bullmqProfile(overrides: Partial<BullmqProfile> = {}): BullmqProfile {
  return {
    name: 'queue-ops', type: 'bullmq', queue: 'messages', mode: 'e2e', jobs: 2_000, bulkSize: 100, workerConcurrency: [4],
    failRate: 0, attempts: 1, payloadSize: 256, processTimeMs: 0, thresholds: [], source: { line: 1, column: 1 }, ...overrides,
  };
}

async function finish(handle: RunHandle): Promise<{ outcome: RunnerOutcome; logs: RunLog[] }> {
  const logs: RunLog[] = [];
  handle.on('log', (l) => logs.push(l));
  // A hang fails here (the test's timeout) instead of passing.
  const outcome = await handle.result;
  return { outcome, logs };
}

describe('runners end after an unexpected error', () => {
  let admin: Redis;
  let user: UserKeys;
  let baseline: Map<string, number>;

  beforeAll(async () => {
    admin = new Redis(redisUrl());
    user = await seedUserKeys(admin, { count: 2_000 });
  });
  beforeEach(() => {
    baseline = activeResources();
  });
  afterEach(async () => {
    faults.operations.clear();
    vi.restoreAllMocks();
    // Connections closed, timers cleared, nothing left of the run in Redis.
    await waitForResourcesBack(baseline);
    await waitUntil(async () => !/name=(perflab|perflab-bench-)/.test((await admin.client('LIST')) as string), 'the run to close its Redis connections');
    expect(await foreignKeys(admin, user)).toEqual([]);
    expect(await verifyUserKeys(admin, user)).toEqual([]);
  });
  afterAll(() => admin.disconnect());

  it('Redis, valueSize 9999999999: failed, one line, nothing left', async () => {
    const { outcome } = await finish(runRedisProfile(redisProfile({ valueSize: 9_999_999_999 }), { config: config(), configDir: '.', env: {}, trusted: true }));
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/RangeError \[ERR_OUT_OF_RANGE\]: The value of "size" is out of range/);
    expect(outcome.error).not.toMatch(STACK_LINE);
  });

  it('Redis, with PERFLAB_DEBUG=1 the error carries its stack', async () => {
    const { outcome } = await finish(runRedisProfile(redisProfile({ valueSize: 9_999_999_999 }), { config: config(), configDir: '.', env: { PERFLAB_DEBUG: '1' }, trusted: true }));
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(STACK_LINE);
  });

  it('the run record and the text report the CLI prints say it in one line (exit 3: failed, no config error)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'perflab-faults-'));
    try {
      const p = redisProfile({ valueSize: 9_999_999_999 });
      const run = runProfile({ config: { ...config(), profiles: { [p.name]: p } }, profile: p.name, configDir: dir, store: new RunStore(dir), env: {}, trusted: true });
      const record = await run.record;
      expect(record.status).toBe('failed');
      expect(run.errorCode).toBeUndefined();
      const errorLines = textReport(record).split('\n').filter((l) => l.startsWith('error: '));
      expect(errorLines).toEqual([expect.stringMatching(/^error: Redis benchmark failed: RangeError \[ERR_OUT_OF_RANGE\]: .* \(at .+\)$/)]);
      expect(textReport(record)).not.toMatch(STACK_LINE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const mode of ['concurrent', 'pipeline', 'sequential'] as RedisMode[]) {
    it(`Redis, an operation that throws mid-run (${mode}): failed, keys removed, connections closed`, async () => {
      faults.operations.set('get', 500);
      const { outcome, logs } = await finish(runRedisProfile(redisProfile({ mode }), { config: config(), configDir: '.', env: {}, trusted: true }));
      expect(outcome.status).toBe('failed');
      expect(outcome.error).toMatch(/TypeError: injected fault in get/);
      expect(outcome.error).not.toMatch(STACK_LINE);
      // What was measured before the fault is kept.
      expect(outcome.operations.map((o) => o.name)).toEqual(['set', 'incr', 'get']);
      expect(logs.some((l) => l.message.startsWith("removed the benchmark's"))).toBe(true);
    });
  }

  it('BullMQ, payloadSize 9999999999: failed, one line, nothing left', async () => {
    const { outcome } = await finish(runBullmqProfile(bullmqProfile({ payloadSize: 9_999_999_999 }), { config: config(), configDir: '.', env: {}, trusted: true }));
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/RangeError/);
    expect(outcome.error).not.toMatch(STACK_LINE);
  });

  for (const [what, p] of [
    ['add, closed loop', bullmqProfile({ mode: 'add' })],
    ['e2e at an arrival rate', bullmqProfile({ mode: 'e2e', arrivalRate: 1_000 })],
    ['drain (bulk fill)', bullmqProfile({ mode: 'drain' })],
  ] as const) {
    it(`BullMQ, building a job throws mid-run (${what}): failed, queues removed, connections closed`, async () => {
      const data = JobPlan.prototype.data;
      let calls = 0;
      vi.spyOn(JobPlan.prototype, 'data').mockImplementation(function (this: JobPlan, seq: number) {
        if (++calls >= 300) throw new TypeError('injected fault in JobPlan.data');
        return data.call(this, seq);
      });
      const { outcome, logs } = await finish(runBullmqProfile(p, { config: config(), configDir: '.', env: {}, trusted: true }));
      expect(outcome.status).toBe('failed');
      expect(outcome.error).toMatch(/TypeError: injected fault in JobPlan\.data/);
      expect(outcome.error).not.toMatch(STACK_LINE);
      expect(logs.some((l) => /^removed the benchmark's \d+ keys/.test(l.message))).toBe(true);
    });
  }

  it('BullMQ, the completion bookkeeping throws inside the worker: failed, not hung', async () => {
    const ok = Recorder.prototype.ok;
    let calls = 0;
    vi.spyOn(Recorder.prototype, 'ok').mockImplementation(function (this: Recorder, ...args: Parameters<Recorder['ok']>) {
      if (this.name.startsWith('drain') && ++calls >= 100) throw new TypeError('injected fault in a completion');
      return ok.apply(this, args);
    });
    const { outcome } = await finish(runBullmqProfile(bullmqProfile({ mode: 'drain' }), { config: config(), configDir: '.', env: {}, trusted: true }));
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/TypeError: injected fault in a completion/);
    expect(outcome.error).not.toMatch(STACK_LINE);
  });
});
