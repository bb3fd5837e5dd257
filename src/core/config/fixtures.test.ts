import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from './loader';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const BAD = join(FIXTURES, 'bad-configs');
const GOOD = join(FIXTURES, 'good-configs');

/**
 * Each bad fixture starts with one or more lines
 * `// expect: [warning ]LINE:COL PATH /MESSAGE-REGEX/` (PATH `$` is the document root).
 */
interface Expectation {
  severity: 'error' | 'warning';
  line: number;
  column: number;
  path: string;
  message: RegExp;
}

function expectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const m = /^\/\/ expect: (?:(error|warning) )?(\d+):(\d+) (.+?) \/(.*)\/([a-z]*)$/.exec(line);
    if (!m) break;
    out.push({
      severity: (m[1] as 'error' | 'warning' | undefined) ?? 'error',
      line: Number(m[2]),
      column: Number(m[3]),
      path: m[4] === '$' ? '' : m[4]!,
      message: new RegExp(m[5]!, m[6]),
    });
  }
  return out;
}

const badFiles = readdirSync(BAD).filter((f) => /\.jsonc?$/.test(f)).sort();

describe('malformed configs', () => {
  it('has a corpus of at least 30 fixtures, each declaring its outcome', () => {
    expect(badFiles.length).toBeGreaterThanOrEqual(30);
    for (const f of badFiles) expect(expectations(readFileSync(join(BAD, f), 'utf8')), f).not.toHaveLength(0);
  });

  it.each(badFiles)('%s', (f) => {
    const text = readFileSync(join(BAD, f), 'utf8');
    const expected = expectations(text);
    let result: ReturnType<typeof parseConfigText> | undefined;
    expect(() => (result = parseConfigText(text, f))).not.toThrow();
    const { config, problems } = result!;

    const errors = problems.filter((p) => p.severity === 'error');
    if (expected.some((e) => e.severity === 'error')) {
      expect(errors.length, 'at least one error').toBeGreaterThan(0);
      expect(config, 'no config when there are errors').toBeUndefined();
    } else {
      // Warning-only fixtures: the config still loads, the warning says what the runner will refuse.
      expect(errors).toEqual([]);
      expect(config).toBeDefined();
    }

    for (const e of expected) {
      const hit = problems.find((p) => p.path === e.path && e.message.test(p.message) && p.severity === e.severity);
      expect(hit, `a ${e.severity} at ${e.path || '(root)'} matching ${e.message}; got:\n${problems.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`).join('\n')}`).toBeDefined();
      expect({ line: hit!.line, column: hit!.column }).toEqual({ line: e.line, column: e.column });
    }

    for (const p of problems) {
      expect(p.hint.trim(), `hint of ${p.path}: ${p.message}`).not.toBe('');
      expect(p.message.trim()).not.toBe('');
      expect(p.file).toBe(f);
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.column).toBeGreaterThanOrEqual(1);
      expect(p.endLine * 1e6 + p.endColumn).toBeGreaterThanOrEqual(p.line * 1e6 + p.column);
    }
  });
});

describe('valid configs', () => {
  const goodFiles = readdirSync(GOOD).filter((f) => /\.jsonc?$/.test(f)).sort();

  it('has fixtures', () => expect(goodFiles.length).toBeGreaterThanOrEqual(3));

  it.each(goodFiles)('%s loads clean', async (f) => {
    const result = await loadConfigFile(join(GOOD, f));
    expect(result.problems).toEqual([]);
    expect(result.config).toBeDefined();
    expect(result.file).toBe(join(GOOD, f));
  });
});
