// Hostile and unlucky config files through the built CLI: each gets one located line with the fix
// (exit 2), never a stack trace, an echo of a huge value or a pass that `run` would then refuse.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliFolder, cliFolder, STACK_LINE } from '../helpers/cli';

let folder: CliFolder;
beforeEach(() => {
  folder = cliFolder();
});
afterEach(() => folder.remove());

/** A valid config with one http profile `p`; `over` is merged into the profile. */
function httpConfig(over: Record<string, unknown> = {}, request: Record<string, unknown> = { path: '/' }) {
  return {
    targets: { api: { baseUrl: 'http://127.0.0.1:3000' } },
    profiles: {
      p: { type: 'http', target: 'api', phases: [{ name: 'steady', duration: '1s', arrivalRate: 1 }], scenarios: [{ name: 's', request }], ...over },
    },
  };
}

/** Writes `content` as perflab.config.json and validates it: exit 2 and every line bounded. */
function invalid(content: string | Buffer | object) {
  folder.write('perflab.config.json', content);
  const r = folder.run('validate');
  expect(r.code, r.out + r.err).toBe(2);
  expect(r.err).not.toMatch(STACK_LINE);
  for (const line of (r.out + r.err).split('\n')) expect(line.length).toBeLessThan(1_200);
  return r.err;
}

/** The line and column of the first `needle` in `text`, 1-based. */
function at(text: string, needle: string): string {
  const before = text.slice(0, text.indexOf(needle));
  const lines = before.split('\n');
  return `${lines.length}:${lines[lines.length - 1]!.length + 1}`;
}

describe('file encodings', () => {
  const text = JSON.stringify(httpConfig());

  it.each([
    ['UTF-16 LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['UTF-16 LE without BOM', Buffer.from(text, 'utf16le')],
    ['UTF-16 BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
    ['UTF-16 BE without BOM', Buffer.from(text, 'utf16le').swap16()],
  ])('%s: "the file is UTF-16; save it as UTF-8"', (_name, bytes) => {
    expect(invalid(bytes)).toMatch(/^perflab\.config\.json:1:1 the file is UTF-16 — save it as UTF-8/m);
  });

  it('a UTF-8 BOM is read silently', () => {
    folder.write('perflab.config.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const r = folder.run('validate');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/is valid: 1 profile/);
  });

  it('Latin-1 text is located and named', () => {
    const latin = Buffer.from(JSON.stringify(httpConfig({ description: 'café' })), 'latin1');
    expect(invalid(latin)).toMatch(/^perflab\.config\.json:1:\d+ the file is not valid UTF-8 here — save it as UTF-8/m);
  });
});

describe('sizes and shapes no config has', () => {
  it('20,000 nested arrays: "nested too deeply" at the bracket, not a RangeError', () => {
    const text = `{\n  "profiles": {\n    "p": ${'['.repeat(20_000)}${']'.repeat(20_000)}\n  }\n}\n`;
    const err = invalid(text);
    expect(err).toMatch(/^perflab\.config\.json:3:72 nested too deeply: more than 64 levels of \{ \} and \[ \] — /m);
    expect(err).not.toMatch(/RangeError|please report/);
  });

  it('a 5 MB string is quoted by its first 60 characters and its size', () => {
    const huge = 'x'.repeat(5 << 20);
    const err = invalid(httpConfig({ target: huge }));
    const echoed = `"${'x'.repeat(60)}…" (5 MB)`;
    expect(err).toContain(`profiles.p.target: unknown target ${echoed}`);
    expect(err.length).toBeLessThan(2_000);
  });

  it('a 5 MB key and a 5 MB unquoted word are bounded too', () => {
    expect(invalid(`{ "profiles": { "p": { "type": "redis", "${'k'.repeat(5 << 20)}": 1 } } }`)).toMatch(/unknown property "k{60}…" \(5 MB\)/);
    expect(invalid(`{ "profiles": ${'w'.repeat(5 << 20)} }`)).toMatch(/unexpected "w{60}…" \(5 MB\)/);
  });
});
