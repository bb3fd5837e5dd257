import { describe, expect, it } from 'vitest';
import { describeServer, MANY_KEYS, parseInfo, serverFacts, type ServerFacts } from './serverInfo';
import { parseRedisUrl } from './target';

const INFO = [
  '# Server', 'redis_version:7.0.15', 'redis_mode:standalone', '',
  '# Memory', 'maxmemory:0', 'maxmemory_policy:noeviction', '',
  '# Persistence', 'aof_enabled:0', '',
  '# Replication', 'role:master', 'connected_slaves:0', '',
  '# Cluster', 'cluster_enabled:0', '',
  '# Keyspace', 'db0:keys=10000,expires=3334,avg_ttl=0', 'db2:keys=5,expires=0,avg_ttl=0', '',
].join('\r\n');

const local = parseRedisUrl('redis://127.0.0.1:6379', undefined);
const PREFIX = 'perflab:bench:abc:';

function facts(overrides: Partial<ServerFacts> = {}): ServerFacts {
  return { ...serverFacts(parseInfo(INFO), ''), ...overrides };
}

describe('server facts', () => {
  it('reads version, policy, persistence, replication and keys per database', () => {
    expect(facts()).toEqual({
      version: '7.0.15', mode: 'standalone', role: 'master', maxmemory: 0, maxmemoryPolicy: 'noeviction',
      rdbSave: '', aof: false, replicas: 0, clusterEnabled: false, keys: { db0: 10_000, db2: 5 },
    });
    expect(serverFacts(parseInfo(INFO), undefined).rdbSave).toBeUndefined();
  });
});

describe('describeServer', () => {
  it('a scratch server: info only, with version, policy, persistence and keys', () => {
    const logs = describeServer(facts(), local, PREFIX, 600_000);
    expect(logs.map((l) => l.level)).toEqual(['info', 'info']);
    expect(logs[0]!.message).toBe(
      'Redis 7.0.15 (standalone, master) at redis://127.0.0.1:6379/0: maxmemory-policy noeviction (no maxmemory), ' +
        'persistence RDB off, AOF off, 10,000 keys in db0 (10,005 in all databases)',
    );
    expect(logs[1]!.message).toMatch(/perflab:bench:abc:\* only, each with a TTL of 10 min/);
  });

  it('warns once, with every reason, when the server looks like it holds real data', () => {
    const remote = parseRedisUrl('redis://10.0.0.5:6379', undefined);
    const logs = describeServer(facts({ keys: { db0: MANY_KEYS + 1 }, rdbSave: '3600 1 300 100', aof: true, replicas: 2 }), remote, PREFIX, 600_000);
    const warnings = logs.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    const w = warnings[0]!.message;
    expect(w).toMatch(/100,001 keys/);
    expect(w).toMatch(/10\.0\.0\.5 is not a loopback address/);
    expect(w).toMatch(/RDB snapshots are on \(save "3600 1 300 100"\)/);
    expect(w).toMatch(/AOF persistence is on/);
    expect(w).toMatch(/2 replicas are connected/);
    expect(w).toContain(PREFIX);
    expect(logs[0]!.message).toMatch(/persistence RDB save "3600 1 300 100", AOF on/);
  });

  it('does not call a server with exactly the threshold of keys production', () => {
    expect(describeServer(facts({ keys: { db0: MANY_KEYS } }), local, PREFIX, 600_000).some((l) => l.level === 'warn')).toBe(false);
  });

  it('warns that an evicting policy with maxmemory can evict keys that are not the benchmark\'s', () => {
    const logs = describeServer(facts({ maxmemory: 256 * 1024 * 1024, maxmemoryPolicy: 'allkeys-lru' }), local, PREFIX, 600_000);
    expect(logs.find((l) => l.level === 'warn')?.message).toMatch(/allkeys-lru with maxmemory 256\.0 MB.*evicts any key/);
    expect(logs[0]!.message).toMatch(/maxmemory-policy allkeys-lru \(maxmemory 256\.0 MB\)/);
  });

  it('says when persistence cannot be read', () => {
    expect(describeServer(facts({ rdbSave: undefined }), local, PREFIX, 600_000)[0]!.message).toMatch(/persistence RDB unknown/);
  });
});
