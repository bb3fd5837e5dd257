import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { DevToolsAPI, parse } from 'heap-snapshot-toolkit';
import { describe, expect, it } from 'vitest';
import { HeapSnapshot } from './heapSnapshot';

const FILE = path.resolve('test/fixtures/analysis/tiny.heapsnapshot');

describe('HeapSnapshot (hand-made snapshot)', () => {
  it('computes shallow and retained sizes per class as the dominator tree says', async () => {
    const snap = await HeapSnapshot.load(FILE);
    const a = snap.analysis();
    const byName = Object.fromEntries(a.classes.map((c) => [c.name, c]));
    // global dominates everything it reaches; Foo@9 is reached twice, so global dominates it.
    expect(byName.global).toMatchObject({ count: 1, shallowSize: 40, retainedSize: 140 });
    expect(byName.Foo).toMatchObject({ count: 2, shallowSize: 48, retainedSize: 48, key: '7,2,4,Foo' });
    expect(byName.Object).toMatchObject({ count: 1, shallowSize: 32, retainedSize: 52 });
    // The Bar cycle is held by nothing: each hangs off the root by itself.
    expect(byName.Bar).toMatchObject({ count: 2, retainedSize: 32 });
    expect(a.totalSize).toBe(172);
  });

  it('matches DevTools (heap-snapshot-toolkit) class by class', async () => {
    const mine = (await HeapSnapshot.load(FILE)).analysis();
    const ref = await parse(createReadStream(FILE, 'utf-8'));
    const agg = ref.aggregatesWithFilter(new DevToolsAPI.HeapSnapshotModel.NodeFilter()) as Record<string, { count: number; self: number; maxRet: number }>;
    const theirs = Object.entries(agg).map(([key, c]) => [key, c.count, c.self, c.maxRet]).sort();
    expect(mine.classes.map((c) => [c.key, c.count, c.shallowSize, c.retainedSize]).sort()).toEqual(theirs);
    expect(mine.totalSize).toBe(ref.totalSize);
  });

  it('finds the shortest retainer path by id or class', async () => {
    const snap = await HeapSnapshot.load(FILE);
    expect(snap.retainerPath(9).text).toEqual(['global.x', 'Foo.a', 'Foo @9']);
    expect(snap.retainerPath('Object').text).toEqual(['global.items', 'Object @11']);
    expect(snap.retainerPath(15)).toMatchObject({ steps: [], text: ['(not reachable from a GC root)', 'Bar @15'] });
    expect(() => snap.retainerPath(12345)).toThrow(/no object with id @12345/);
  });
});
