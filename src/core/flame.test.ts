import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeCpu } from '../runners/profiler/analysis/cpu/cpuProfile';
import { v8MetaKind } from '../runners/profiler/analysis/cpu/v8Meta';
import { diffFlameTrees, FlameModel, type FlameTreeData, matchesQuery } from './flame';

const isMeta = (name: string, url: string) => v8MetaKind(name, url) !== undefined;

/**
 *  (root) 100
 *  ├─ main 70 (self 10)      a.js
 *  │  ├─ parse 20            a.js
 *  │  └─ render 40 (self 30) b.js
 *  │     └─ parse 10         a.js   ← a match inside no match: counted
 *  └─ (idle) 30
 */
function small(): FlameTreeData {
  return {
    frames: { name: ['(root)', 'main', 'parse', 'render', '(idle)'], url: ['', 'a.js', 'a.js', 'b.js', ''], line: [0, 1, 5, 9, 0], column: [0, 1, 1, 1, 0] },
    frame: [0, 1, 2, 3, 2, 4],
    parent: [-1, 0, 1, 1, 3, 0],
    selfMs: [0, 10, 20, 30, 10, 30],
    totalMs: [100, 70, 20, 40, 10, 30],
  };
}

describe('the flame model', () => {
  it('lays children out left-heavy from the parent\'s left edge', () => {
    const slice = new FlameModel(small(), isMeta).slice({ root: 0, hideMeta: false, minMs: 0 });
    const at = Object.fromEntries(slice.nodes.map((n) => [`${slice.frames[n.frame]!.name}@${n.depth}`, [n.x, n.totalMs]]));
    expect(at).toEqual({ '(root)@0': [0, 100], 'main@1': [0, 70], 'render@2': [0, 40], 'parse@3': [0, 10], 'parse@2': [40, 20], '(idle)@1': [70, 30] });
    expect(slice.nodes.map((n) => n.id)).toEqual([0, 1, 3, 4, 2, 5]);
    expect(slice.rootMs).toBe(100);
  });

  it('leaves out the pseudo-frames when asked, and the root shrinks by their time', () => {
    const slice = new FlameModel(small(), isMeta).slice({ root: 0, hideMeta: true, minMs: 0 });
    expect(slice.rootMs).toBe(70);
    expect(slice.profileMs).toBe(70);
    expect(slice.frames.map((f) => f.name)).not.toContain('(idle)');
  });

  it('focuses a subtree, with the path to it, and cuts what is narrower than minMs or outside the range', () => {
    const model = new FlameModel(small(), isMeta);
    const focus = model.slice({ root: 3, hideMeta: false, minMs: 0 });
    expect(focus.path.map((p) => p.name)).toEqual(['(root)', 'main', 'render']);
    expect(focus.nodes.map((n) => [n.depth, n.x, n.totalMs])).toEqual([[0, 0, 40], [1, 0, 10]]);
    expect(model.slice({ root: 0, hideMeta: false, minMs: 15 }).nodes.map((n) => n.id)).toEqual([0, 1, 3, 2, 5]);
    expect(model.slice({ root: 0, hideMeta: false, minMs: 0, fromMs: 75, toMs: 100 }).nodes.map((n) => n.id)).toEqual([0, 5]);
  });

  it('counts search matches per node and per function, and each sample once', () => {
    const model = new FlameModel(small(), isMeta);
    expect(model.search('parse', false)).toMatchObject({ nodes: 2, functions: 1, totalMs: 30, profileMs: 100 });
    // main contains both parse nodes: its 70 ms, not 70 + 30.
    expect(model.search('a.js', false)).toMatchObject({ nodes: 3, functions: 2, totalMs: 70 });
    expect(model.search('IDLE', false)).toMatchObject({ nodes: 1, totalMs: 30 });
    expect(model.search('idle', true)).toMatchObject({ nodes: 0, totalMs: 0, profileMs: 70 });
    expect(matchesQuery({ name: 'Render', url: '' }, 'rend')).toBe(true);
    expect(matchesQuery({ name: 'x', url: '' }, '')).toBe(false);
  });

  it('on a real profile: every node is as wide as its self time and its children, and no two overlap', () => {
    const analysis = analyzeCpu('tiny.cpuprofile', JSON.parse(readFileSync(new URL('../../test/fixtures/analysis/tiny.cpuprofile', import.meta.url), 'utf8')));
    const model = new FlameModel(analysis.tree, isMeta);
    const slice = model.slice({ root: 0, hideMeta: false, minMs: 0 });
    expect(slice.nodes).toHaveLength(analysis.tree.frame.length);
    expect(slice.rootMs).toBeCloseTo(analysis.durationMs, 6);
    const byId = new Map(slice.nodes.map((n) => [n.id, n]));
    for (const node of slice.nodes) {
      const kids = slice.nodes.filter((c) => analysis.tree.parent[c.id] === node.id).sort((a, b) => a.x - b.x);
      expect(node.selfMs + kids.reduce((s, c) => s + c.totalMs, 0)).toBeCloseTo(node.totalMs, 6);
      let edge = node.x;
      for (const c of kids) {
        expect(c.x).toBeCloseTo(edge, 6);
        expect(c.depth).toBe(byId.get(node.id)!.depth + 1);
        edge += c.totalMs;
      }
    }
  });
});

describe('comparing two profiles', () => {
  /** The small tree again, with render's self time doubled and parse under main gone. */
  function grown(): FlameTreeData {
    return {
      frames: { name: ['(root)', 'main', 'render', 'parse', '(idle)'], url: ['', 'a.js', 'b.js', 'a.js', ''], line: [0, 1, 9, 5, 0], column: [0, 1, 1, 1, 0] },
      frame: [0, 1, 2, 3, 4],
      parent: [-1, 0, 1, 2, 0],
      selfMs: [0, 10, 60, 10, 20],
      totalMs: [100, 80, 70, 10, 20],
    };
  }

  it('takes the second profile\'s shape and colours each node by its change in share of self time', () => {
    const diff = diffFlameTrees(small(), grown());
    const model = new FlameModel(diff.tree, isMeta, diff.delta);
    const slice = model.slice({ root: 0, hideMeta: false, minMs: 0 });
    const by = (name: string, depth: number) => slice.nodes.find((n) => slice.frames[n.frame]!.name === name && n.depth === depth)!;
    expect(slice.rootMs).toBe(100);
    expect(by('render', 2).totalMs).toBe(70);
    expect(by('render', 2).delta).toBeCloseTo(0.6 - 0.3, 9);
    expect(by('(idle)', 1).delta).toBeCloseTo(0.2 - 0.3, 9);
    // parse directly under main is only in the first profile: no width, so not drawn; its share fell.
    const gone = slice.nodes.find((n) => slice.frames[n.frame]!.name === 'parse' && n.depth === 2);
    expect(gone).toBeUndefined();
    expect(diff.growers[0]).toMatchObject({ name: 'render', before: 0.3, after: 0.6 });
    const parse = diff.growers.find((g) => g.name === 'parse')!;
    expect(parse.before).toBeCloseTo(0.3, 9);
    expect(parse.after).toBeCloseTo(0.1, 9);
    expect(diff.growers[diff.growers.length - 1]!.name).toBe('parse');
  });

  it('a profile compared with itself changed nowhere', () => {
    const diff = diffFlameTrees(small(), small());
    expect(diff.delta.every((d) => Math.abs(d) < 1e-12)).toBe(true);
    expect(diff.tree.totalMs[0]).toBe(100);
  });
});
