/**
 * Where the BullMQ benchmark connects, and the checks made before it writes anything: the Redis
 * must be reachable (a clear RunnerError within a few seconds otherwise), loopback or allowed,
 * and not at risk of evicting the user's keys while the benchmark fills it.
 */
import type { RedisOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, type RedisTarget, redisOptions } from '../redis/target';
import { RunnerError } from '../types';
import { formatBytes } from '../../core/format';

/** The Redis runner's target resolution serves both: one reading of `stack.redis.url` and the password. */
export { resolveRedisTarget, type RedisTarget } from '../redis/target';

const PROBE_TIMEOUT_MS = 3_000;
/** After the first successful connect, the admin link makes this many reconnect attempts (about 5 s) before the run gives up on Redis. */
const ADMIN_RECONNECTS = 10;

/** Connection options for BullMQ's own clients (each Queue and Worker opens its connections). */
export function bullmqConnection(target: RedisTarget, connectionName: string): RedisOptions {
  // BullMQ types these options with its own copy of ioredis's types: the same fields.
  return { ...redisOptions(target, connectionName), connectTimeout: 5_000 } as RedisOptions;
}

/**
 * Connects the runner's own admin client (probe, counts, cleanup). Fails fast, as a RunnerError
 * naming host:port and what to check, when Redis cannot be reached or refuses the credentials,
 * and before any queue exists when the server has not the database the URL names (so nothing
 * reaches db 0). Once connected it reconnects after a drop, for a bounded number of attempts.
 */
export function connectAdmin(target: RedisTarget, connectionName: string, signal?: AbortSignal): Promise<Redis> {
  return connectRedis(target, { name: connectionName, timeoutMs: PROBE_TIMEOUT_MS, reconnects: ADMIN_RECONNECTS }, signal);
}

/** Whether a client error says its SELECT failed: that client would be working in db 0. */
export function isSelectError(err: Error | undefined): boolean {
  return /DB index is out of range|invalid DB index|permissions to run the 'select' command/i.test(err?.message ?? '');
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

