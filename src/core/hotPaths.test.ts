import { describe, expect, it } from 'vitest';
import { analyzeCpu } from '../runners/profiler/analysis/cpu/cpuProfile';
import type { RawCpuProfile } from '../runners/profiler/analysis/cpu/validate';
import { fileOfUrl } from '../runners/profiler/analysis/urls';
import { hotPaths } from './hotPaths';

const A = 'file:///srv/app/a.js';
const B = '/srv/app/b.js';
const frame = (functionName: string, url: string, line0: number) => ({ functionName, scriptId: '1', url, lineNumber: line0, columnNumber: 0 });

/**
 * 100 samples of 1 ms:
 *   (root) → main (a.js:1) → render (b.js:10) → escape (b.js:30)   40 samples, on b.js lines 31 (30) and 32 (10)
 *   (root) → main → render                                          20 samples, on b.js line 12
 *   (root) → main → escape                                          10 samples, on b.js line 31
 *   (root) → main                                                    5 samples, on a.js line 2
 *   (root) → main → render → (anonymous) (b.js:11)                   4 samples, on b.js line 11
 *   (root) → (idle)                                                  21 samples
 * The arrow function starts on line 11, above render's line 12: line 12 is still render's.
 */
function profile(): RawCpuProfile {
  const nodes = [
    { id: 1, callFrame: frame('(root)', '', -1), children: [2, 6] },
    { id: 2, callFrame: frame('main', A, 0), children: [3, 5], positionTicks: [{ line: 2, ticks: 5 }] },
    { id: 3, callFrame: frame('render', B, 9), children: [4, 7], positionTicks: [{ line: 12, ticks: 20 }] },
    { id: 4, callFrame: frame('escape', B, 29), children: [], positionTicks: [{ line: 31, ticks: 30 }, { line: 32, ticks: 10 }] },
    { id: 5, callFrame: frame('escape', B, 29), children: [], positionTicks: [{ line: 31, ticks: 10 }] },
    { id: 6, callFrame: frame('(idle)', '', -1), children: [] },
    { id: 7, callFrame: { ...frame('', B, 10), columnNumber: 20 }, children: [], positionTicks: [{ line: 11, ticks: 4 }] },
  ];
  const samples = [...Array(40).fill(4), ...Array(20).fill(3), ...Array(10).fill(5), ...Array(5).fill(2), ...Array(4).fill(7), ...Array(21).fill(6)];
  return { nodes, startTime: 0, endTime: 100_000, samples, timeDeltas: samples.map((_, i) => (i ? 1_000 : 0)) } as RawCpuProfile;
}

describe('hot paths of a CPU profile', () => {
  const hot = hotPaths(analyzeCpu('x.cpuprofile', profile()));

  it('marks each line with its self time and share of the sampled time, in the function it belongs to', () => {
    expect(hot.sampledMs).toBe(100);
    const b = hot.files.get('/srv/app/b.js')!;
    expect(b.lines.map((l) => [l.line, l.selfMs, l.functionName, l.text])).toEqual([
      [31, 40, 'escape', '40.0 ms · 40.0%'],
      [12, 20, 'render', '20.0 ms · 20.0%'],
      [32, 10, 'escape', '10.0 ms · 10.0%'],
      [11, 4, '(anonymous)', '4.00 ms · 4.00%'],
    ]);
    expect(hot.files.get('/srv/app/a.js')!.lines).toEqual([expect.objectContaining({ line: 2, selfMs: 5, functionName: 'main' })]);
    // V8's pseudo-frames have no file: (idle) is nowhere.
    expect([...hot.files.keys()].sort()).toEqual(['/srv/app/a.js', '/srv/app/b.js']);
    expect(hot.top.map((l) => `${l.file}:${l.line}`)).toEqual(['/srv/app/b.js:31', '/srv/app/b.js:12', '/srv/app/b.js:32', '/srv/app/a.js:2', '/srv/app/b.js:11']);
  });

  it('marks each function at its first line with total and self time, and its callers by the time they account for', () => {
    const b = hot.files.get('/srv/app/b.js')!;
    const escape = b.functions.find((f) => f.name === 'escape')!;
    expect(escape).toMatchObject({ line: 30, totalMs: 50, selfMs: 50, text: '50.0 ms total · 50.0% · self 50.0 ms' });
    expect(escape.callers).toEqual([
      { name: 'render', file: '/srv/app/b.js', line: 10, totalMs: 40 },
      { name: 'main', file: '/srv/app/a.js', line: 1, totalMs: 10 },
    ]);
    const main = hot.files.get('/srv/app/a.js')!.functions[0]!;
    expect(main).toMatchObject({ name: 'main', totalMs: 79, selfMs: 5 });
    expect(main.callers).toEqual([]);
  });

  it('leaves out what is under the share asked for', () => {
    const few = hotPaths(analyzeCpu('x.cpuprofile', profile()), { minShare: 0.15 });
    expect(few.top.map((l) => l.line)).toEqual([31, 12]);
    expect(few.files.get('/srv/app/b.js')!.functions.map((f) => f.name)).toEqual(['render', 'escape']);
  });

  it('finds files only for file urls and absolute paths', () => {
    expect(fileOfUrl('file:///srv/app/a.js')).toBe('/srv/app/a.js');
    expect(fileOfUrl('/srv/app/b.js')).toBe('/srv/app/b.js');
    expect(fileOfUrl('node:internal/timers')).toBeUndefined();
    expect(fileOfUrl('https://example.com/x.js')).toBeUndefined();
    expect(fileOfUrl('')).toBeUndefined();
  });
});
