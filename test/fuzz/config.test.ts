// Random and mutated configs through the loader: it never throws, every problem is located with a
// fix and a bounded message, and no input takes more than a bound (a hang bound, not a speed check).
// A sample of them also goes through the real CLI, which never prints a stack trace.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parse as parseJsonc } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { parseConfigBytes, starterConfig } from '../../src/core/config';
import { cliFolder, STACK_LINE } from '../helpers/cli';
import { announce, fuzzParameters, saveFailure } from './budget';
import { HOSTILE, mutated } from './mutate';

const FIXTURES = path.resolve('test/fixtures');
const seeds = [
  starterConfig(),
  ...['good-configs', 'bad-configs'].flatMap((d) => readdirSync(path.join(FIXTURES, d)).filter((f) => /\.jsonc?$/.test(f)).map((f) => readFileSync(path.join(FIXTURES, d, f), 'utf8'))),
];

/** A config: a mutated seed, a starter config with one hostile value somewhere, or random JSON. */
const config = fc.oneof(
  { weight: 6, arbitrary: mutated(seeds, (t) => parseJsonc(t, [], { allowTrailingComma: true })) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 6 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('profiles', 'targets', 'stack'), fc.string({ maxLength: 12 }), HOSTILE).map(([top, key, v]) => JSON.stringify({ [top]: { [key]: v } })) },
);

/** Longest a single config may take to load; far above any real one, it only catches a hang. */
const HANG_BOUND_MS = 10_000;

let loaded = 0;

function check(text: string): void {
  loaded++;
  const bytes = Buffer.from(text);
  const started = performance.now();
  let result: ReturnType<typeof parseConfigBytes> | undefined;
  let failure: string | undefined;
  try {
    result = parseConfigBytes(bytes, 'perflab.config.json');
    const elapsed = performance.now() - started;
    if (elapsed > HANG_BOUND_MS) failure = `took ${elapsed.toFixed(0)} ms`;
    for (const p of result.problems) {
      if (p.code === 'internal') failure = `internal problem: ${p.message}`;
      else if (!p.hint.trim() || !p.message.trim()) failure = `a problem without message or hint: ${JSON.stringify(p)}`;
      else if (p.line < 1 || p.column < 1) failure = `a problem without a place: ${JSON.stringify(p)}`;
      else if (p.message.length + p.hint.length + p.path.length > 2_200) failure = `an unbounded problem: ${p.message.slice(0, 200)}`;
    }
    if (result.problems.some((p) => p.severity === 'error') === (result.config !== undefined)) failure = 'config present although errors (or absent without)';
  } catch (err) {
    failure = `threw: ${(err as Error).stack ?? String(err)}`;
  }
  if (failure) {
    const saved = saveFailure('config', 'perflab.config.json', bytes);
    throw new Error(`${failure}\ninput saved as ${saved}; replay: node dist/cli.js validate --config ${saved}`);
  }
}

describe('fuzz: config loader', () => {
  announce('config');

  it('loads any input without throwing, with located, bounded problems', async () => {
    // Async, yielding now and then: a long synchronous loop would starve the test runner's own messages.
    await fc.assert(fc.asyncProperty(config, async (text) => {
      check(text);
      if (loaded % 500 === 0) await new Promise(setImmediate);
    }), fuzzParameters(0.2));
    console.log(`fuzz config: ${loaded} configs loaded`);
  });

  it('the CLI never shows a stack trace for a config', async () => {
    const folder = cliFolder('perflab-fuzz-');
    try {
      let validated = 0;
      await fc.assert(
        fc.asyncProperty(config, async (text) => {
          validated++;
          folder.write('perflab.config.json', text);
          const r = await folder.runAsync('validate');
          const output = r.out + r.err;
          const bad = r.code !== 0 && r.code !== 2 ? `exit ${r.code}` : STACK_LINE.test(output) ? 'a stack trace' : /internal error|please report/.test(output) ? 'an internal error' : undefined;
          if (bad) {
            const saved = saveFailure('config', 'perflab.config.json', text);
            throw new Error(`validate gave ${bad}:\n${output.slice(0, 2_000)}\ninput saved as ${saved}`);
          }
          expect(output.split('\n').every((l) => l.length < 2_500)).toBe(true);
        }),
        { ...fuzzParameters(0.15), numRuns: 200 },
      );
      console.log(`fuzz config: ${validated} configs through perflab validate`);
    } finally {
      folder.remove();
    }
  });
});
