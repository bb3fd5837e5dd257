import { describe, expect, it } from 'vitest';
import type { PerfLabConfig } from '../../core/config';
import { checkEvictionRisk, describeConnectError, resolveRedisTarget } from './connection';

function config(url?: string, allowHosts: string[] = []): PerfLabConfig {
  return { stack: { ...(url ? { redis: { url } } : {}), queues: [] }, targets: {}, allowHosts, profiles: {} };
}

describe('describeConnectError', () => {
  const target = resolveRedisTarget({ config: config('redis://127.0.0.1:6379'), env: {} });
  it('names host:port and what to check', () => {
    const msg = describeConnectError(target, new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    expect(msg).toContain('127.0.0.1:6379');
    expect(msg).toContain('redis-server is running');
    expect(msg).toContain('stack.redis.url');
  });
  it('points at the password for auth errors', () => {
    expect(describeConnectError(target, new Error('NOAUTH Authentication required.'))).toMatch(/PERFLAB_REDIS_PASSWORD/);
    expect(describeConnectError(target, new Error('WRONGPASS invalid username-password pair'))).toMatch(/PERFLAB_REDIS_PASSWORD/);
  });
});

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
