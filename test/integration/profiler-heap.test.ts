/**
 * Memory captures of real Node processes: a heap sampling profile names the known allocating
 * function first, and a snapshot of a process holding N instances of a class reports exactly N.
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

async function attachTo(script: string, env?: Record<string, string>) {
  const t = await startTarget(script, { nodeArgs: ['--inspect=127.0.0.1:0'], env });
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
    expect(logs.some((l) => l.level === 'warn' && /pauses the target/.test(l.message) && /3×/.test(l.message))).toBe(true);
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
