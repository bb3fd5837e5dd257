/**
 * Where the BullMQ benchmark connects, and the checks made before it writes anything: the Redis
 * must be reachable (a clear RunnerError within a few seconds otherwise), loopback or allowed,
 * and not at risk of evicting the user's keys while the benchmark fills it.
 */
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { type RedisTarget, selectDatabase } from '../redis/target';
import { configLabel, RunnerError } from '../types';
import { formatBytes } from '../../core/format';

/** The Redis runner's target resolution serves both: one reading of `stack.redis.url` and the password. */
export { resolveRedisTarget, type RedisTarget } from '../redis/target';

const PROBE_TIMEOUT_MS = 3_000;
/** After the first successful connect, the admin link makes this many reconnect attempts (about 5 s) before the run gives up on Redis. */
const ADMIN_RECONNECTS = 10;

/** Connection options for BullMQ's own clients (each Queue and Worker opens its connections). */
export function bullmqConnection(target: RedisTarget, connectionName: string): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
    connectionName,
    connectTimeout: 5_000,
  };
}

/**
 * Connects the runner's own admin client (probe, counts, cleanup). Fails fast, as a RunnerError
 * naming host:port and what to check, when Redis cannot be reached or refuses the credentials.
 * Once connected it reconnects after a drop, for a bounded number of attempts.
 */
export async function connectAdmin(target: RedisTarget, connectionName: string, signal?: AbortSignal): Promise<Redis> {
  let connected = false;
  let lastError: Error | undefined;
  const client = new Redis({
    ...bullmqConnection(target, connectionName),
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => (!connected || times > ADMIN_RECONNECTS ? null : Math.min(times * 100, 1_000)),
  });
  client.on('error', (err: Error) => {
    lastError = err;
  });
  const onAbort = () => client.disconnect();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    await client.ping();
    connected = true;
  } catch (err) {
    client.disconnect();
    signal?.throwIfAborted();
    throw new RunnerError(describeConnectError(target, lastError ?? (err as Error)), 'redis');
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  // Before any queue exists: the queues and workers connect with the same URL, so a database the
  // server does not have fails here, and nothing reaches db 0.
  try {
    await selectDatabase(client, target);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  return client;
}

/** Whether a client error says its SELECT failed: that client would be working in db 0. */
export function isSelectError(err: Error | undefined): boolean {
  return /DB index is out of range|invalid DB index|permissions to run the 'select' command/i.test(err?.message ?? '');
}

/** A message that names the Redis and says what to check. */
export function describeConnectError(target: RedisTarget, err: Error): string {
  const where = `${target.host}:${target.port}`;
  const reason = err.message || String(err);
  if (/NOAUTH/i.test(reason)) {
    return `Redis at ${where} requires a password: set PERFLAB_REDIS_PASSWORD (and the user name in stack.redis.url when it uses ACL users).`;
  }
  if (/WRONGPASS|invalid password|invalid username/i.test(reason)) {
    return `Redis at ${where} refused the credentials (${reason}): check PERFLAB_REDIS_PASSWORD and the user name in stack.redis.url.`;
  }
  return (
    `Cannot reach Redis at ${where} (${reason}). Check that redis-server is running and listening there ` +
    `(\`redis-cli -h ${target.host} -p ${target.port} ping\`), and that stack.redis.url in ${configLabel(target)} points to it.`
  );
}

/** What the runner wants to know about the server before filling it with jobs. */
export interface ServerFacts {
  version: string;
  usedMemory: number;
  maxMemory: number;
  policy: string;
}

export async function serverFacts(admin: Redis): Promise<ServerFacts> {
  const info = await admin.info();
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
  return {
    version: field('redis_version'),
    usedMemory: Number(field('used_memory')) || 0,
    maxMemory: Number(field('maxmemory')) || 0,
    policy: field('maxmemory_policy') || 'noeviction',
  };
}

/**
 * With a memory limit and an eviction policy, filling Redis with jobs can make it evict the
 * user's own keys: refuse when the benchmark's estimated size would get near the limit, warn
 * otherwise. Returns warnings to log.
 */
export function checkEvictionRisk(facts: ServerFacts, estimatedBytes: number, display: string): string[] {
  if (!facts.maxMemory || facts.policy === 'noeviction') return [];
  const projected = facts.usedMemory + estimatedBytes;
  if (projected > facts.maxMemory * 0.8) {
    throw new RunnerError(
      `Redis at ${display} has maxmemory ${formatBytes(facts.maxMemory)} with maxmemory-policy ${facts.policy} and already uses ` +
        `${formatBytes(facts.usedMemory)}; this benchmark adds about ${formatBytes(estimatedBytes)} of jobs, which could make Redis evict your own keys. ` +
        'Run it against a Redis with room to spare or with maxmemory-policy noeviction (BullMQ requires it), or lower "jobs".',
      'refused',
    );
  }
  return [
    `Redis at ${display} uses maxmemory-policy ${facts.policy}; BullMQ requires noeviction. The benchmark stays well under ` +
      `maxmemory (${formatBytes(projected)} of ${formatBytes(facts.maxMemory)}), but a busy server could still evict keys.`,
  ];
}

