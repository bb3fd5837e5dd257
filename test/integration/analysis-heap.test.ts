// Heap snapshot analysis on snapshots of real Node processes with a known heap, checked against
// DevTools' own parser (heap-snapshot-toolkit) as the reference.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DevToolsAPI, parse } from 'heap-snapshot-toolkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeHeapSnapshot, diffSnapshots, leakReport, openHeapSnapshot, retainerPath } from '../../src/runners/profiler/analysis';

const TARGET = path.resolve('test/fixtures/analysis/targets/heap-target.cjs');
let dir: string;

function target(mode: string, ...args: (string | number)[]): string {
  const out = mkdtempSync(path.join(dir, `${mode}-`));
  execFileSync(process.execPath, ['--expose-gc', TARGET, mode, out, ...args.map(String)], { timeout: 60_000 });
  return out;
}

beforeAll(() => {
  if (!existsSync('dist/analysisWorker.js')) throw new Error('dist/analysisWorker.js is missing: run `npm run build` first');
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-heap-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('analyzeHeapSnapshot', () => {
  let held: string;
  beforeAll(() => {
    held = path.join(target('hold', 1234), 'held.heapsnapshot');
  });

  it('counts exactly the N instances of a class the process holds', async () => {
    const progress: number[] = [];
    const a = await analyzeHeapSnapshot(held, { onProgress: (p) => progress.push(p.fraction) });
    const widgets = a.classes.filter((c) => c.name === 'HeldWidget');
    expect(widgets).toHaveLength(1);
    expect(widgets[0]!.count).toBe(1234);
    expect(widgets[0]!.retainedSize).toBeGreaterThanOrEqual(widgets[0]!.shallowSize);
    expect(a.nodeCount).toBeGreaterThan(10_000);
    expect(a.classes[0]!.retainedSize).toBeGreaterThanOrEqual(a.classes[1]!.retainedSize);
    expect(progress.at(-1)).toBe(1);
  });

  it('Truth: class counts, shallow and retained sizes of the top 20 classes equal the reference parser', async () => {
    const mine = await analyzeHeapSnapshot(held);
    const reference = await parse(createReadStream(held, 'utf-8'));
    const aggregates = reference.aggregatesWithFilter(new DevToolsAPI.HeapSnapshotModel.NodeFilter()) as Record<string, { count: number; self: number; maxRet: number; name: string }>;
    // DevTools calls closures `Function`, as it does objects whose constructor is named Function
    // (and then keeps one of the two under the shared key); PerfLab calls closures `(closure)`.
    // This target has no objects of a class named Function, so DevTools' row is the closures'.
    const closures = (key: string, name: string) => (key === ',Function' ? { key: ',(closure)', name: '(closure)' } : { key, name });
    const theirs = Object.entries(aggregates)
      .map(([key, a]) => ({ ...closures(key, a.name), count: a.count, shallowSize: a.self, retainedSize: a.maxRet }))
      .sort((x, y) => y.retainedSize - x.retainedSize || y.shallowSize - x.shallowSize || (x.key < y.key ? -1 : 1));
    const top = (list: { key: string; name: string; count: number; shallowSize: number; retainedSize: number }[]) =>
      list.slice(0, 20).map(({ key, name, count, shallowSize, retainedSize }) => ({ key, name, count, shallowSize, retainedSize }));
    expect(top(mine.classes)).toEqual(top(theirs));
    expect(mine.totalSize).toBe(reference.totalSize);
    // Every class, not only the top: same set of keys, same retained sizes.
    const byKey = new Map(theirs.map((c) => [c.key, c]));
    let compared = 0;
    for (const c of mine.classes) {
      const ref = byKey.get(c.key);
      if (!ref || mine.classes.filter((m) => m.key === c.key).length > 1) continue;
      expect([c.key, c.count, c.retainedSize]).toEqual([c.key, ref.count, ref.retainedSize]);
      compared++;
    }
    expect(compared).toBeGreaterThan(mine.classes.length * 0.95);
  });

  it('stops the worker when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = analyzeHeapSnapshot(held, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    await expect(pending).rejects.toMatchObject({ name: 'AnalysisError', reason: 'cancelled' });
  });

  it('gives the shortest retainer path from a GC root, from a file or an open handle', async () => {
    const fromFile = await retainerPath(held, 'HeldWidget');
    expect(fromFile.name).toBe('HeldWidget');
    expect(fromFile.text.join(' / ')).toMatch(/\.__held \/ Array\[\d+\] \/ HeldWidget @\d+$/);
    const handle = await openHeapSnapshot(held, { top: 5 });
    try {
      expect(handle.analysis.classes).toHaveLength(5);
      const byClass = await handle.retainerPath('HeldWidget');
      const byId = await handle.retainerPath(byClass.nodeId);
      expect(byId.text).toEqual(byClass.text);
      await expect(handle.retainerPath('NoSuchClass')).rejects.toThrow(/no objects of class "NoSuchClass"/);
    } finally {
      await handle.close();
    }
  });
});

describe('diffSnapshots', () => {
  it('reports the objects added between two snapshots by class', async () => {
    const out = target('diff', 300, 77);
    const d = await diffSnapshots(path.join(out, 'before.heapsnapshot'), path.join(out, 'after.heapsnapshot'));
    const widgets = d.classes.find((c) => c.name === 'HeldWidget')!;
    expect(widgets).toMatchObject({ addedCount: 77, removedCount: 0, countDelta: 77 });
    expect(widgets.addedSize).toBeGreaterThan(0);
  });
});

describe('leakReport', () => {
  it('puts the leaking class on top with its retainer path', async () => {
    const out = target('leak', 400, 3);
    const r = await leakReport(...(['baseline', 'target', 'final'].map((n) => path.join(out, `${n}.heapsnapshot`)) as [string, string, string]));
    expect(r.groups[0]).toMatchObject({ name: 'LeakyThing', count: 1200 });
    expect(r.groups[0]!.retainerPath.join(' / ')).toMatch(/\.__leaked \/ Array\[\d+\] \/ LeakyThing @\d+$/);
    // The garbage made during the action died before the final snapshot.
    expect(r.groups.some((g) => g.name === '{i, text}')).toBe(false);
  });

  it('reports no group above the noise floor for an idle process', async () => {
    const out = target('idle');
    const r = await leakReport(path.join(out, 'baseline.heapsnapshot'), path.join(out, 'target.heapsnapshot'), path.join(out, 'final.heapsnapshot'));
    expect(r.groups).toEqual([]);
    expect(r.noise).toEqual({ minCount: 20, minRetainedBytes: 65536 });
  });
});
