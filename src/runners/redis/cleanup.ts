/**
 * Keeping the run's keys in check while it runs (TTLs refreshed, lists trimmed) and removing
 * exactly those keys afterwards: the known names first, then SCAN MATCH on the run's prefix for
 * anything else, UNLINK in batches. Never FLUSH, never KEYS.
 */
import type { Redis } from 'ioredis';
import { LIST_KEEP, scanPattern } from './keys';

const UNLINK_BATCH = 500;
const SCAN_COUNT = 1_000;

export type CleanupResult = { ok: true; deleted: number } | { ok: false; reason: string };

export interface CleanupOptions {
  prefix: string;
  /** Keys the run may have created; deleted by name before the scan. */
  known: readonly string[];
  /** A client that may still be usable; a fresh one is made with `connect` when it is not. */
  reuse?: Redis;
  connect: () => Promise<Redis>;
  /** Connection attempts, with a growing pause between them. Default 4. */
  attempts?: number;
  pauseMs?: number;
}

/** Deletes every key under `prefix`, reconnecting (a bounded number of times) when needed. */
export async function removeBenchKeys(opts: CleanupOptions): Promise<CleanupResult> {
  const attempts = opts.attempts ?? 4;
  let reason = 'not attempted';
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, (opts.pauseMs ?? 250) * 2 ** (attempt - 1)));
    let client: Redis | undefined;
    let own = false;
    try {
      if (opts.reuse?.status === 'ready') client = opts.reuse;
      else {
        client = await opts.connect();
        own = true;
      }
      return { ok: true, deleted: await deleteUnder(client, opts.prefix, opts.known) };
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    } finally {
      if (own) client?.disconnect();
    }
  }
  return { ok: false, reason };
}

async function deleteUnder(client: Redis, prefix: string, known: readonly string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < known.length; i += UNLINK_BATCH) deleted += await unlink(client, known.slice(i, i + UNLINK_BATCH));
  const pattern = scanPattern(prefix);
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = next;
    // The pattern is escaped; checking the prefix again costs nothing and guards the one thing that matters.
    const ours = found.filter((k) => k.startsWith(prefix));
    for (let i = 0; i < ours.length; i += UNLINK_BATCH) deleted += await unlink(client, ours.slice(i, i + UNLINK_BATCH));
  } while (cursor !== '0');
  return deleted;
}

async function unlink(client: Redis, keys: string[]): Promise<number> {
  if (!keys.length) return 0;
  try {
    return await client.unlink(...keys);
  } catch (err) {
    // Redis before 4.0 has no UNLINK.
    if (/unknown command/i.test((err as Error).message)) return client.del(...keys);
    throw err;
  }
}

/** How the user removes the keys by hand when the run could not. */
export function manualCleanupHint(prefix: string, host: string, port: number, db: number): string {
  const cli = `redis-cli -h ${host} -p ${port}${db ? ` -n ${db}` : ''}`;
  return `${cli} --scan --pattern '${scanPattern(prefix)}' | xargs -r ${cli} unlink`;
}

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
