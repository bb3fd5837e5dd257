import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCpu } from './cpuProfile';
import { type RawCpuProfile, validateCpuProfile } from './validate';

const FILE = path.resolve('test/fixtures/analysis/tiny.cpuprofile');
const tiny = () => JSON.parse(readFileSync(FILE, 'utf8')) as RawCpuProfile;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('analyzeCpu (hand-made profile)', () => {
  const a = analyzeCpu('tiny.cpuprofile', validateCpuProfile('tiny.cpuprofile', tiny()));

  it('times each sample until the next one, the last until endTime', () => {
    // Samples at 1100, 2100, …, 8100 µs; the profile ends at 9000.
    expect(a.durationMs).toBeCloseTo(7.9, 9);
    expect(a.wallMs).toBe(8);
    expect(a.sampleCount).toBe(8);
    // 7.9 ms sampled over 8 samples; the gaps themselves are all 1 ms.
    expect(a.intervalUs).toBeCloseTo(987.5, 9);
    expect(a.medianGapUs).toBe(1000);
  });

  it('self and total per function, recursion counted once, self summing to the duration', () => {
    const byName = Object.fromEntries(a.functions.map((f) => [f.name, f]));
    expect(a.functions[0]).toMatchObject({ name: 'render', url: 'file:///app/server.js', line: 20, column: 3 });
    expect(byName.render!.selfMs).toBeCloseTo(4.9, 9);
    expect(byName.render!.totalMs).toBeCloseTo(4.9, 9);
    expect(byName.main!.selfMs).toBeCloseTo(1, 9);
    expect(byName.main!.totalMs).toBeCloseTo(5.9, 9);
    expect(sum(a.functions.map((f) => f.selfMs)) + sum(a.meta.map((m) => m.selfMs))).toBeCloseTo(a.durationMs, 9);
  });

  it('keeps V8 pseudo-frames out of the functions and totals them apart', () => {
    expect(a.functions.map((f) => f.name)).toEqual(['render', 'main']);
    // (program) and (garbage collector) hold one sample each: 1 ms, and the last one 0.9 ms.
    expect(a.meta.map((m) => [m.kind, m.name])).toEqual([
      ['idle', '(idle)'],
      ['program', '(program)'],
      ['gc', '(garbage collector)'],
      ['root', '(root)'],
    ]);
    expect(a.meta.map((m) => m.selfMs)).toEqual([0, 1, 1, 0]);
  });

  it('merges nodes of the same function under the same parent', () => {
    const { frame, parent, selfMs, frames } = a.tree;
    const names = frame.map((f) => frames.name[f]);
    expect(names).toEqual(['(root)', 'main', 'render', 'render', '(program)', '(garbage collector)']);
    expect(parent).toEqual([-1, 0, 1, 2, 0, 0]);
    expect(selfMs[2]).toBeCloseTo(4, 9);
    expect(selfMs[3]).toBeCloseTo(0.9, 9);
  });

  it('spreads self time over positionTicks lines, else the function line', () => {
    const line = (n: number) => a.lines.find((l) => l.url === 'file:///app/server.js' && l.line === n)?.selfMs;
    expect(line(11)).toBeCloseTo(1, 9);
    expect(line(21)).toBeCloseTo(2, 9);
    expect(line(22)).toBeCloseTo(1, 9);
    expect(line(20)).toBeCloseTo(1.9, 9);
    expect(sum(a.lines.map((l) => l.selfMs))).toBeCloseTo(a.durationMs, 9);
  });

  it('falls back to hit counts when a profile has no samples', () => {
    const p = validateCpuProfile('old.cpuprofile', { ...tiny(), samples: [], timeDeltas: [] });
    const old = analyzeCpu('old.cpuprofile', p);
    expect(old.durationMs).toBeCloseTo(8, 9);
    expect(sum(old.functions.map((f) => f.selfMs)) + sum(old.meta.map((m) => m.selfMs))).toBeCloseTo(8, 9);
  });

  it.each([
    [(p: RawCpuProfile) => (p.nodes[6]!.children = [1]), /has no root node|two parents/],
    [(p: RawCpuProfile) => (p.nodes[0]!.children = [2, 5]), /2 root nodes/],
    [(p: RawCpuProfile) => (p.nodes[1]!.children = [3, 4, 42]), /lists child 42, which is not in "nodes"/],
  ])('refuses a call tree that is not a tree (%#)', (mutate, message) => {
    const p = tiny();
    mutate(p);
    expect(() => analyzeCpu('bad.cpuprofile', validateCpuProfile('bad.cpuprofile', p))).toThrow(message);
  });
});

describe('validateCpuProfile', () => {
  it.each([
    [{ profile: tiny() }, null],
    [{ ...tiny(), startTime: 'soon' }, /"startTime" is "soon", not a time in µs/],
    [{ ...tiny(), timeDeltas: [1] }, /"samples" has 8 entries but "timeDeltas" has 1/],
    [{ head: {} }, /heap sampling profile/],
    [{ nodes: [] }, /empty "nodes" array/],
    [{ ...tiny(), nodes: [{ id: 1, callFrame: { functionName: 'f', url: '', lineNumber: -7, columnNumber: 0 } }] }, /nodes\[0\]\.callFrame\.lineNumber is -7/],
  ])('checks %#', (json, message) => {
    if (message) expect(() => validateCpuProfile('x.cpuprofile', json)).toThrow(message);
    else expect(validateCpuProfile('x.cpuprofile', json).nodes).toHaveLength(7);
  });
});
