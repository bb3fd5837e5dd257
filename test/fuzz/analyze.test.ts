// Random and mutated .cpuprofile, .heapprofile and .heapsnapshot files through `perflab analyze`,
// each in its own process: the answer is a result or one clear line (exit 0 or 2), never a stack
// trace or an internal error, within a hang bound, and within the README's memory bound.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { analyzeInChild, memoryLimit } from '../helpers/analyzeRun';
import { STACK_LINE } from '../helpers/cli';
import { WORST_CASES } from '../helpers/profileFiles';
import { announce, fuzzParameters, saveFailure } from './budget';
import { mutated } from './mutate';

const EXTENSIONS = ['.cpuprofile', '.heapprofile', '.heapsnapshot'] as const;
const dir = mkdtempSync(path.join(tmpdir(), 'perflab-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The project's own profiles and snapshots, the bad-file corpus and small worst-case files, by extension. */
function seeds(): Record<(typeof EXTENSIONS)[number], string[]> {
  const out: Record<string, string[]> = { '.cpuprofile': [], '.heapprofile': [], '.heapsnapshot': [] };
  const add = (file: string) => out[path.extname(file)]?.push(readFileSync(file, 'latin1'));
  const analysis = path.resolve('test/fixtures/analysis');
  for (const f of readdirSync(analysis)) if (path.extname(f) in out) add(path.join(analysis, f));
  for (const f of readdirSync(path.join(analysis, 'bad'))) add(path.join(analysis, 'bad', f));
  for (const make of Object.values(WORST_CASES)) add(make(dir, 4_096));
  return out as Record<(typeof EXTENSIONS)[number], string[]>;
}

const bySeed = seeds();
/** A file: a mutated seed under its own extension, now and then under another one. */
const file = fc.tuple(fc.constantFrom(...EXTENSIONS), fc.nat({ max: 9 }), fc.constantFrom(...EXTENSIONS)).chain(([ext, swap, other]) =>
  mutated(bySeed[ext]).map((text) => ({ ext: swap === 0 ? other : ext, text })),
);

/** Past this a case counts as a hang: far above any small file's analysis. */
const HANG_BOUND_MS = 30_000;
let cases = 0;

async function check({ ext, text }: { ext: string; text: string }, json: boolean): Promise<void> {
  const bytes = Buffer.from(text, 'latin1');
  const input = path.join(dir, `case-${cases++}${ext}`);
  writeFileSync(input, bytes);
  const r = await analyzeInChild(input, json ? ['--json'] : [], HANG_BOUND_MS);
  rmSync(input, { force: true });
  const errLines = r.err.split('\n').filter(Boolean);
  const failure = r.timedOut ? `no answer within ${HANG_BOUND_MS / 1000} s`
    : r.code !== 0 && r.code !== 2 ? `exit ${r.code ?? r.signal}`
      : STACK_LINE.test(r.err) || STACK_LINE.test(r.out) ? 'a stack trace'
        : /internal error|out of memory|worker (failed|exited)/.test(r.err) ? 'an internal error'
          : r.code === 2 && (errLines.length !== 1 || !errLines[0]!.startsWith(`perflab analyze: ${input}: `)) ? 'not one line naming the file'
            : r.peakRss > memoryLimit(bytes.length) ? `peak RSS ${(r.peakRss / 2 ** 20).toFixed(0)} MB, over the bound for ${bytes.length} bytes`
              : undefined;
  if (failure) {
    const saved = saveFailure('analyze', `input${ext}`, bytes);
    throw new Error(`${failure}:\n${r.err.slice(0, 2_000)}\ninput saved as ${saved}; replay: node dist/cli.js analyze ${saved}${json ? ' --json' : ''}`);
  }
}

describe('fuzz: perflab analyze', () => {
  announce('analyze');

  it('answers every file with a result or one clear line, in bounded time and memory', async () => {
    // Two cases at once: one per core.
    await fc.assert(
      fc.asyncProperty(file, file, fc.boolean(), async (a, b, json) => {
        await Promise.all([check(a, json), check(b, !json)]);
      }),
      fuzzParameters(0.6),
    );
    console.log(`fuzz analyze: ${cases} files analyzed`);
  });
});
