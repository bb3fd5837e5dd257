// CPU and heap sampling profiles of real Node processes with a known hot function, including a
// TypeScript target whose positions come back through its source map.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CpuAnalysis, analyzeCpuProfile, analyzeHeapProfile } from '../../src/runners/profiler/analysis';

const TARGETS = path.resolve('test/fixtures/analysis/targets');
let dir: string;

/** Runs `script` under `flag` (--cpu-prof, --heap-prof) and returns the profile it wrote. */
function profile(script: string, flag: '--cpu-prof' | '--heap-prof', ...args: string[]): string {
  const out = mkdtempSync(path.join(dir, 'prof-'));
  const extra = flag === '--cpu-prof' ? ['--cpu-prof-interval=250'] : ['--heap-prof-interval=4096'];
  execFileSync(process.execPath, [flag, `${flag}-dir=${out}`, ...extra, script, ...args], { timeout: 60_000 });
  const file = readdirSync(out).find((f) => f.endsWith(flag === '--cpu-prof' ? '.cpuprofile' : '.heapprofile'))!;
  return path.join(out, file);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

beforeAll(() => {
  if (!existsSync('dist/analysisWorker.js')) throw new Error('dist/analysisWorker.js is missing: run `npm run build` first');
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-cpu-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('analyzeCpuProfile', () => {
  let a: CpuAnalysis;
  beforeAll(async () => {
    a = await analyzeCpuProfile(profile(path.join(TARGETS, 'cpu-target.cjs'), '--cpu-prof', '500'));
  });

  it('puts the known hot function on top of self time, with its file and line', () => {
    expect(a.functions[0]).toMatchObject({ name: 'hotLoop', url: pathToFileURL(path.join(TARGETS, 'cpu-target.cjs')).href, line: 4 });
    expect(a.functions[0]!.selfMs / a.durationMs).toBeGreaterThan(0.5);
    expect(a.lines[0]!.url).toBe(a.functions[0]!.url);
    expect(a.lines[0]!.line).toBeGreaterThanOrEqual(4);
    expect(a.lines[0]!.line).toBeLessThanOrEqual(8);
  });

  it('Truth: self times of functions, of lines and of the flame tree each sum to the sampled duration', () => {
    expect(a.sampleCount).toBeGreaterThan(100);
    expect(a.durationMs).toBeGreaterThan(400);
    expect(sum(a.functions.map((f) => f.selfMs)) + sum(a.meta.map((m) => m.selfMs))).toBeCloseTo(a.durationMs, 6);
    expect(sum(a.lines.map((l) => l.selfMs))).toBeCloseTo(a.durationMs, 6);
    expect(sum(a.tree.selfMs)).toBeCloseTo(a.durationMs, 6);
    expect(a.tree.totalMs[0]).toBeCloseTo(a.durationMs, 6);
    expect(a.intervalUs * a.sampleCount).toBeCloseTo(a.durationMs * 1000, 6);
    expect(a.intervalUs).toBeGreaterThan(100);
    expect(a.intervalUs).toBeLessThan(5000);
  });

  it('returns a merged flame tree in preorder: unique functions per parent, totals = self + children', () => {
    const { parent, frame, selfMs, totalMs } = a.tree;
    const seen = new Set<string>();
    const childSum = new Array<number>(parent.length).fill(0);
    for (let i = 1; i < parent.length; i++) {
      expect(parent[i]).toBeLessThan(i);
      const key = `${parent[i]}:${frame[i]}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      childSum[parent[i]!]! += totalMs[i]!;
    }
    for (let i = 0; i < parent.length; i++) expect(totalMs[i]).toBeCloseTo(selfMs[i]! + childSum[i]!, 6);
    const hot = a.tree.frames.name.indexOf('hotLoop');
    expect(sum(frame.map((f, i) => (f === hot ? selfMs[i]! : 0)))).toBeCloseTo(a.functions[0]!.selfMs, 6);
  });

  it('honours top', async () => {
    const small = await analyzeCpuProfile(a.file, { top: 3 });
    expect(small.functions).toHaveLength(3);
    expect(small.lines.length).toBeLessThanOrEqual(3);
    expect(small.functions[0]!.name).toBe('hotLoop');
  });

  it('resolves a TypeScript function to its .ts line through the source map', async () => {
    const ts = path.join(dir, 'server.ts');
    writeFileSync(
      ts,
      [
        'interface Job { id: number }', // 1
        '', // 2
        'export function renderTemplate(job: Job, rounds: number): number {', // 3
        '  let acc: number = job.id;', // 4
        '  for (let i = 0; i < rounds; i++) acc = (acc * 31 + i) % 1000003;', // 5
        '  return acc;', // 6
        '}', // 7
        '', // 8
        'const end = Date.now() + 400;', // 9
        'let sink = 0;', // 10
        'while (Date.now() < end) sink += renderTemplate({ id: sink }, 100000);', // 11
        'console.log(sink % 7);', // 12
      ].join('\n'),
    );
    const js = path.join(dir, 'build', 'server.js');
    buildSync({ entryPoints: [ts], outfile: js, bundle: true, platform: 'node', format: 'cjs', sourcemap: 'linked', logLevel: 'silent' });
    const result = await analyzeCpuProfile(profile(js, '--cpu-prof'));
    const fn = result.functions.find((f) => f.name === 'renderTemplate')!;
    expect(fn).toMatchObject({ url: pathToFileURL(ts).href, line: 3 });
    expect(fn.generated?.url).toBe(pathToFileURL(js).href);
    expect(result.functions[0]!.name).toBe('renderTemplate');
    expect(result.sourceMapped).toBeGreaterThan(0);
    const hotLine = result.lines.find((l) => l.url === fn.url)!;
    expect(hotLine.line).toBeGreaterThanOrEqual(3);
    expect(hotLine.line).toBeLessThanOrEqual(6);
    const plain = await analyzeCpuProfile(result.file, { sourceMaps: false });
    expect(plain.functions.find((f) => f.name === 'renderTemplate')!.url).toBe(pathToFileURL(js).href);
  });
});

describe('analyzeHeapProfile', () => {
  it('puts the known allocating function on top by self size', async () => {
    const a = await analyzeHeapProfile(profile(path.join(TARGETS, 'alloc-target.cjs'), '--heap-prof'));
    expect(a.functions[0]!.name).toBe('allocateRecords');
    // --heap-prof leaves url and line empty for some scripts (lineNumber -1): then line is 0.
    expect([0, 4]).toContain(a.functions[0]!.line);
    expect(a.functions[0]!.selfSize / a.totalSize).toBeGreaterThan(0.5);
    expect(sum(a.functions.map((f) => f.selfSize))).toBe(a.totalSize);
    expect(a.sampleCount).toBeGreaterThan(10);
  });
});
