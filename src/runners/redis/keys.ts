/**
 * The keys a run may touch. Every one of them is under a prefix unique to the run, drawn from a
 * small fixed set (so memory stays bounded however long the run), and known in advance, so the
 * run can give each a TTL before it is used and delete exactly these at the end.
 */
import { randomBytes } from 'node:crypto';
import type { RedisOperation } from '../../core/config';

/** Every benchmark key expires by itself this long after it was last refreshed. */
export const BENCH_KEY_TTL_MS = 10 * 60_000;
/** Keys per operation for set, get, incr and pipeline. */
export const STRING_KEYS = 100;
/** Lists (lpush) and sorted sets (zadd) per run. */
export const COLLECTION_KEYS = 16;
/** Distinct sorted-set and set members: ZADD / SADD of a known member updates it, so sizes stay bounded. */
export const MEMBERS = 1_000;
/** Lists are trimmed back to this length (lpush by the keeper, analytics-write in its own pipeline). */
export const LIST_KEEP = 1_000;
/** Event types of the analytics pattern, as in the demo stack. */
export const EVENT_TYPES = ['text', 'image', 'template'] as const;

const ROOT = 'perflab:bench:';

/** `perflab:bench:<time><random>:`, unique per run. */
export function newBenchPrefix(now = Date.now()): string {
  return `${ROOT}${now.toString(36)}${randomBytes(6).toString('hex')}:`;
}

/** A SCAN MATCH pattern that matches exactly the keys starting with `prefix` (glob characters escaped). */
export function scanPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
}

/** Key names of one run, by purpose. */
export class BenchKeys {
  readonly set: string[];
  readonly get: string[];
  readonly incr: string[];
  readonly pipeline: string[];
  readonly lists: string[];
  readonly zsets: string[];
  readonly analytics: {
    count: string[];
    series: string[];
    recent: string;
    phones: string;
  };

  constructor(readonly prefix: string) {
    const many = (kind: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${kind}:${i}`);
    this.set = many('set', STRING_KEYS);
    this.get = many('get', STRING_KEYS);
    this.incr = many('incr', STRING_KEYS);
    this.pipeline = many('pipe', STRING_KEYS);
    this.lists = many('list', COLLECTION_KEYS);
    this.zsets = many('zset', COLLECTION_KEYS);
    this.analytics = {
      count: EVENT_TYPES.map((t) => `${prefix}analytics:count:${t}`),
      series: EVENT_TYPES.map((t) => `${prefix}analytics:ts:${t}`),
      recent: `${prefix}analytics:recent`,
      phones: `${prefix}analytics:phones`,
    };
  }

  /** Every key the given operations can create, e.g. to delete them without scanning. */
  usedBy(operations: readonly RedisOperation[]): string[] {
    const out = new Set<string>();
    for (const op of operations) for (const key of this.keysOf(op)) out.add(key);
    return [...out];
  }

  /**
   * Keys that must keep their TTL while the run lasts: those the benchmark commands do not give
   * one themselves (SET ... PX does; INCR, LPUSH, ZADD and SADD do not).
   */
  refreshedFor(operations: readonly RedisOperation[]): string[] {
    return this.usedBy(operations.filter((op) => op !== 'set' && op !== 'pipeline'));
  }

  private keysOf(op: RedisOperation): string[] {
    const a = this.analytics;
    switch (op) {
      case 'set': return this.set;
      case 'get': return this.get;
      case 'incr': return this.incr;
      case 'pipeline': return this.pipeline;
      case 'lpush': return this.lists;
      case 'zadd': return this.zsets;
      case 'analytics-write':
      case 'analytics-read': return [...a.count, ...a.series, a.recent, a.phones];
    }
  }
}
