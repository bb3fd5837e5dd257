/**
 * The state of the stack a config names, for the editor's Stack view: whether its Redis answers,
 * what it is (version, memory, eviction policy, persistence, keys), and the job counts of each
 * BullMQ queue the config lists, read with BullMQ's own `getJobCounts`. Reads only: INFO, CONFIG
 * GET save and BullMQ's read-only count script (./queueCounter.ts). Loaded by the editor from its
 * own bundle (dist/stack.js), so the extension does not carry BullMQ; the engine of a run loads
 * a run's stack evidence (./stackEvidence.ts) from the same bundle.
 */
import type { Redis } from 'ioredis';
import type { PerfLabConfig } from '../core/config';
import { readServerFacts, type ServerFacts } from './redis/serverInfo';
import { readUsedMemory } from './redis/memorySampler';
import { connectRedis, resolveRedisTarget } from './redis/target';
import { queueCounter } from './queueCounter';
import { withTimeout } from './timeout';
import { LOBBY_PREFIX, LOBBY_QUEUE } from './distributed/messages';

// The bundle of the stack (dist/stack.js) also carries a run's stack evidence, which reads the same queues.
export { startStackEvidence } from './stackEvidence';

/** The job states the view shows, in BullMQ's words. */
export const JOB_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children'] as const;
export type JobState = (typeof JOB_STATES)[number];

const READ_TIMEOUT_MS = 3_000;

export type RedisStatus =
  | { ok: true; label: string; facts: ServerFacts; usedMemory: number; agents?: LoadAgentPresence[] }
  | { ok: false; label: string; error: string };

/** A load agent (`perflab agent`) connected to this Redis, waiting for (or running) a distributed run. */
export interface LoadAgentPresence {
  name: string;
  /** `host:port` it connects from, as Redis sees it. */
  addr: string;
}

export interface QueueStatus {
  name: string;
  prefix: string;
  counts?: Record<JobState, number>;
  error?: string;
}

export interface StackStatus {
  /** Undefined when the config names no Redis. */
  redis?: RedisStatus;
  queues: QueueStatus[];
}

/** Reads the stack once; never throws: what could not be read is in the status, with what to check. */
export async function readStackStatus(config: PerfLabConfig, env: Record<string, string | undefined>, configName: string): Promise<StackStatus> {
  const queues = config.stack.queues.map((q): QueueStatus => ({ name: q.name, prefix: q.prefix }));
  if (!config.stack.redis?.url) return { queues };
  let target;
  try {
    target = resolveRedisTarget({ config, env, configName });
  } catch (err) {
    return { redis: { ok: false, label: config.stack.redis.url, error: (err as Error).message }, queues };
  }
  let client: Redis;
  try {
    client = await connectRedis(target, { name: 'perflab-stack-view', timeoutMs: READ_TIMEOUT_MS });
  } catch (err) {
    const error = (err as Error).message;
    for (const q of queues) q.error = 'Redis is not reachable';
    return { redis: { ok: false, label: target.label, error }, queues };
  }
  try {
    const [facts, usedMemory] = await withTimeout(Promise.all([readServerFacts(client), readUsedMemory(client)]), READ_TIMEOUT_MS, 'Redis did not answer INFO');
    await Promise.all(queues.map((q) => readCounts(client, q)));
    const agents = await withTimeout(readAgents(client), READ_TIMEOUT_MS, 'no answer').catch(() => undefined);
    return { redis: { ok: true, label: target.label, facts, usedMemory, ...(agents ? { agents } : {}) }, queues };
  } catch (err) {
    return { redis: { ok: false, label: target.label, error: (err as Error).message }, queues };
  } finally {
    client.disconnect();
  }
}

/**
 * The load agents on this Redis: the clients of the agents' lobby queue, by the worker name BullMQ
 * gives each connection (`<prefix>:<base64 queue>:w:<name>`, CLIENT LIST). Undefined where the
 * server does not allow CLIENT LIST.
 */
export async function readAgents(client: Redis): Promise<LoadAgentPresence[] | undefined> {
  let list: string;
  try {
    list = String(await client.client('LIST'));
  } catch {
    return undefined;
  }
  const marker = `${LOBBY_PREFIX}:${Buffer.from(LOBBY_QUEUE).toString('base64')}:w:`;
  const byName = new Map<string, LoadAgentPresence>();
  for (const line of list.split('\n')) {
    const name = /(?:^| )name=(\S*)/.exec(line)?.[1];
    if (!name?.startsWith(marker)) continue;
    const agent = name.slice(marker.length);
    if (!byName.has(agent)) byName.set(agent, { name: agent, addr: /(?:^| )addr=(\S*)/.exec(line)?.[1] ?? '' });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function readCounts(client: Redis, q: QueueStatus): Promise<void> {
  const counter = queueCounter(client, q.name, q.prefix);
  try {
    q.counts = await counter.counts(JOB_STATES, READ_TIMEOUT_MS);
  } catch (err) {
    q.error = (err as Error).message;
  } finally {
    await counter.close();
  }
}
