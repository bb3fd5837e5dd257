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

// Redis runs each SCAN and each EXPIRE_SCRIPT in one go, between the benchmark's own commands,
// and a key costs it about 3 µs in the script (PTTL, and PEXPIRE when it has none): 100 keys a
// step hold Redis for about 0.3 ms, where one script over 1,000 keys held it for 3–6 ms, which
// showed in BullMQ's e2e p99 at 500 jobs/s (bench/bullmq.bench.mjs). A pass every 30 s keeps the
// work small next to a 10-minute TTL that is renewed when half of it has gone.
const SCAN_COUNT = 100;
/** A full pass over the database should take about this many ticks (30 s at one a second), whatever its size… */
const CYCLE_TICKS = 30;
/** …but one tick never takes more SCAN steps than this (10,000 keys examined). */
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
  private lastSize: number | undefined;

  constructor(private readonly opts: PrefixSweepOptions) {
    assertRunPrefix(opts.prefix);
    if (opts.ttlMs <= 2 * opts.ownTtlMaxMs) throw new Error('the sweep TTL must be more than twice the longest TTL BullMQ sets itself');
  }

  /** True when the last tick ended a pass over the database (and before the first tick). */
  get passEnded(): boolean {
    return this.cursor === '0';
  }

  /**
   * A few SCAN steps from where the last tick stopped, stopping at the end of a pass. The number
   * of steps follows the database's size and growth at every tick (DBSIZE is O(1)), so a pass
   * takes about {@link CYCLE_TICKS} ticks, fewer while the benchmark grows the database. Resolves
   * with the number of keys that got a TTL.
   */
  async tick(client: Redis): Promise<number> {
    const size = await client.dbsize();
    // A 30th of the database, plus as many keys as it grew by since the last tick: a pass then
    // keeps up with a benchmark adding thousands of keys a second instead of trailing behind it.
    const grown = Math.max(0, size - (this.lastSize ?? size));
    this.lastSize = size;
    const steps = Math.min(MAX_STEPS, Math.max(1, Math.ceil((size / CYCLE_TICKS + grown) / SCAN_COUNT)));
    let expired = 0;
    for (let step = 0; step < steps; step++) {
      const [next, keys] = await client.scan(this.cursor, 'MATCH', scanPattern(this.opts.prefix), 'COUNT', SCAN_COUNT);
      this.cursor = next;
      const ours = keys.filter((k) => k.startsWith(this.opts.prefix));
      if (ours.length) expired += (await client.eval(EXPIRE_SCRIPT, ours.length, ...ours, this.opts.ttlMs, this.opts.ttlMs / 2, this.opts.ownTtlMaxMs)) as number;
      if (next === '0') break;
    }
    return expired;
  }
}
