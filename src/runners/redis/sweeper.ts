/**
 * Keeping a run's keys with a TTL while it runs, so that whatever a crash leaves behind expires
 * by itself. The Redis runner knows its keys by name: {@link startKeeper} refreshes them and trims
 * its lists. BullMQ names its keys itself, inside Lua scripts that set no TTL, and deletes and
 * recreates some (a list that empties is gone): {@link PrefixSweep} finds them by SCAN on the
 * run's prefix, a few steps per tick with a cursor, and gives each one without a TTL a TTL.
 */
import type { Redis } from 'ioredis';
import { assertRunPrefix } from './cleanup';
import { LIST_KEEP, scanPattern } from './keys';

export interface Keeper {
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
}

/**
 * Every `everyMs`: PEXPIRE on the keys whose commands set no TTL themselves (so a long run, or a
 * key Redis evicted and a command recreated, never goes without one), and LTRIM on the lists
 * LPUSH grows. Runs on the control connection; a failed round is reported once, then retried.
 */
export function startKeeper(client: Redis, refresh: readonly string[], lists: readonly string[], ttlMs: number, onError: (err: Error) => void, everyMs = 1_000): Keeper {
  let round: Promise<void> | undefined;
  let reported = false;
  const tick = () => {
    if (round || (!refresh.length && !lists.length)) return;
    const p = client.pipeline();
    for (const key of lists) p.ltrim(key, 0, LIST_KEEP - 1);
    for (const key of refresh) p.pexpire(key, ttlMs);
    round = p.exec()
      .then(() => undefined)
      .catch((err: Error) => {
        if (!reported) onError(err);
        reported = true;
      })
      .finally(() => {
        round = undefined;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await round;
    },
  };
}

const SCAN_COUNT = 1_000;
/** A full pass over the database should take about this many ticks, whatever its size… */
const CYCLE_TICKS = 30;
/** …but one tick never takes more SCAN steps than this (100,000 keys examined). */
const MAX_STEPS = 100;

/**
 * For each key: no TTL, or a TTL the sweep gave it (longer than BullMQ's own) that is halfway
 * gone: set it to the full TTL. A key with BullMQ's own short TTL (a job lock, the stalled-jobs
 * check, the rate limiter) keeps it, so BullMQ behaves as it would without the sweep. A key
 * deleted since the SCAN (-2) is left alone. Returns how many keys got a TTL.
 */
const EXPIRE_SCRIPT = `
local ttl, refresh, own = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local n = 0
for _, key in ipairs(KEYS) do
  local left = redis.call('PTTL', key)
  if left == -1 or (left > own and left < refresh) then
    redis.call('PEXPIRE', key, ttl)
    n = n + 1
  end
end
return n`;

export interface PrefixSweepOptions {
  /** A run's prefix (see assertRunPrefix). */
  prefix: string;
  /** The TTL every key gets, and gets again once half of it has gone. */
  ttlMs: number;
  /** Keys with a TTL this short or shorter set it themselves (BullMQ's locks): never touched. */
  ownTtlMaxMs: number;
}

/** A SCAN cursor over the database that gives the run's keys their TTL, a slice per {@link tick}. */
export class PrefixSweep {
  private cursor = '0';
  private steps = 1;

  constructor(private readonly opts: PrefixSweepOptions) {
    assertRunPrefix(opts.prefix);
    if (opts.ttlMs <= 2 * opts.ownTtlMaxMs) throw new Error('the sweep TTL must be more than twice the longest TTL BullMQ sets itself');
  }

  /**
   * A few SCAN steps from where the last tick stopped (more on a bigger database, so a pass
   * takes about {@link CYCLE_TICKS} ticks), stopping at the end of a pass. Resolves with the
   * number of keys that got a TTL.
   */
  async tick(client: Redis): Promise<number> {
    if (this.cursor === '0') this.steps = Math.min(MAX_STEPS, Math.max(1, Math.ceil((await client.dbsize()) / SCAN_COUNT / CYCLE_TICKS)));
    let expired = 0;
    for (let step = 0; step < this.steps; step++) {
      const [next, keys] = await client.scan(this.cursor, 'MATCH', scanPattern(this.opts.prefix), 'COUNT', SCAN_COUNT);
      this.cursor = next;
      const ours = keys.filter((k) => k.startsWith(this.opts.prefix));
      if (ours.length) expired += (await client.eval(EXPIRE_SCRIPT, ours.length, ...ours, this.opts.ttlMs, this.opts.ttlMs / 2, this.opts.ownTtlMaxMs)) as number;
      if (next === '0') break;
    }
    return expired;
  }
}
