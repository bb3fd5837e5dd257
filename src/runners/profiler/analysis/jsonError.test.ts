import { describe, expect, it } from 'vitest';
import { explainJsonError } from './jsonError';
import { sniffContent } from './sniff';

const explain = (text: string) => explainJsonError(Buffer.from(text));

describe('explainJsonError', () => {
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
