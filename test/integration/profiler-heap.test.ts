/**
 * Memory captures of real Node processes: a heap sampling profile names the known allocating
 * function first (also when its objects are short-lived, as a server's are), and a snapshot of a
 * process holding N instances of a class reports exactly N.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { analyzeHeapProfile, analyzeHeapSnapshot } from '../../src/runners/profiler/analysis';
import { attach, type AttachedTarget } from '../../src/runners/profiler/attach';
import { captureHeapProfile } from '../../src/runners/profiler/heap';
import { takeHeapSnapshot } from '../../src/runners/profiler/snapshot';
import type { RunLog, RunProgress } from '../../src/runners/types';
import { countInstancesReference, startTarget, stopAllTargets } from '../fixtures/targets/harness';

const dir = mkdtempSync(path.join(tmpdir(), 'perflab-heap-'));
const attached: AttachedTarget[] = [];

afterEach(async () => {
  await Promise.all(attached.splice(0).map((a) => a.close()));
  await stopAllTargets();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function attachTo(script: string, env?: Record<string, string>, ready?: RegExp) {
  const t = await startTarget(script, { nodeArgs: ['--inspect=127.0.0.1:0'], env, ready });
  const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
  attached.push(a);
  return { t, a };
}

describe('heap sampling', () => {
  it('shows the known allocating function on top', async () => {
    const { a } = await attachTo('alloc.cjs');
    const capture = captureHeapProfile(a.session, { out: path.join(dir, 'alloc.heapprofile'), durationMs: 1_500, samplingIntervalBytes: 16_384 });
    const result = await capture.result;
    expect(result.sampleCount).toBeGreaterThan(0);
    const profile = JSON.parse(readFileSync(result.file, 'utf8'));
    expect(profile.head.callFrame.functionName).toBe('(root)');
    const analysis = await analyzeHeapProfile(result.file);
    expect(analysis.functions[0]!.name).toBe('allocateOrderRecords');
  });
});

describe('heap sampling of a server whose allocations die young', () => {
  const ROWS = 200;
  const REQUESTS = 50;
  // Each row is a JSArray (4 tagged fields) and its FixedArray (2 fields of header, 1,000
  // elements): bytes by V8's object layout, independent of the profiler.
  const tagged = (process.config.variables as Record<string, unknown>).v8_enable_pointer_compression ? 4 : 8;
  const allocated = ROWS * REQUESTS * (4 + 2 + 1000) * tagged;

  /** Heap sampling while the server answers the requests, then a forced GC, then the profile. */
  async function sampleUnderRequests(name: string, live: boolean | undefined) {
    const { t, a } = await attachTo('churn-server.cjs', undefined, /^listening \d+$/);
    const port = (await t.waitForLine(/^listening (\d+)$/))[1];
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const capture = captureHeapProfile(a.session, { out: path.join(dir, name), live, onStarted: () => started() });
    await running;
    for (let i = 0; i < REQUESTS; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/report?rows=${ROWS}`);
      expect(res.status).toBe(200);
      await res.text();
    }
    // Every row is garbage by now; after a full GC none is alive.
    await a.session.send('HeapProfiler.collectGarbage');
    capture.cancel();
    const result = await capture.result;
    const analysis = await analyzeHeapProfile(result.file);
    const bytesOf = (fn: string) => analysis.functions.filter((f) => f.name === fn).reduce((sum, f) => sum + f.selfSize, 0);
    return { result, analysis, rows: bytesOf('buildReportRows') };
  }

  it('shows the allocating function on top by default, with the bytes it allocated', async () => {
    const { result, analysis, rows } = await sampleUnderRequests('churn.heapprofile', undefined);
    expect(result.live).toBe(false);
    expect(analysis.functions[0]!.name).toBe('buildReportRows');
    // A sampled estimate (about one sample per 32 KB, some 2,500 here): within 20 % of the truth.
    expect(rows).toBeGreaterThan(allocated * 0.8);
    expect(rows).toBeLessThan(allocated * 1.2);
  });

  it('keeps only what is still alive with live: none of the collected rows', async () => {
    const { result, rows } = await sampleUnderRequests('churn-live.heapprofile', true);
    expect(result.live).toBe(true);
    expect(rows).toBeLessThan(allocated * 0.02);
  });
});

describe('heap snapshot', () => {
  it('streams a snapshot to disk and reports exactly the N instances the target holds', async () => {
    const { a } = await attachTo('instances.cjs', { INSTANCES: '1234' });
    const out = path.join(dir, 'instances.heapsnapshot');
    const logs: RunLog[] = [];
    const progress: RunProgress[] = [];
    const capture = takeHeapSnapshot(a.session, { out });
    capture.on('log', (l) => logs.push(l));
    capture.on('progress', (p) => progress.push(p));
    const result = await capture.result;
    expect(result.file).toBe(out);
    expect(result.bytes).toBeGreaterThan(100_000);
    expect(logs.some((l) => l.level === 'warn' && /pauses the target/.test(l.message) && /about 15× its heap in use/.test(l.message))).toBe(true);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[progress.length - 1]!.fraction).toBe(1);
    // Only the finished file is left: no temp or partial file.
    expect(readdirSync(dir).filter((f) => f.startsWith('.instances') || f.endsWith('.partial'))).toEqual([]);

    const analysis = await analyzeHeapSnapshot(out);
    const widgets = analysis.classes.find((c) => c.name === 'PerfLabFixtureWidget');
    expect(widgets?.count).toBe(1234);
    expect(await countInstancesReference(out, 'PerfLabFixtureWidget')).toBe(1234);
  });

  it('keeps a partial snapshot as .partial and says so when the target is killed midway', async () => {
    const { t, a } = await attachTo('instances.cjs', { INSTANCES: '300000' });
    const out = path.join(dir, 'killed.heapsnapshot');
    const capture = takeHeapSnapshot(a.session, { out });
    // Kill it once the first bytes are on their way.
    capture.on('progress', (p) => {
      if (p.message?.endsWith('written')) t.child.kill('SIGKILL');
    });
    const err = await capture.result.then(() => undefined, (e: unknown) => e as Error & { reason?: string; partial?: string[] });
    expect(err?.reason).toBe('target-exit');
    expect(err?.message).toMatch(/incomplete/);
    expect(existsSync(out)).toBe(false);
    expect(err?.partial).toEqual([`${out}.partial`]);
    expect(existsSync(`${out}.partial`)).toBe(true);
  });
});
