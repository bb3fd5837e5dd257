import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnalysisError } from '../errors';
import type { ParsedSnapshot } from './model';
import { SnapshotParser } from './parser';

const FILE = path.resolve('test/fixtures/analysis/tiny.heapsnapshot');
const tiny = readFileSync(FILE);

function parse(buf: Buffer, chunk = buf.length || 1, idsOnly = false): ParsedSnapshot {
  const p = new SnapshotParser('tiny.heapsnapshot', buf.length, { idsOnly });
  for (let i = 0; i < buf.length; i += chunk) p.write(buf.subarray(i, i + chunk));
  return p.end();
}

const plain = (s: ParsedSnapshot) => ({
  nodeCount: s.nodeCount,
  edgeCount: s.edgeCount,
  columns: [s.nodeType, s.nodeName, s.nodeId, s.selfSize, s.firstEdge, s.detachedness, s.edgeType, s.edgeName, s.edgeTo, s.locations].map((a) => Array.from(a ?? [])),
  strings: s.strings,
});

describe('SnapshotParser', () => {
  it('splits nodes and edges into typed columns, edges pointing at node ordinals', () => {
    const s = parse(tiny);
    expect(s.nodeCount).toBe(9);
    expect(s.edgeCount).toBe(10);
    expect(Array.from(s.selfSize)).toEqual([0, 0, 40, 24, 24, 32, 20, 16, 16]);
    expect(Array.from(s.nodeId)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17]);
    expect(Array.from(s.firstEdge)).toEqual([0, 2, 3, 5, 6, 6, 8, 8, 9, 10]);
    expect(Array.from(s.edgeTo)).toEqual([2, 1, 2, 3, 5, 4, 6, 4, 8, 7]);
    expect(Array.from(s.locations)).toEqual([3, 7, 2, 4, 4, 7, 2, 4]);
    expect(s.meta.edgeTypes.at(-1)).toBe('invisible');
    expect(s.strings[10]).toBe('hello "q" \\ é ☃ \n');
  });

  it('gives the same result whatever the chunk boundaries (escapes and UTF-8 split across chunks)', () => {
    const whole = plain(parse(tiny));
    for (const chunk of [1, 2, 3, 5, 7, 13, 64, 100]) expect(plain(parse(tiny, chunk))).toEqual(whole);
  });

  it('keeps only ids when asked', () => {
    const s = parse(tiny, 5, true);
    expect(Array.from(s.nodeId)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17]);
    expect(s.edgeCount).toBe(0);
    expect(s.strings).toEqual([]);
  });

  it('reports every truncation as "truncated: ends at byte N, expected …", never anything else', () => {
    for (let n = 0; n < tiny.length - 1; n++) {
      let error: unknown;
      try {
        parse(tiny.subarray(0, n), 7);
      } catch (err) {
        error = err;
      }
      expect(error, `prefix of ${n} bytes`).toBeInstanceOf(AnalysisError);
      const message = (error as Error).message;
      expect(message.startsWith('tiny.heapsnapshot: ')).toBe(true);
      if (n > 0 && !/^\s*$/.test(tiny.subarray(n - 1, n).toString())) expect(message).toMatch(/truncated: ends at byte \d+, expected |empty file/);
    }
  });

  it('survives random corruption with an AnalysisError or a result, never a crash', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 400; round++) {
      const buf = Buffer.from(tiny);
      for (let k = 0; k < 3; k++) buf[Math.floor(random() * buf.length)] = Math.floor(random() * 256);
      try {
        parse(buf, 1 + Math.floor(random() * 50));
      } catch (err) {
        expect(err, (err as Error).stack).toBeInstanceOf(AnalysisError);
        expect((err as Error).message).not.toMatch(/\n/);
      }
    }
  });

  it.each([
    ['{"snapshot":{"meta":{}}}', /has no "meta"|lacks "type"|not a list of names/],
    ['{"nodes":[1,2]}', /comes before the "snapshot" header/],
    ['[1,2,3]', /is a JSON array, not a heap snapshot/],
    ['{"a":1}', /no "snapshot" header/],
    ['{"snapshot":' + JSON.stringify({ meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [['object']], edge_fields: ['type', 'name_or_index', 'to_node'], edge_types: [['property']] } }) + ',"nodes":[0,0,1,1.5,0]', /non-integer number at byte \d+ in "nodes"/],
  ])('explains %s', (text, message) => {
    expect(() => parse(Buffer.from(text))).toThrow(message);
  });
});
