// `perflab analyze` in-process: tables, --json, --top and usage errors.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeCommand } from '../../src/cli/analyzeCommand';
import type { CliIO } from '../../src/cli/exit';

const FIXTURES = path.resolve('test/fixtures/analysis');

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), cwd: FIXTURES, isTTY: false };
  return { cli, out, err };
}

beforeAll(() => {
  if (!existsSync('dist/analysisWorker.js')) throw new Error('dist/analysisWorker.js is missing: run `npm run build` first');
});

describe('perflab analyze', () => {
  it('prints the top functions of a CPU profile by self time with file:line', async () => {
    const { cli, out } = io();
    expect(await analyzeCommand(cli, [path.join(FIXTURES, 'tiny.cpuprofile'), '--top', '3'])).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^CPU profile .*tiny\.cpuprofile: 8 samples every 0\.99 ms \(7\.90 ms sampled; median gap 1\.00 ms\)\n/);
    expect(text).toMatch(/\nV8: idle 0%, program 12\.7%, time in GC 12\.7% of 7\.90 ms sampled\n/);
    const rows = text.split('\n').filter((l) => /^\s*[\d.]+ ms\s+[\d.]+%/.test(l));
    expect(rows[0]).toMatch(/^\s*4\.90 ms\s+62\.0%\s+4\.90 ms\s+62\.0%\s+render {2}\/app\/server\.js:20$/);
    expect(text).toMatch(/Hot lines\n.*\n.*\n\s*2\.00 ms\s+25\.3%\s+\/app\/server\.js:21/);
  });

  it('prints classes of a heap snapshot by retained size', async () => {
    const { cli, out } = io();
    expect(await analyzeCommand(cli, ['tiny.heapsnapshot'].map((f) => path.join(FIXTURES, f)))).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/9 objects, 10 references, 172 B in total/);
    expect(text).toMatch(/\n\s+1\s+40 B\s+140 B\s+81\.4%\s+global\n/);
    expect(text).toMatch(/\n\s+2\s+48 B\s+48 B\s+27\.9%\s+Foo\n/);
  });

  it('prints the top allocating functions of a heap sampling profile', async () => {
    const { cli, out } = io();
    expect(await analyzeCommand(cli, [path.join(FIXTURES, 'tiny.heapprofile')])).toBe(0);
    expect(out.join('\n')).toMatch(/\n\s*4\.9 KB\s+80\.6%\s+4\.9 KB\s+parseRow {2}\/app\/load\.js:11\n\s*1,000 B\s+16\.1%\s+5\.9 KB\s+load/);
  });

  it('--json prints the whole analysis as JSON', async () => {
    const { cli, out } = io();
    expect(await analyzeCommand(cli, [path.join(FIXTURES, 'tiny.cpuprofile'), '--json'])).toBe(0);
    const json = JSON.parse(out.join('\n'));
    expect(json).toMatchObject({ kind: 'cpuprofile', sampleCount: 8 });
    expect(json.functions.map((f: { name: string }) => f.name)).toEqual(['render', 'main']);
    expect(json.meta).toEqual([
      { kind: 'idle', name: '(idle)', selfMs: 0 },
      { kind: 'program', name: '(program)', selfMs: 1 },
      { kind: 'gc', name: '(garbage collector)', selfMs: 1 },
      { kind: 'root', name: '(root)', selfMs: 0 },
    ]);
    expect(json.tree.parent).toEqual([-1, 0, 1, 2, 0, 0]);
  });

  it.each([
    [[], /name a file to analyze/],
    [['a.cpuprofile', 'b.cpuprofile'], /analyze takes one file, got 2/],
    [['tiny.cpuprofile', '--top', '0'], /--top 0 is not a positive whole number/],
    [['tiny.cpuprofile', '--top', 'ten'], /--top ten is not a positive whole number/],
  ])('usage errors exit 2: %j', async (args, message) => {
    await expect(analyzeCommand(io().cli, args)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
  });

  it('unknown options are parse errors the CLI turns into usage', async () => {
    await expect(analyzeCommand(io().cli, ['x.cpuprofile', '--frobnicate'])).rejects.toMatchObject({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
  });
});
