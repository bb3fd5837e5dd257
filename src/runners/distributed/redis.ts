/**
 * The Redis a distributed run is coordinated on, for the coordinator and its agents alike: the
 * URL as given, the password only from `PERFLAB_REDIS_PASSWORD`, loopback unless `allowHosts`
 * names the host, and the server's clock (TIME) as the one every machine's is measured against.
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { RedisOptions } from 'bullmq';
import { isUrlAllowed } from '../../core/config/hosts';
import { bullmqConnection } from '../queue/connection';
import { parseRedisUrl, type RedisTarget } from '../redis/target';
import { PASSWORD_ENV, RunnerError } from '../types';
import type { ClockReading } from './messages';

/** The coordination Redis at `url`, refused unless loopback or allowed; `where` names the setting in messages. */
export function coordinationRedis(url: string, allowHosts: readonly string[], env: Record<string, string | undefined>, where: string): RedisTarget {
  const target = parseRedisUrl(url, env[PASSWORD_ENV]);
  if (!isUrlAllowed(url, allowHosts)) {
    throw new RunnerError(
      `the agents' Redis at ${target.address} is not loopback and not allowed: ${where} must list "${target.host}" in allowHosts ` +
        'before PerfLab coordinates load through another machine\'s Redis',
      'refused',
    );
  }
  return target;
}

/** Options for BullMQ's clients of the coordination Redis (a Worker's blocking client needs maxRetriesPerRequest null). */
export function coordinationConnection(target: RedisTarget, name: string): RedisOptions {
  return { ...bullmqConnection(target, name), maxRetriesPerRequest: null } as RedisOptions;
}

/** The Redis server's clock, ms since the epoch. */
export async function redisNow(client: Redis): Promise<number> {
  const [s, us] = await client.time();
  return Number(s) * 1000 + Number(us) / 1000;
}

const CLOCK_SAMPLES = 7;

/**
 * This machine's clock against the Redis server's, as NTP does it: of several TIME round trips,
 * the one that took least, the server's reading against the middle of the trip. Its half-trip
 * bounds the error.
 */
export async function readClock(client: Redis): Promise<ClockReading> {
  let best: ClockReading | undefined;
  for (let i = 0; i < CLOCK_SAMPLES; i++) {
    const t0 = localNow();
    const server = await redisNow(client);
    const rtt = localNow() - t0;
    const offset = server - (t0 + rtt / 2);
    if (!best || rtt / 2 < best.uncertaintyMs) best = { offsetMs: offset, uncertaintyMs: rtt / 2 };
  }
  return { offsetMs: round(best!.offsetMs), uncertaintyMs: round(best!.uncertaintyMs) };
}

/** This machine's clock, ms since the epoch, below the ms (the clock {@link readClock} measures). */
export const localNow = () => performance.timeOrigin + performance.now();

/** A time on the Redis clock as Date.now() reads it here, by a reading of this machine's clock. */
export function toLocalEpoch(redisMs: number, clock: ClockReading): number {
  // Date.now() is what the load generator's thread converts from; localNow() is what was measured.
  return Date.now() + (redisMs - clock.offsetMs - localNow());
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
