// Diagnosis, hold-out style: five services each with one known problem (a synchronous block in a
// named function, a CPU-heavy handler past what one core serves, an allocation storm, a cache
// that never evicts, a route waiting on a Lua script that spins inside Redis) and a healthy one,
// each diagnosed as a user would: `perflab diagnose --pid PID --under PROFILE` on the running
// process (a CPU profile and heap sampling under load), then `perflab diagnose RUN` on the run it
// recorded. Each problem must be the top finding, naming its function or command; the healthy
// service gets nothing above info. The Redis holds 10,000 user keys, which stay as they were.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnosis, FindingId } from '../../src/core/diagnosis';
import type { RunRecord } from '../../src/core/runRecord';
import { type TargetProcess, startTarget } from '../fixtures/targets/harness';
import { type CliFolder, cliFolder, STACK_LINE } from '../helpers/cli';
import { useLocalRedis } from '../helpers/redis';
import { seedUserKeys, verifyUserKeys, type UserKeys } from '../helpers/userKeys';

const redisUrl = useLocalRedis();
let userKeys: UserKeys;
let admin: Redis;
let folder: CliFolder;
let target: TargetProcess | undefined;

beforeAll(async () => {
  admin = new Redis(redisUrl());
  userKeys = await seedUserKeys(admin, { count: 10_000 });
  await admin.set('diagnosis:item', JSON.stringify({ id: 1, name: 'item' }));
  // The slow log takes what the spinning script costs (the default 10 ms would also do).
  await admin.config('SET', 'slowlog-log-slower-than', '5000');
});
afterAll(async () => {
  expect(await verifyUserKeys(admin, userKeys)).toEqual([]);
  await admin.quit();
});
afterEach(async () => {
  await target?.stop();
  target = undefined;
  folder?.remove();
});

interface Case {
  problem: string;
  path: string;
  /** The load: arrival-rate phases [rate per second, seconds]. */
  phases: [number, number][];
  top: FindingId;
  /** The function or Redis command the top finding must name. */
  names: string;
}

const CASES: Case[] = [
  { problem: 'block', path: '/report', phases: [[4, 5]], top: 'event-loop-blocked', names: 'buildReport' },
  // 50/s is far below what one core serves at 4 ms a request; 400/s is past it (about 250/s).
  { problem: 'cpu', path: '/hash', phases: [[50, 2], [400, 5]], top: 'cpu-bound', names: 'hashPassword' },
  { problem: 'alloc', path: '/rows', phases: [[60, 6]], top: 'gc-pressure', names: 'buildRows' },
  { problem: 'cache', path: '/user', phases: [[150, 8]], top: 'memory-growth', names: '' },
  { problem: 'redis', path: '/rank', phases: [[20, 5]], top: 'downstream-bound', names: 'eval' },
];

async function start(problem: string): Promise<number> {
  target = await startTarget('diagnosis.cjs', { env: { PROBLEM: problem, REDIS_URL: redisUrl() }, ready: /^listening \d+/ });
  return Number(/^listening (\d+)/.exec(target.stdout.find((l) => l.startsWith('listening'))!)![1]);
}

function writeConfig(port: number, urlPath: string, phases: [number, number][]): void {
  folder.write('perflab.config.json', {
    targets: { api: { baseUrl: `http://127.0.0.1:${port}` } },
    stack: { redis: { url: redisUrl() } },
    profiles: {
      load: {
        type: 'http',
        target: 'api',
        phases: phases.map(([rate, s], i) => ({ name: `p${i + 1}`, duration: `${s}s`, arrivalRate: rate })),
        scenarios: [{ name: 'route', request: { path: urlPath } }],
      },
    },
  });
}

/** Diagnoses the running target under the profile, then again from the run it recorded. */
async function diagnoseUnderLoad(): Promise<{ record: RunRecord; again: Diagnosis; out: string }> {
  const live = await folder.runAsync('diagnose', '--pid', String(target!.pid), '--under', 'load');
  expect(live.err).not.toMatch(STACK_LINE);
  const runDir = /^saved in (\S+): /m.exec(live.out)?.[1];
  expect(runDir, `no run folder in:\n${live.out}\n${live.err}`).toBeDefined();
  const record = JSON.parse(readFileSync(path.resolve(folder.dir, runDir!, 'run.json'), 'utf8')) as RunRecord;
  expect(record.status).toBe('completed');
  expect(record.artifacts.map((a) => a.kind)).toEqual(expect.arrayContaining(['cpuprofile', 'heapprofile', 'timeline', 'stack']));
  const again = await folder.runAsync('diagnose', record.id, '--json');
  expect(again.err).not.toMatch(STACK_LINE);
  return { record, again: JSON.parse(again.out) as Diagnosis, out: live.out };
}

const summary = (d: Diagnosis | undefined) => (d?.findings ?? []).map((f) => `${f.severity} ${f.id}: ${f.title}`).join('\n');

describe('diagnosis of a service with one known problem', () => {
  for (const c of CASES) {
    it(`${c.problem}: ${c.top} is the top finding${c.names ? `, naming ${c.names}` : ''}`, async () => {
      folder = cliFolder(`perflab-diagnosis-${c.problem}-`);
      writeConfig(await start(c.problem), c.path, c.phases);
      const { record, again, out } = await diagnoseUnderLoad();
      const d = record.diagnosis;
      expect(d, 'run.json has no diagnosis').toBeDefined();
      const top = d!.findings[0];
      expect(top?.id, `findings:\n${summary(d)}`).toBe(c.top);
      expect(top!.severity).not.toBe('info');
      if (c.names) {
        const named = [...(top!.code ?? []).slice(0, 1).map((f) => f.name), top!.command ?? ''];
        expect(named, `findings:\n${summary(d)}`).toContain(c.names);
        expect(top!.title).toContain(c.names);
      }
      expect(top!.evidence.length).toBeGreaterThan(0);
      expect(top!.next).not.toBe('');
      // The CLI printed it, and `perflab diagnose RUN` finds the same from the run's folder.
      expect(out).toContain(`${top!.id}: ${top!.title}`);
      expect(again.findings.map((f) => f.id)).toEqual(d!.findings.map((f) => f.id));
      expect(again.findings[0]!.title).toBe(top!.title);
    });
  }

  it('a healthy service: no finding above info', async () => {
    folder = cliFolder('perflab-diagnosis-healthy-');
    writeConfig(await start('healthy'), '/item', [[40, 5]]);
    const { record, again } = await diagnoseUnderLoad();
    expect(record.diagnosis!.findings.filter((f) => f.severity !== 'info'), summary(record.diagnosis)).toEqual([]);
    expect(again.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(record.diagnosis!.read).toEqual(['run', 'process', 'CPU profile', 'heap profile', 'stack']);
    // Nothing to report: exit 0, and the text says what it read.
    const text = folder.run('diagnose', 'latest');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/findings: nothing found in run, process, CPU profile, heap profile, stack/);
  });
});

describe('perflab diagnose RUN', () => {
  const FIXTURE = path.resolve('test/fixtures/runs/20261203T080404Z-report-61e0d3');
  const ID = path.basename(FIXTURE);

  it('reads a recorded run again; a damaged capture is left out and said, not fatal; a wrong run is a usage error', async () => {
    folder = cliFolder('perflab-diagnose-run-');
    const runDir = path.join(folder.dir, '.perflab/runs', ID);
    mkdirSync(runDir, { recursive: true });
    for (const f of readdirSync(FIXTURE)) copyFileSync(path.join(FIXTURE, f), path.join(runDir, f));

    const text = folder.run('diagnose', ID);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^report \(http\) — run 20261203T080404Z-report-61e0d3\nfindings \(from run, process, CPU profile, stack\):\n {2}CRITICAL event-loop-blocked: The event loop was blocked by `buildReport` \(\S*test\/fixtures\/targets\/diagnosis\.cjs:22\)/);
    // The fixture keeps no heap profile: it says so, the rest counts.
    expect(text.out).toContain('(heap.heapprofile could not be read');
    const md = folder.run('diagnose', 'latest', '--markdown', 'findings.md');
    expect(md.code).toBe(1);
    expect(readFileSync(path.join(folder.dir, 'findings.md'), 'utf8')).toMatch(/^### Findings\n\n🔴 \*\*The event loop was blocked by `buildReport` \(\S*test\/fixtures\/targets\/diagnosis\.cjs:22\)\*\* \(`event-loop-blocked`, critical\)/);

    // A truncated CPU profile: no spikes to name a function, and the reason in words.
    const cpu = readFileSync(path.join(runDir, 'cpu.cpuprofile'));
    writeFileSync(path.join(runDir, 'cpu.cpuprofile'), cpu.subarray(0, cpu.length >> 1));
    const damaged = folder.run('diagnose', ID, '--json');
    expect(damaged.err).not.toMatch(STACK_LINE);
    const d = JSON.parse(damaged.out) as Diagnosis;
    expect(d.read).not.toContain('CPU profile');
    expect(d.missing.join('\n')).toMatch(/cpu\.cpuprofile could not be read \(.*(truncated|ends|incomplete).*\)/i);
    expect(d.findings[0]).toMatchObject({ id: 'event-loop-blocked', title: 'The event loop was blocked for up to 123 ms' });

    const wrong = folder.run('diagnose', 'no-such-run');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/no run "no-such-run": give a run id from .*, a run folder or its run\.json or "latest"/);
    expect(folder.run('diagnose').code).toBe(2);
  });
});
