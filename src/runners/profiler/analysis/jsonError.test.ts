import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonScanner } from './jsonError';
import { sniffContent } from './sniff';

/** What the scanner says about `text` as a whole. */
const explain = (text: string) => {
  const scanner = new JsonScanner();
  scanner.write(Buffer.from(text));
  return scanner.end();
};

describe('JsonScanner messages', () => {
  it('accepts valid JSON', () => {
    expect(explain('{"a": [1, -2.5e3, "x\\"y", true, null, {}], "b": {"c": []}}')).toBeUndefined();
  });

  it.each([
    ['{"samples": [1, 2', "truncated: ends at byte 17, expected ',' or ']' in \"samples\""],
    ['{"nodes": [{"id": 1, "callFrame": {"url": "fi', 'truncated: ends at byte 45, expected the end of a string in "url"'],
    ['{"a": 1', "truncated: ends at byte 7, expected ',' or '}' in \"a\""],
    ['{"timeDeltas": [1, NaN]}', 'invalid JSON at byte 19: NaN and Infinity are not JSON in "timeDeltas", expected a value'],
    ['{"a": [1 2]}', "invalid JSON at byte 9: unexpected '2' in \"a\", expected ',' or ']'"],
    ['{"a": 1} x', "invalid JSON at byte 9: unexpected 'x' after the end of the JSON value, expected the end of the file"],
    ['{"a": 1.}', "invalid JSON at byte 8: unexpected '}' in a number in \"a\", expected a digit"],
    ['', 'empty file (0 bytes)'],
  ])('%s', (text, message) => {
    expect(explain(text)).toBe(message);
  });
});

describe('JsonScanner', () => {
  /** Scans `text` split into chunks at `cuts`. */
  const scan = (text: string, cuts: number[]) => {
    const buf = Buffer.from(text);
    const scanner = new JsonScanner();
    let from = 0;
    for (const cut of [...cuts.map((c) => c % (buf.length + 1)).sort((a, b) => a - b), buf.length]) {
      scanner.write(buf.subarray(from, Math.max(from, cut)));
      from = Math.max(from, cut);
    }
    return scanner.end();
  };
  const parses = (text: string) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };
  // JSON, and JSON with one character changed, inserted or removed, split anywhere.
  const text = fc.oneof(
    fc.json(),
    fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ' ', '"', '\\', '[', ']', '{', '}', ',', ':', '-', '.', 'e', '0', '1', 'u', 'n', '\u0001', '\uFFFF')).map(([j, at, c]) => {
      const i = at % (j.length + 1);
      return j.slice(0, i) + c + j.slice(i + (at % 2));
    }),
  );

  it('accepts exactly what JSON.parse accepts, however the input is cut into chunks', () => {
    fc.assert(fc.property(text, fc.array(fc.nat(), { maxLength: 4 }), (t, cuts) => {
      expect(scan(t, cuts) === undefined).toBe(parses(t));
    }), { numRuns: 2_000, seed: 8 });
  });
});

describe('sniffContent', () => {
  it.each([
    ['{"snapshot":{"meta":', 'heapsnapshot'],
    ['{"nodes":[{"id":1', 'cpuprofile'],
    [' \n{ "startTime": 1', 'cpuprofile'],
    ['{"head":{"callFrame"', 'heapprofile'],
    ['{"hello": 1}', 'json'],
    ['[1,2]', 'json-array'],
    ['hello', 'text'],
    ['', 'empty'],
  ])('%j is %s', (text, kind) => {
    expect(sniffContent(Buffer.from(text))).toBe(kind);
  });

  it('knows gzip and binary data', () => {
    expect(sniffContent(Uint8Array.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(sniffContent(Uint8Array.from([0x7b, 0x00, 0x01]))).toBe('binary');
  });
});
