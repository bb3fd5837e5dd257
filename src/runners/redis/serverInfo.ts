/**
 * What a run tells the user about the server before it writes anything: version, eviction
 * policy, persistence, keys, and a warning when the server looks like one that holds real data.
 */
import type { Redis } from 'ioredis';
import { formatBytes, formatCount } from '../../core/format';
import type { RunLog } from '../types';
import type { RedisTarget } from './target';

/** More keys than this and the server probably holds someone's data. */
export const MANY_KEYS = 100_000;

/** The facts the report and the warnings are made of. */
export interface ServerFacts {
  version: string;
  mode: string;
  role: string;
  maxmemory: number;
  maxmemoryPolicy: string;
  /** The `save` setting; undefined when CONFIG GET is not allowed. */
  rdbSave?: string;
  aof: boolean;
  replicas: number;
  clusterEnabled: boolean;
  /** Keys per database (`db0` → count). */
  keys: Record<string, number>;
}

/** `INFO` text as `field → value`; section headers and blank lines are skipped. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}

/** Builds the facts from parsed `INFO` and the `save` setting (when readable). */
export function serverFacts(info: Record<string, string>, rdbSave: string | undefined): ServerFacts {
  const keys: Record<string, number> = {};
  for (const [field, value] of Object.entries(info)) {
    const m = /^db(\d+)$/.exec(field);
    const count = /(?:^|,)keys=(\d+)/.exec(value);
    if (m && count) keys[field] = Number(count[1]);
  }
  return {
    version: info.redis_version ?? 'unknown',
    mode: info.redis_mode ?? 'standalone',
    // Redis still says "slave" in INFO.
    role: info.role === 'slave' ? 'replica' : (info.role ?? 'master'),
    maxmemory: Number(info.maxmemory ?? 0),
    maxmemoryPolicy: info.maxmemory_policy ?? 'unknown',
    ...(rdbSave !== undefined ? { rdbSave } : {}),
    aof: info.aof_enabled === '1',
    replicas: Number(info.connected_slaves ?? 0),
    clusterEnabled: info.cluster_enabled === '1',
    keys,
  };
}

/** Reads the facts from a connected client. */
export async function readServerFacts(client: Redis): Promise<ServerFacts> {
  const info = parseInfo(await client.info());
  let rdbSave: string | undefined;
  try {
    // CONFIG is often renamed or forbidden on managed servers; then persistence is only partly known.
    const reply = (await client.config('GET', 'save')) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === 'string') rdbSave = reply[1];
  } catch {
    rdbSave = undefined;
  }
  return serverFacts(info, rdbSave);
}

/** The info line and, when the server looks like it holds real data, one warning with every reason. */
export function describeServer(facts: ServerFacts, target: RedisTarget, prefix: string, ttlMs: number): RunLog[] {
  const total = Object.values(facts.keys).reduce((a, b) => a + b, 0);
  const inDb = facts.keys[`db${target.db}`] ?? 0;
  const rdb = facts.rdbSave === undefined ? 'RDB unknown' : facts.rdbSave.trim() ? `RDB save "${facts.rdbSave}"` : 'RDB off';
  const memory = facts.maxmemory > 0 ? `maxmemory ${formatBytes(facts.maxmemory)}` : 'no maxmemory';
  const logs: RunLog[] = [
    {
      level: 'info',
      message:
        `Redis ${facts.version} (${facts.mode}, ${facts.role}) at ${target.label}: maxmemory-policy ${facts.maxmemoryPolicy} ` +
        `(${memory}), persistence ${rdb}, AOF ${facts.aof ? 'on' : 'off'}, ${formatCount(inDb)} keys in db${target.db}` +
        (total !== inDb ? ` (${formatCount(total)} in all databases)` : ''),
    },
    {
      level: 'info',
      message:
        `benchmark keys: ${prefix}* only, each with a TTL of ${Math.round(ttlMs / 60_000)} min; ` +
        'they are deleted at the end, on cancel and on error',
    },
  ];

  const reasons: string[] = [];
  if (total > MANY_KEYS) reasons.push(`it holds ${formatCount(total)} keys`);
  if (!target.loopback) reasons.push(`${target.host} is not a loopback address`);
  if (facts.rdbSave?.trim()) reasons.push(`RDB snapshots are on (save "${facts.rdbSave}")`);
  if (facts.aof) reasons.push('AOF persistence is on');
  if (facts.replicas > 0) reasons.push(`${facts.replicas} replica${facts.replicas === 1 ? ' is' : 's are'} connected`);
  if (facts.role !== 'master') reasons.push(`it is a ${facts.role}, so writes will fail`);
  if (reasons.length) {
    logs.push({
      level: 'warn',
      message:
        `this Redis looks like it may hold real data: ${reasons.join('; ')}. The benchmark writes only keys under ` +
        `${prefix} and removes them, but its load is felt by everything else using this server; prefer a ` +
        'throwaway local redis-server.',
    });
  }
  if (facts.maxmemory > 0 && facts.maxmemoryPolicy !== 'noeviction') {
    logs.push({
      level: 'warn',
      message:
        `maxmemory-policy is ${facts.maxmemoryPolicy} with maxmemory ${formatBytes(facts.maxmemory)}: if the benchmark's ` +
        `writes fill memory, Redis evicts ${facts.maxmemoryPolicy.startsWith('volatile') ? 'keys that have a TTL' : 'any key'}, ` +
        'including keys that are not the benchmark\'s.',
    });
  }
  return logs;
}
