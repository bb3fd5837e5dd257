import { describe, expect, it } from 'vitest';
import { checkEvictionRisk } from './connection';

describe('checkEvictionRisk', () => {
  const facts = { version: '7.0.15', usedMemory: 50e6, maxMemory: 100e6, policy: 'allkeys-lru' };
  it('is silent without a memory limit or with noeviction', () => {
    expect(checkEvictionRisk({ ...facts, maxMemory: 0 }, 1e9, 'x')).toEqual([]);
    expect(checkEvictionRisk({ ...facts, policy: 'noeviction' }, 1e9, 'x')).toEqual([]);
  });
  it('warns with room to spare and refuses when the jobs could push out user keys', () => {
    expect(checkEvictionRisk(facts, 1e6, 'x')).toHaveLength(1);
    expect(() => checkEvictionRisk(facts, 40e6, 'x')).toThrow(/evict your own keys/);
  });
});
