/**
 * Removing exactly a run's keys, for the Redis and the BullMQ runner alike: the names the run
 * knows first, then SCAN MATCH on its prefix until a whole pass finds nothing, UNLINK in
 * batches, reconnecting a bounded number of times when the connection has dropped. And the one
 * command a user is given to do the same by hand when PerfLab could not. Never FLUSH, never
 * KEYS, and never a prefix that is not a run's own.
 */
import type { Redis } from 'ioredis';
import { scanPattern } from './keys';
import type { RedisTarget } from './target';

const UNLINK_BATCH = 500;
const SCAN_COUNT = 1_000;
/** A run's writers are stopped before its keys are removed; passes past the first only catch stragglers. */
const MAX_PASSES = 5;

/**
 * The prefixes of runs: `perflab:bench:<id>:` (Redis runner), `perflab-bench-<id>:` and
 * `perflab-bench-<id>:<queue>:` (BullMQ runner), `perflab-dist-<id>:` (a distributed run's
 * queues). Nothing else is ever deleted or expired.
 */
const RUN_PREFIX = /^(?:perflab:bench:[0-9a-z]+:|perflab-bench-[a-z0-9]+:(?:[A-Za-z0-9_.-]+:)?|perflab-dist-[a-z0-9]+:)$/;

/** Throws unless `prefix` is one run's whole prefix (see RUN_PREFIX). */
export function assertRunPrefix(prefix: string): void {
  if (!RUN_PREFIX.test(prefix)) throw new Error(`refusing to touch keys outside a benchmark prefix: "${prefix}"`);
}

/** Calls `onKeys` with each batch of keys SCAN finds under `prefix`; resolves with how many it found. */
export async function scanUnder(client: Redis, prefix: string, onKeys: (keys: string[]) => Promise<unknown>): Promise<number> {
  assertRunPrefix(prefix);
  let found = 0;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', scanPattern(prefix), 'COUNT', SCAN_COUNT);
    cursor = next;
    // The pattern is exact; checking the prefix again costs nothing and guards the one thing that matters.
    const ours = keys.filter((k) => k.startsWith(prefix));
    found += ours.length;
    if (ours.length) await onKeys(ours);
  } while (cursor !== '0');
  return found;
}

/** `unreachable`: the last attempt could not even connect. */
export type CleanupResult = { ok: true; deleted: number } | { ok: false; reason: string; unreachable: boolean };

export interface CleanupOptions {
  /** A run's prefix (see assertRunPrefix); every key that starts with it is removed. */
  prefix: string;
  /** Keys the run may have created; deleted by name before the scan. */
  known?: readonly string[];
  /** A client that may still be usable; a fresh one is made with `connect` when it is not. */
  reuse?: Redis;
  connect: () => Promise<Redis>;
  /** Connection attempts, with a doubling pause between them. Default 5 (about 4 s in all). */
  attempts?: number;
  pauseMs?: number;
}

/** Deletes every key under `prefix`, reconnecting (a bounded number of times) when needed. */
export async function removeUnder(opts: CleanupOptions): Promise<CleanupResult> {
  assertRunPrefix(opts.prefix);
  const attempts = opts.attempts ?? 5;
  let reason = 'not attempted';
  let unreachable = false;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, (opts.pauseMs ?? 250) * 2 ** (attempt - 1)));
    let client: Redis | undefined;
    let own = false;
    try {
      unreachable = false;
      if (opts.reuse?.status === 'ready') client = opts.reuse;
      else {
        client = await opts.connect().catch((err: unknown) => {
          unreachable = true;
          throw err;
        });
        own = true;
      }
      return { ok: true, deleted: await deleteUnder(client, opts.prefix, opts.known ?? []) };
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    } finally {
      if (own) client?.disconnect();
    }
  }
  return { ok: false, reason, unreachable };
}

async function deleteUnder(client: Redis, prefix: string, known: readonly string[]): Promise<number> {
  let deleted = 0;
  const ours = known.filter((k) => k.startsWith(prefix));
  for (let i = 0; i < ours.length; i += UNLINK_BATCH) deleted += await unlink(client, ours.slice(i, i + UNLINK_BATCH));
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const found = await scanUnder(client, prefix, async (keys) => {
      for (let i = 0; i < keys.length; i += UNLINK_BATCH) deleted += await unlink(client, keys.slice(i, i + UNLINK_BATCH));
    });
    // A full SCAN that found nothing proves the prefix is empty (keys made meanwhile were seen by an earlier pass).
    if (found === 0) return deleted;
  }
  throw new Error(`keys under ${prefix} kept reappearing after ${MAX_PASSES} passes`);
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

/**
 * The shell command that removes the run's keys by hand: redis-cli with the run's host, port,
 * database, user and TLS, SCAN on the prefix piped into UNLINK. It never holds the password:
 * redis-cli reads one from REDISCLI_AUTH, which the hint tells the user to set.
 */
export function cleanupCommand(target: RedisTarget, prefix: string): string {
  assertRunPrefix(prefix);
  const cli = [
    'redis-cli', '-h', target.host, '-p', String(target.port),
    ...(target.db ? ['-n', String(target.db)] : []),
    ...(target.username ? ['--user', target.username] : []),
    ...(target.tls ? ['--tls', '--sni', target.host] : []),
  ].map(shellWord).join(' ');
  return `${cli} --scan --pattern ${shellWord(scanPattern(prefix))} | xargs -r ${cli} unlink`;
}

/** {@link cleanupCommand}, with where the password goes when the server needs one. */
export function cleanupHint(target: RedisTarget, prefix: string): string {
  const command = cleanupCommand(target, prefix);
  return target.password
    ? `${command} (the server needs the password: put it in the REDISCLI_AUTH environment variable first, e.g. export REDISCLI_AUTH="$PERFLAB_REDIS_PASSWORD"; never on the command line)`
    : command;
}

/** A word as a POSIX shell reads it literally. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
