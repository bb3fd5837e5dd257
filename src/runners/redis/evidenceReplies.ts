/**
 * The replies of the server's own accounting, parsed: INFO commandstats, SLOWLOG GET, LATENCY
 * LATEST and LATENCY HISTOGRAM, as ioredis returns them over RESP2. Pure functions, so a reply of
 * another server version (a field more or less) is tested here without one. Nothing in a run
 * resets these counters: a run's share is always the end minus the start.
 */
import type { CommandDelta, CommandLatency, LatencyEvent, SlowlogEntry } from '../../core/stackEvidence';

/** One line of INFO commandstats. */
export interface CommandStat {
  calls: number;
  usec: number;
  rejectedCalls?: number;
  failedCalls?: number;
}

/** `cmdstat_get:calls=2,usec=5,usec_per_call=2.50,rejected_calls=0,failed_calls=0` → `get → {calls, usec, …}`. */
export function parseCommandStats(text: string): Map<string, CommandStat> {
  const out = new Map<string, CommandStat>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):(.*)$/.exec(line.trim());
    if (!m) continue;
    const fields = new Map<string, number>();
    for (const part of m[2]!.split(',')) {
      const at = part.indexOf('=');
      if (at > 0) fields.set(part.slice(0, at), Number(part.slice(at + 1)));
    }
    const calls = fields.get('calls');
    const usec = fields.get('usec');
    if (!Number.isFinite(calls) || !Number.isFinite(usec)) continue;
    const stat: CommandStat = { calls: calls!, usec: usec! };
    const rejected = fields.get('rejected_calls');
    const failed = fields.get('failed_calls');
    if (rejected !== undefined && Number.isFinite(rejected)) stat.rejectedCalls = rejected;
    if (failed !== undefined && Number.isFinite(failed)) stat.failedCalls = failed;
    out.set(m[1]!.toLowerCase(), stat);
  }
  return out;
}

/**
 * What each command did between two readings, most time first; commands without a call in
 * between are left out. A counter lower at the end than at the start (CONFIG RESETSTAT by
 * someone, a restart) counts from zero: the end reading is all that is known.
 */
export function commandDeltas(start: ReadonlyMap<string, CommandStat>, end: ReadonlyMap<string, CommandStat>): CommandDelta[] {
  const out: CommandDelta[] = [];
  for (const [command, e] of end) {
    const s = start.get(command);
    const reset = s !== undefined && e.calls < s.calls;
    const base = s && !reset ? s : { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
    const calls = e.calls - base.calls;
    if (calls <= 0) continue;
    const usec = Math.max(0, e.usec - base.usec);
    const delta: CommandDelta = { command, calls, usec, usecPerCall: Math.round((usec / calls) * 100) / 100 };
    const rejected = e.rejectedCalls !== undefined ? e.rejectedCalls - (base.rejectedCalls ?? 0) : 0;
    const failed = e.failedCalls !== undefined ? e.failedCalls - (base.failedCalls ?? 0) : 0;
    if (rejected > 0) delta.rejectedCalls = rejected;
    if (failed > 0) delta.failedCalls = failed;
    out.push(delta);
  }
  return out.sort((a, b) => b.usec - a.usec || b.calls - a.calls || a.command.localeCompare(b.command));
}

/** Longest argument kept, and how many arguments, of a slow log entry. */
export const SLOWLOG_ARG_CHARS = 40;
export const SLOWLOG_ARGS = 4;

const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * The entries of a SLOWLOG GET reply (`[id, unix time, µs, [args], client, name]`) with an id
 * above `afterId`, oldest first. Arguments are cut short: they may hold the user's data.
 */
export function parseSlowlog(reply: unknown, afterId: number): SlowlogEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: SlowlogEntry[] = [];
  for (const raw of reply) {
    if (!Array.isArray(raw) || raw.length < 4 || !Array.isArray(raw[3])) continue;
    const [id, time, us, argv, client, name] = raw as [unknown, unknown, unknown, unknown[], unknown, unknown];
    const n = Number(id);
    if (!Number.isFinite(n) || n <= afterId) continue;
    const args = argv.map(text);
    // Redis adds "... (N more arguments)" as a last argument of a long command line.
    const entry: SlowlogEntry = {
      id: n,
      at: new Date(Number(time) * 1000).toISOString(),
      durationUs: Number(us),
      command: (args[0] ?? '?').toLowerCase(),
      args: args.slice(1, 1 + SLOWLOG_ARGS).map((a) => cut(a, SLOWLOG_ARG_CHARS)),
    };
    if (args.length > 1 + SLOWLOG_ARGS) entry.args.push(`… ${args.length - 1 - SLOWLOG_ARGS} more`);
    if (client !== undefined && text(client)) entry.client = text(client);
    if (name !== undefined && text(name)) entry.clientName = text(name);
    out.push(entry);
  }
  return out.sort((a, b) => a.id - b.id);
}

/** The highest id of a SLOWLOG GET reply, or -1 for an empty log. */
export function highestSlowlogId(reply: unknown): number {
  if (!Array.isArray(reply)) return -1;
  let max = -1;
  for (const e of reply) if (Array.isArray(e) && Number.isFinite(Number(e[0]))) max = Math.max(max, Number(e[0]));
  return max;
}

/** LATENCY LATEST (`[event, unix time, latest ms, max ms]` each) for events whose latest spike is at or after `sinceMs`. */
export function parseLatencyLatest(reply: unknown, sinceMs: number): LatencyEvent[] {
  if (!Array.isArray(reply)) return [];
  const out: LatencyEvent[] = [];
  for (const raw of reply) {
    if (!Array.isArray(raw) || raw.length < 4) continue;
    const atMs = Number(raw[1]) * 1000;
    // The time has a resolution of a second: an event of the run's first second counts.
    if (!Number.isFinite(atMs) || atMs < Math.floor(sinceMs / 1000) * 1000) continue;
    out.push({ event: text(raw[0]), at: new Date(atMs).toISOString(), latestMs: Number(raw[2]), maxMs: Number(raw[3]) });
  }
  return out.sort((a, b) => b.latestMs - a.latestMs);
}

/** One command's cumulative histogram: bucket upper bound (µs) → calls at or below it. */
export interface Histogram {
  calls: number;
  buckets: [us: number, cumulative: number][];
}

/** LATENCY HISTOGRAM's reply: `[cmd, ['calls', n, 'histogram_usec', [us, count, …]], …]`. */
export function parseLatencyHistogram(reply: unknown): Map<string, Histogram> {
  const out = new Map<string, Histogram>();
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const body = reply[i + 1];
    if (!Array.isArray(body)) continue;
    let calls = 0;
    let flat: unknown[] = [];
    for (let j = 0; j + 1 < body.length; j += 2) {
      const field = text(body[j]);
      if (field === 'calls') calls = Number(body[j + 1]);
      else if (field === 'histogram_usec' && Array.isArray(body[j + 1])) flat = body[j + 1] as unknown[];
    }
    const buckets: [number, number][] = [];
    for (let j = 0; j + 1 < flat.length; j += 2) buckets.push([Number(flat[j]), Number(flat[j + 1])]);
    out.set(text(reply[i]).toLowerCase(), { calls, buckets });
  }
  return out;
}

/**
 * A command's latency between two histograms: the smallest bucket that holds half, 99% and all
 * of the calls made in between. Undefined without a call in between.
 */
export function histogramDelta(command: string, start: Histogram | undefined, end: Histogram): CommandLatency | undefined {
  const before = new Map(start?.buckets ?? []);
  // Cumulative counts: a bucket missing from the start reading holds what the bucket below held.
  let carried = 0;
  const points: [number, number][] = [];
  for (const [us, cumulative] of [...end.buckets].sort((a, b) => a[0] - b[0])) {
    carried = before.get(us) ?? carried;
    points.push([us, cumulative - carried]);
  }
  const calls = end.calls - (start?.calls ?? 0);
  if (calls <= 0 || !points.length) return undefined;
  const at = (share: number) => points.find(([, n]) => n >= share * calls)?.[0] ?? points[points.length - 1]![0];
  return { command, calls, p50Us: at(0.5), p99Us: at(0.99), maxUs: at(1) };
}
