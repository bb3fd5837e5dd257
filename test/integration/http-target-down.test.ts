// A target that dies mid-run (SIGKILL, as a crash or the OOM killer ends it): `perflab run` must
// fail (exit 3), stop early instead of loading a dead port to the end, keep what it measured with
// the reason it stopped, and count every error once in each row (overall, phase, scenario).
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperationResult, RunRecord } from '../../src/core/runRecord';
import { type CliFolder, cliFolder, STACK_LINE } from '../helpers/cli';
import { type HttpTarget, startHttpTarget } from '../helpers/httpTargets';
import { waitUntil } from '../helpers/redis';

let folder: CliFolder;
let target: HttpTarget | undefined;
let countFile: string;

beforeEach(() => {
  folder = cliFolder('perflab-down-');
  countFile = path.join(folder.dir, 'received.count');
});
afterEach(async () => {
  await target?.stop();
  folder.remove();
});

/** Requests the target received before it died: one byte each, written before it answered. */
const received = () => {
  try {
    return statSync(countFile).size;
  } catch {
    return 0;
  }
};

const scenarios = [
  { name: 'heavy', weight: 70, request: { path: '/heavy' } },
  { name: 'light', weight: 30, request: { path: '/light' } },
];

function writeConfig(url: string): void {
  folder.write('perflab.config.json', {
    targets: { api: { baseUrl: url } },
    profiles: {
      // The run: 10 s at an arrival rate, a threshold that a dead target would "pass".
      steady: { type: 'http', target: 'api', phases: [{ name: 'steady', duration: '10s', arrivalRate: 100 }], scenarios, thresholds: { 'latency.p99': '< 5s' } },
      short: { type: 'http', target: 'api', phases: [{ name: 'steady', duration: '3s', arrivalRate: 100 }], scenarios },
      slow: {
        type: 'http', target: 'api', timeout: '500ms', scenarios,
        phases: [{ name: 'steady', duration: '5s', arrivalRate: 20 }, { name: 'saturate', duration: '4s', connections: 2 }],
      },
      saturate: {
        type: 'http', target: 'api', scenarios, thresholds: { 'latency.p99': '< 5s' },
        phases: [{ name: 'warm-up', duration: '1s', arrivalRate: 50 }, { name: 'saturate', duration: '10s', connections: 4 }],
      },
    },
  });
}

const sum = (rows: OperationResult[], key: 'count' | 'errors') => rows.reduce((n, r) => n + r[key], 0);

/** Every error counted once in each row: the scenarios and the phases each add up to the whole run. */
function expectConsistentCounts(record: RunRecord): void {
  const overall = record.overall!;
  expect(sum(record.operations, 'errors')).toBe(overall.errors);
  expect(sum(record.phases, 'errors')).toBe(overall.errors);
  expect(sum(record.operations, 'count')).toBe(overall.count);
  expect(sum(record.phases, 'count')).toBe(overall.count);
  const kinds = (rows: OperationResult[]) => {
    const out: Record<string, number> = {};
    for (const r of rows) for (const [k, n] of Object.entries(r.errorsByKind ?? {})) out[k] = (out[k] ?? 0) + n;
    return out;
  };
  expect(kinds(record.operations)).toEqual(overall.errorsByKind);
  expect(kinds(record.phases)).toEqual(overall.errorsByKind);
  for (const s of record.operations) expect(s.errors, `scenario ${s.name}`).toBeGreaterThan(0);
}

function recordOf(r: { out: string }): RunRecord {
  const file = /^run record: (.+)$/m.exec(r.out)![1]!;
  return JSON.parse(readFileSync(path.join(folder.dir, file), 'utf8')) as RunRecord;
}

describe('a target killed mid-run', () => {
  it('arrival rate: SIGKILL 2 s into a 10 s run fails the run with exit 3, stops early, keeps what was measured', async () => {
    target = await startHttpTarget({ countFile });
    writeConfig(target.url);
    const run = folder.start('run', 'steady', '--json', 'out.json');
    await waitUntil(() => received() >= 200, '2 s of requests at 100/s');
    await target.kill();
    const r = await run.result;

    expect(r.code, r.out + r.err).toBe(3);
    expect(r.out).toMatch(/^steady \(http\) FAILED/m);
    expect(r.out).toMatch(/^error: the target stopped answering/m);
    expect(r.err).not.toMatch(STACK_LINE);
    const record = recordOf(r);
    expect(record.status).toBe('failed');
    expect(record.pass).toBe(false);
    expect(record.error).toMatch(/stopped answering .*every request for \d+(\.\d)? s failed with a connection error \(ECONNREFUSED × \d+/);
    // Stopped early: the phase ran for less than its 10 s.
    expect(record.phases[0]!.durationMs).toBeLessThan(10_000);
    // What was measured is kept, and true: every answered request is one the target received; the
    // requests it received but never answered were in flight when it died (10 connections).
    const answered = record.overall!.count - record.overall!.errors;
    const seen = received();
    expect(answered).toBeLessThanOrEqual(seen);
    expect(seen - answered).toBeLessThanOrEqual(10);
    expect(record.overall!.errors).toBeGreaterThan(0);
    expectConsistentCounts(record);
    // --json writes the same record.
    expect(JSON.parse(readFileSync(path.join(folder.dir, 'out.json'), 'utf8'))).toEqual(record);
  });

  it('killed too close to the end for the run to stop early: the run still fails, since the port is dead at the end', async () => {
    target = await startHttpTarget({ countFile });
    writeConfig(target.url);
    const run = folder.start('run', 'short');
    await waitUntil(() => received() >= 200, '2 s of requests at 100/s');
    await target.kill();
    const r = await run.result;
    expect(r.code, r.out + r.err).toBe(3);
    const record = recordOf(r);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/^the target stopped answering .* until the run ended, and it is still down: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused/);
    expect(record.phases[0]!.count).toBe(300);
    expectConsistentCounts(record);
  });

  it('a slow target that is alive is not "down": its requests time out, and the run completes', async () => {
    target = await startHttpTarget({ countFile, delayMs: 2_000 });
    writeConfig(target.url);
    const r = await folder.runAsync('run', 'slow');
    expect(r.code, r.out + r.err).toBe(0);
    const record = recordOf(r);
    expect(record.status).toBe('completed');
    const [open, closed] = record.phases;
    expect(open).toMatchObject({ count: 100, errors: 100, errorsByKind: { timeout: 100 } });
    // The closed loop times out each connection's request (autocannon's timeout is at least 1 s)
    // and sends the next; each timeout counts against the request's scenario.
    expect(closed!.errors).toBeGreaterThan(0);
    expect(closed).toMatchObject({ count: closed!.errors, errorsByKind: { timeout: closed!.errors } });
    const closedSeen = received() - 100;
    expect(closedSeen - closed!.errors).toBeGreaterThanOrEqual(0);
    expect(closedSeen - closed!.errors).toBeLessThanOrEqual(2);
    expectConsistentCounts(record);
  });

  it('closed loop: SIGKILL during the closed-loop phase fails the run, and every scenario row counts its errors', async () => {
    target = await startHttpTarget({ countFile });
    writeConfig(target.url);
    const run = folder.start('run', 'saturate');
    await waitUntil(() => /phase "warm-up"/.test(run.err()), 'the warm-up phase to end');
    const atWarmUpEnd = received();
    await waitUntil(() => received() >= atWarmUpEnd + 500, 'closed-loop requests');
    await target.kill();
    const r = await run.result;

    expect(r.code, r.out + r.err).toBe(3);
    expect(r.out).toMatch(/^saturate \(http\) FAILED/m);
    const record = recordOf(r);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/the target stopped answering .*connection error/);
    const [warmUp, saturate] = record.phases;
    expect(warmUp).toMatchObject({ count: 50, errors: 0 });
    expect(saturate!.durationMs).toBeLessThan(10_000);
    expect(saturate!.errors).toBeGreaterThan(0);
    const answered = record.overall!.count - record.overall!.errors;
    const seen = received();
    expect(answered).toBeLessThanOrEqual(seen);
    expect(seen - answered).toBeLessThanOrEqual(4);
    expectConsistentCounts(record);
    // The per-scenario rows of the text report show the errors too.
    for (const name of ['heavy', 'light']) expect(r.out).toMatch(new RegExp(`^${name}\\s+[\\d,]+\\s+[\\d,.]+ req\\/s\\s+[1-9][\\d,]* \\(`, 'm'));
  });
});
