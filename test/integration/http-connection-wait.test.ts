// Under overload, requests wait for their connection to carry the previous one: a target that
// blocks its event loop 200 ms once a second keeps every connection busy through the stall. The
// run must report that wait (`generator.connectionWait`), checked against the stalls the target
// measured itself; before, it only said "N sent late", which counts delays past a free connection.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/runRecord';
import { type CliFolder, cliFolder } from '../helpers/cli';
import { type HttpTarget, startHttpTarget } from '../helpers/httpTargets';

let folder: CliFolder;
let stalling: HttpTarget;

beforeAll(async () => {
  stalling = await startHttpTarget({ stallMs: 200, stallEveryMs: 1000 });
});
afterAll(() => stalling?.stop());
beforeEach(() => {
  folder = cliFolder('perflab-wait-');
});
afterEach(() => folder.remove());

describe('time spent waiting for a free connection', () => {
  it('is measured, reported in the record, the phase line and the text report, and put on the target', async () => {
    folder.write('perflab.config.json', {
      targets: { api: { baseUrl: stalling.url } },
      profiles: { overload: { type: 'http', target: 'api', phases: [{ name: 'steady', duration: '4s', arrivalRate: 500 }], scenarios: [{ name: 'root', request: { path: '/' } }] } },
    });
    await stalling.reset();
    const r = await folder.runAsync('run', 'overload', '--json', 'out.json');
    const { stalls } = await stalling.stats();
    expect(r.code, r.out + r.err).toBe(0);
    const record = JSON.parse(readFileSync(path.join(folder.dir, 'out.json'), 'utf8')) as RunRecord;
    const wait = record.generator!.connectionWait!;
    expect(stalls.length).toBeGreaterThanOrEqual(3);
    const longest = Math.max(...stalls);
    const report = JSON.stringify({ wait, stalls, generator: record.generator });
    // Each connection sends every 20 ms (10 connections at 500/s). Its request due just after a
    // stall begins is stuck in it; the next one, due 20 ms later, waits for that answer: the
    // stall less 20 ms, less the up to 20 ms between the stall's start and the first request due.
    // The answer that frees the connection is seen when the generator's loop gets to it: on a
    // busy machine that can add up to the generator's own worst delay (lateSendMaxMs) on top.
    const interval = 20;
    expect(wait.max, report).toBeGreaterThanOrEqual(longest - 2 * interval);
    expect(wait.max, report).toBeLessThanOrEqual(longest - interval + 10 + record.generator!.lateSendMaxMs);
    // About (stall − 20 ms) / 1 s of the requests wait, between 0 and that, so the 99th
    // percentile is about 170 ms of a 200 ms stall.
    expect(wait.p99, report).toBeGreaterThan(0.8 * (longest - interval));
    expect(wait.p99, report).toBeLessThanOrEqual(wait.max);
    // The target, not the generator, held the requests: the wait never makes the run
    // generator-bound (a busy machine may still make the generator late on its own account).
    expect(record.generator!.message ?? '', report).not.toMatch(/connection/);
    expect(r.err).toMatch(/connection wait p99 \d+ ms \(max \d+ ms\)/);
    expect(r.err).toMatch(/warn: phase "steady": requests waited up to \d+ ms \(p99 \d+ ms\) for their connection .*the target/);
    expect(r.out).toMatch(/^generator: .*sent late.*connection wait p99 \d+ ms, max \d+ ms/m);
  });
});
