// The stack evidence of a run, against a real redis-server of this file's own and a real BullMQ
// queue: an HTTP run (which sends nothing to Redis itself) while the test issues commands it
// counts, a deliberately slow script and jobs; the run's record must show exactly those, the
// user's keys must be untouched, and a Redis that refuses INFO and LATENCY (an ACL user, as on a
// managed server) or is not there at all is said in words while the run still completes.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText, type PerfLabConfig } from '../../src/core/config';
import { markdownReport } from '../../src/core/report/markdown';
import { textReport } from '../../src/core/report/text';
import type { RunRecord } from '../../src/core/runRecord';
import { RunStore } from '../../src/core/runStore';
import type { StackSeriesFile } from '../../src/core/stackEvidence';
import { runProfile } from '../../src/runners/runProfile';
import { readStackStatus } from '../../src/runners/stack';
import { cliFolder } from '../helpers/cli';
import { activeResources, waitForResourcesBack } from '../helpers/handles';
import { type HttpTarget, startHttpTarget } from '../helpers/httpTargets';
import { useLocalRedis, waitUntil } from '../helpers/redis';
import { foreignKeys, seedUserKeys, verifyUserKeys } from '../helpers/userKeys';

const redisUrl = useLocalRedis();
let target: HttpTarget;
let admin: Redis;
const prefix = `ev${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  target = await startHttpTarget();
  admin = new Redis(redisUrl());
  // On this file's own server only: log what takes 20 ms or more, and let the latency monitor see it.
  await admin.config('SET', 'slowlog-log-slower-than', '20000');
  await admin.config('SET', 'latency-monitor-threshold', '10');
});
afterAll(async () => {
  admin?.disconnect();
  await target?.stop();
});

/** A config with the stack's Redis and two queues, and an HTTP profile of `seconds` at 5 req/s. */
function configText(url: string, seconds: number): string {
  return JSON.stringify({
    // `ghost` is a queue nobody made: reading it must not make it (BullMQ writes a queue's meta hash when a Queue opens).
    stack: { redis: { url }, queues: [{ name: 'messages', prefix }, { name: 'ghost', prefix }] },
    targets: { api: { baseUrl: target.url } },
    profiles: {
      idle: { type: 'http', target: 'api', phases: [{ name: 'steady', duration: `${seconds}s`, arrivalRate: 5 }], scenarios: [{ name: 'root', request: { path: '/' } }] },
    },
  }, null, 2);
}

function config(url: string, seconds: number): PerfLabConfig {
  const parsed = parseConfigText(configText(url, seconds));
  if (!parsed.config) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.config;
}

/** A script that keeps Redis busy for about 30 ms: a slow command of the test's own making. */
const SPIN = "local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - s >= 30000 return 1";

describe('stack evidence of a run', () => {
  it("shows the commands, slow log, latency, memory, clients and queue counts of the run, and leaves the user's keys as they were", async () => {
    const folder = cliFolder('perflab-evidence-');
    const dir = path.join(folder.dir, '.perflab', 'runs');
    const keys = await seedUserKeys(admin, { count: 40, prefix: `${prefix}-app:` });
    const queue = new Queue('messages', { connection: { host: '127.0.0.1', port: Number(new URL(redisUrl()).port) }, prefix });
    await queue.getVersion(); // its meta hash written (by the test's queue) before the run
    const meta = await admin.dump(`${prefix}:messages:meta`);
    expect(meta).not.toBeNull();
    try {
      const run = runProfile({ config: config(redisUrl(), 4), profile: 'idle', configDir: dir, store: new RunStore(dir), env: {}, trusted: true });
      // The runner starts once the start readings are taken.
      await new Promise<void>((resolve) => run.handle.once('progress', () => resolve()));
      const CALLS = 37;
      for (let i = 0; i < CALLS; i++) await admin.pfadd(`${prefix}-hll`, `v${i}`);
      await admin.eval(SPIN, 0);
      await queue.addBulk(Array.from({ length: 5 }, (_, i) => ({ name: 'm', data: { i } })));
      const rec = await run.record;
      expect(rec.status).toBe('completed');
      const e = rec.stack!;
      expect(e.target).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/0$/);
      expect(e.version).toMatch(/^\d+\.\d+/);
      expect(e.unavailable).toEqual([]);

      // INFO commandstats, end minus start: exactly the test's calls.
      expect(e.commands!.find((c) => c.command === 'pfadd')).toMatchObject({ calls: CALLS });
      // EVAL also carries BullMQ's scripts the first time each runs (the test's adds, the counts): at least the spin's time.
      expect(e.commands!.find((c) => c.command === 'eval')!.usec).toBeGreaterThanOrEqual(30_000);
      // SLOWLOG: the script, and only what appeared during the run.
      expect(e.slowlog!.slowerThanUs).toBe(20_000);
      expect(e.slowlog!.entries).toEqual([expect.objectContaining({ command: 'eval', durationUs: expect.any(Number), args: [expect.stringMatching(/^local t = redis\.call/), '0'] })]);
      expect(e.slowlog!.entries[0]!.durationUs).toBeGreaterThanOrEqual(30_000);
      // LATENCY LATEST: the spike of the script; LATENCY HISTOGRAM (Redis 7) of the top commands.
      expect(e.latency!.monitorThresholdMs).toBe(10);
      expect(e.latency!.events.map((ev) => ev.event)).toContain('command');
      if (Number(e.version!.split('.')[0]) >= 7) expect(e.latency!.histograms!.find((h) => h.command === 'eval')!.maxUs).toBeGreaterThanOrEqual(30_000);
      // Memory and clients about once a second; the test's connections count among the clients.
      expect(e.samples).toBeGreaterThanOrEqual(3);
      expect(e.memory!.max).toBeGreaterThan(0);
      expect(e.clients!.max).toBeGreaterThanOrEqual(3);

      // The queue's counts over time: none waiting at the start, the test's five by the end.
      const q = e.queues[0]!;
      expect(q).toMatchObject({ name: 'messages', prefix, start: { waiting: 0 }, max: { waiting: 5 }, end: { waiting: 5 } });
      expect(q.error).toBeUndefined();
      expect(e.queues[1]).toMatchObject({ name: 'ghost', max: { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 } });
      const artifact = rec.artifacts.find((a) => a.kind === 'stack')!;
      expect(artifact.file).toBe('stack.json');
      const series = JSON.parse(readFileSync(path.join(dir, rec.id, artifact.file), 'utf8')) as StackSeriesFile;
      expect(series.t.length).toBe(e.samples);
      expect(series.memory.every((m) => typeof m === 'number' && m > 0)).toBe(true);
      const waiting = series.queues[0]!.counts.waiting;
      expect(waiting[0]).toBe(0);
      expect(waiting[waiting.length - 1]).toBe(5);

      // The reports say it.
      const text = textReport(rec);
      expect(text).toMatch(/^redis: redis:\/\/127\.0\.0\.1:\d+\/0 \(Redis \d/m);
      expect(text).toMatch(/^\s+pfadd\s+37\s/m);
      expect(text).toMatch(/1 new slow log entry \(slower than 20\.0 ms\):\n\s+\d\d:\d\d:\d\d\s+[\d.]+ ms\s+eval local t = redis/);
      expect(text).toMatch(/^ {2}messages: waiting max 5, active max 0, delayed max 0, failed max 0; waiting 0 → 5 \(growing\)/m);
      expect(markdownReport(rec)).toMatch(/^\| `messages` \| 5 \| 0 \| 0 \| 0 \| 0 → 5 \| growing \|/m);

      // Nothing written, nothing reset: the user's keys and the queue's meta hash as they were, nothing new but the test's own.
      expect(await verifyUserKeys(admin, keys)).toEqual([]);
      expect(await admin.dump(`${prefix}:messages:meta`)).toEqual(meta);
      expect((await foreignKeys(admin, keys)).filter((k) => !k.startsWith(`${prefix}-hll`) && !k.startsWith(`${prefix}:messages:`))).toEqual([]);
      // Its connection is gone.
      await waitUntil(async () => !/name=perflab-evidence/.test(String(await admin.client('LIST'))), 'the evidence connection to close');
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await admin.del(`${prefix}-hll`, ...keys.names);
      folder.remove();
    }
  });

  it('a cancelled run still has its evidence, and leaves no connection or timer behind', async () => {
    const folder = cliFolder('perflab-evidence-');
    const dir = path.join(folder.dir, '.perflab', 'runs');
    const baseline = activeResources();
    const run = runProfile({ config: config(redisUrl(), 30), profile: 'idle', configDir: dir, store: new RunStore(dir), env: {}, trusted: true });
    await new Promise<void>((resolve) => run.handle.once('progress', () => resolve()));
    run.handle.cancel();
    const rec = await run.record;
    expect(rec.status).toBe('cancelled');
    expect(rec.stack!.samples).toBeGreaterThanOrEqual(1);
    expect(rec.stack!.queues[0]).toMatchObject({ start: { waiting: 0 } });
    await waitForResourcesBack(baseline);
    await waitUntil(async () => !/name=perflab-evidence/.test(String(await admin.client('LIST'))), 'the evidence connection to close');
    folder.remove();
  });

  it('a run that fails still has its evidence, and closes its connection', async () => {
    const folder = cliFolder('perflab-evidence-');
    const dir = path.join(folder.dir, '.perflab', 'runs');
    const parsed = parseConfigText(configText(redisUrl(), 1).replace(target.url, 'http://127.0.0.1:9'));
    const rec = await runProfile({ config: parsed.config!, profile: 'idle', configDir: dir, store: new RunStore(dir), env: {}, trusted: true }).record;
    expect(rec.status).toBe('failed');
    expect(rec.stack).toMatchObject({ unavailable: [], queues: [{ name: 'messages', samples: expect.any(Number) }, { name: 'ghost' }] });
    expect(rec.stack!.samples).toBeGreaterThanOrEqual(1);
    await waitUntil(async () => !/name=perflab-evidence/.test(String(await admin.client('LIST'))), 'the evidence connection to close');
    folder.remove();
  });

  it("the Stack view's reading of the same queues writes nothing either", async () => {
    const queue = new Queue('messages', { connection: { host: '127.0.0.1', port: Number(new URL(redisUrl()).port) }, prefix });
    try {
      await queue.addBulk([{ name: 'm', data: {} }, { name: 'm', data: {} }]);
      const meta = await admin.dump(`${prefix}:messages:meta`);
      const status = await readStackStatus(config(redisUrl(), 1), {}, 'perflab.config.json');
      expect(status.queues.map((q) => [q.name, q.counts?.waiting])).toEqual([['messages', 2], ['ghost', 0]]);
      expect(await admin.dump(`${prefix}:messages:meta`)).toEqual(meta);
      expect(await admin.exists(`${prefix}:ghost:meta`)).toBe(0);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('a Redis that refuses INFO and LATENCY, or is not there, is said in words; the run completes (the built CLI)', async () => {
    const user = `ev-limited-${prefix}`;
    await admin.call('ACL', 'SETUSER', user, 'on', '>secret', '~*', '&*', '+@all', '-info', '-latency');
    const folder = cliFolder('perflab-evidence-');
    const saved = process.env.PERFLAB_REDIS_PASSWORD;
    try {
      const limited = new URL(redisUrl());
      limited.username = user;
      folder.write('perflab.config.json', configText(limited.toString(), 2));
      process.env.PERFLAB_REDIS_PASSWORD = 'secret';
      const r = await folder.runAsync('run', 'idle');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^ {2}not read: INFO was refused \(NOPERM[^)]*info[^)]*\): no command statistics, memory or clients\.$/m);
      expect(r.out).toMatch(/^ {2}not read: LATENCY LATEST was refused or failed \(NOPERM[^)]*\): no latency events\.$/m);
      // What the server still allowed is there: the slow log, and the queue's counts (BullMQ's count script needs no INFO).
      expect(r.out).toMatch(/^ {2}no new slow log entry \(slower than 20\.0 ms\)$/m);
      expect(r.out).toMatch(/^ {2}messages: waiting max 0, active max 0/m);
      const id = /— run (\S+)/.exec(r.out)![1]!;
      const rec = JSON.parse(readFileSync(path.join(folder.dir, '.perflab/runs', id, 'run.json'), 'utf8')) as RunRecord;
      expect(rec.status).toBe('completed');
      expect(rec.stack!.commands).toBeUndefined();
      expect(rec.stack!.unavailable).toHaveLength(3);
      expect(rec.stack!.unavailable[1]).toMatch(/^LATENCY HISTOGRAM was refused or failed/);

      // A Redis that is not there: one sentence, the run still passes.
      const down = new URL(redisUrl());
      down.port = String(Number(down.port) + 1);
      folder.write('perflab.config.json', configText(down.toString(), 1));
      const d = await folder.runAsync('run', 'idle');
      expect(d.code).toBe(0);
      expect(d.out).toMatch(/^ {2}not read: Nothing of the stack Redis or its queues was read: cannot connect to Redis at 127\.0\.0\.1:\d+ \(connection refused\)/m);
      expect(d.out).toMatch(/^ {2}messages: not read: the stack Redis was not read$/m);
    } finally {
      if (saved === undefined) delete process.env.PERFLAB_REDIS_PASSWORD;
      else process.env.PERFLAB_REDIS_PASSWORD = saved;
      await admin.call('ACL', 'DELUSER', user);
      folder.remove();
    }
  });
});
