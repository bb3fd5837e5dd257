import { describe, expect, it } from 'vitest';
import type { RedisOperation } from '../../core/config';
import { BenchKeys, newBenchPrefix, scanPattern } from './keys';

const ALL: RedisOperation[] = ['set', 'get', 'incr', 'lpush', 'zadd', 'pipeline', 'analytics-write', 'analytics-read'];

describe('benchmark keys', () => {
  it('a run prefix is unique and cannot be a prefix of another run\'s', () => {
    const prefixes = new Set(Array.from({ length: 1000 }, () => newBenchPrefix(1_700_000_000_000)));
    expect(prefixes.size).toBe(1000);
    for (const p of prefixes) expect(p).toMatch(/^perflab:bench:[0-9a-z]+[0-9a-f]{12}:$/);
  });

  it('every key of every operation is under the prefix, from a bounded set', () => {
    const keys = new BenchKeys('perflab:bench:run1:');
    const used = keys.usedBy(ALL);
    expect(used.every((k) => k.startsWith('perflab:bench:run1:'))).toBe(true);
    expect(new Set(used).size).toBe(used.length);
    expect(used.length).toBeLessThan(1000);
  });

  it('refreshes the TTL of keys whose commands set none, not of SET ... PX keys', () => {
    const keys = new BenchKeys('p:');
    expect(keys.refreshedFor(['set', 'pipeline'])).toEqual([]);
    const refreshed = keys.refreshedFor(ALL);
    for (const k of [...keys.get, ...keys.incr, ...keys.lists, ...keys.zsets, keys.analytics.recent, keys.analytics.phones]) expect(refreshed).toContain(k);
    for (const k of keys.set) expect(refreshed).not.toContain(k);
  });

  it('scan patterns escape glob characters, so they match the prefix literally', () => {
    expect(scanPattern('perflab:bench:abc:')).toBe('perflab:bench:abc:*');
    expect(scanPattern('a*b?c[d]\\e:')).toBe('a\\*b\\?c\\[d\\]\\\\e:*');
  });
});
