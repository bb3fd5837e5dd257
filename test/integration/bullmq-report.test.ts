// The reports of real BullMQ runs: each result row once (the headline is one of the operations,
// shown in its place under the headline's name), the latency line saying what was measured (per
// call without an arrival rate, from the scheduled add with one), and the attempts row with a rate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BullmqProfile, PerfLabConfig } from '../../src/core/config';
import { markdownReport } from '../../src/core/report/markdown';
import { textReport } from '../../src/core/report/text';
import type { RunRecord } from '../../src/core/runRecord';
import { RunStore } from '../../src/core/runStore';
import { runProfile } from '../../src/runners/runProfile';
import { useLocalRedis } from '../helpers/redis';

const redisUrl = useLocalRedis();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-bullmq-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function record(overrides: Partial<BullmqProfile>): Promise<RunRecord> {
  const p: BullmqProfile = {
    name: 'queue-ops', type: 'bullmq', queue: 'messages', mode: 'e2e', jobs: 300, bulkSize: 100, workerConcurrency: [1, 4],
    failRate: 0, attempts: 1, payloadSize: 64, processTimeMs: 0, thresholds: [], source: { line: 1, column: 1 }, ...overrides,
  };
  const config: PerfLabConfig = { stack: { redis: { url: redisUrl() }, queues: [] }, targets: {}, allowHosts: [], profiles: { [p.name]: p } };
  const rec = await runProfile({ config, profile: p.name, configDir: dir, store: new RunStore(dir), env: {}, trusted: true }).record;
  expect(rec.status).toBe('completed');
  return rec;
}

/** The first cells of the results table's rows. */
function rowNames(text: string): string[] {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => /^\s+count\s+rate\s/.test(l));
  const rows: string[] = [];
  for (const line of lines.slice(head + 2)) {
    // The table ends at the first line without its nine columns (the latency line, say).
    const cells = line.split(/\s{2,}/);
    if (cells.length < 9) break;
    rows.push(cells[0]!);
  }
  return rows;
}

describe('BullMQ reports', () => {
  it('e2e sweep without an arrival rate: every row once, the headline in its place; latency per call', async () => {
    const rec = await record({ mode: 'e2e' });
    const text = textReport(rec);
    const rows = rowNames(text);
    expect(rows).toHaveLength(new Set(rows).size);
    expect(rows).toHaveLength(rec.operations.length);
    const best = /^(e2e\.c[14]) \(best of c=1, 4\)$/.exec(rec.overall!.name)![1]!;
    expect(rows).toContain(rec.overall!.name);
    expect(rows).not.toContain(best);
    expect(text).not.toMatch(/intended send time/);
    expect(text).toContain("latency per call, no arrival rate: e2e: from each job's add call to its completion; add: one add or addBulk call, to Redis's reply");
    expect(rec.operations.every((o) => o.uncorrectedLatency === undefined)).toBe(true);
    const md = markdownReport(rec);
    expect(md.split('\n').filter((l) => l.startsWith(`| ${best}`))).toHaveLength(1);
  });

  it('add closed loop: one row', async () => {
    const rec = await record({ mode: 'add', workerConcurrency: [1] });
    expect(rowNames(textReport(rec))).toEqual(['add']);
    expect(textReport(rec)).toContain("latency per call, no arrival rate: add: one add or addBulk call, to Redis's reply");
  });

  it('e2e at an arrival rate: latency from the scheduled add, and from the actual add', async () => {
    const rec = await record({ mode: 'e2e', arrivalRate: 600, workerConcurrency: [4] });
    const text = textReport(rec);
    expect(rowNames(text)).toEqual(['e2e.c4', 'add.c4']);
    expect(text).toMatch(/latency on the arrival rate's schedule: e2e: from each job's scheduled add to its completion; add: from each job's scheduled add to Redis's reply; from the actual add: p50 [\d.,]+ m?s, p90 [\d.,]+ m?s, p99 [\d.,]+ m?s/);
    expect(text).not.toMatch(/intended send time/);
  });

  it('drain with retries: the attempts row has a rate, like the others', async () => {
    const rec = await record({ mode: 'drain', workerConcurrency: [4], failRate: 0.3, attempts: 3, backoff: { type: 'fixed', delayMs: 5 } });
    const attempts = rec.operations.find((o) => o.name === 'attempts.c4')!;
    const drain = rec.operations.find((o) => o.name === 'drain.c4')!;
    expect(attempts.count).toBeGreaterThan(drain.count);
    expect(attempts.rate).toBeGreaterThan(0);
    // Attempts and jobs are counted over the same span: more attempts than jobs, a higher rate.
    expect(attempts.rate).toBeGreaterThan(drain.rate);
    expect(textReport(rec)).toMatch(/^attempts\.c4\s+\d[\d,]*\s+[\d,.]+\s/m);
    expect(textReport(rec)).not.toMatch(/^attempts\.c4\s+\d[\d,]*\s+0(\.0+)? jobs\/s\s/m);
    expect(textReport(rec)).toContain('attempts: each processing attempt');
  });
});
