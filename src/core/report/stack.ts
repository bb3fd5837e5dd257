/**
 * How a run's stack evidence reads (its Redis's commands, slow log, latency, memory and clients,
 * and its BullMQ queues): the text and Markdown reports and the run page all take their words
 * and figures from here.
 */
import type { QueueEvidence, SlowlogEntry, StackEvidence } from '../stackEvidence';
import { formatBytes, formatClock, formatCount, formatDuration, formatMs, formatShare, formatUs, textTable } from '../format';

/** Commands a report lists, at most. */
export const REPORT_COMMANDS = 10;

/** One command of the run, formatted. */
export interface CommandRow {
  command: string;
  calls: string;
  /** Redis's time executing it during the run. */
  time: string;
  perCall: string;
  /** Its share of all the commands' time. */
  share: string;
  /** Failed or rejected calls, when there were any (Redis 7). */
  failed: string;
}

export function commandRows(e: StackEvidence, limit = REPORT_COMMANDS): CommandRow[] {
  const total = e.commandTotals?.usec ?? 0;
  return (e.commands ?? []).slice(0, limit).map((c) => ({
    command: c.command,
    calls: formatCount(c.calls),
    time: formatUs(c.usec),
    perCall: formatUs(c.usecPerCall),
    share: formatShare(c.usec, total),
    failed: c.failedCalls || c.rejectedCalls ? formatCount((c.failedCalls ?? 0) + (c.rejectedCalls ?? 0)) : '',
  }));
}

/** `14 commands, 1,234 calls, 31.4 ms of Redis time in all`. */
export function commandTotalsText(e: StackEvidence): string | undefined {
  const t = e.commandTotals;
  if (!t) return undefined;
  if (!t.calls) return 'no command ran during the run';
  return `${formatCount(t.commands)} command${t.commands === 1 ? '' : 's'}, ${formatCount(t.calls)} calls, ${formatUs(t.usec)} of Redis time in all (INFO commandstats, end minus start; PerfLab's own reads included)`;
}

/** A slow log entry, formatted. */
export interface SlowlogRow {
  at: string;
  duration: string;
  /** The command and its first arguments: `eval local t0 = … 0`. */
  command: string;
  client: string;
}

export function slowlogRow(s: SlowlogEntry): SlowlogRow {
  return {
    at: formatClock(s.at),
    duration: formatUs(s.durationUs),
    command: [s.command, ...s.args].join(' '),
    client: [s.clientName, s.client].filter(Boolean).join(' '),
  };
}

/** `2 new slow log entries (slower than 20 ms)`, with the ones the log no longer held. */
export function slowlogText(e: StackEvidence): string | undefined {
  const log = e.slowlog;
  if (!log) return undefined;
  const n = log.entries.length + log.missed;
  const threshold = log.slowerThanUs !== undefined ? (log.slowerThanUs < 0 ? ' (the slow log is off: slowlog-log-slower-than is negative)' : ` (slower than ${formatUs(log.slowerThanUs)})`) : '';
  const head = n ? `${formatCount(n)} new slow log entr${n === 1 ? 'y' : 'ies'}${threshold}` : `no new slow log entry${threshold}`;
  return log.missed ? `${head}, ${formatCount(log.missed)} of them no longer in the log by the end (slowlog-max-len)` : head;
}

/** The latency monitor's events of the run, or why there are none. */
export function latencyText(e: StackEvidence): string | undefined {
  const l = e.latency;
  if (!l) return undefined;
  if (l.events.length) {
    return `latency events: ${l.events.map((ev) => `${ev.event} ${formatMs(ev.latestMs)} at ${formatClock(ev.at)} (highest ever ${formatMs(ev.maxMs)})`).join(', ')}`;
  }
  if (l.monitorThresholdMs === 0) return 'latency monitor off (latency-monitor-threshold 0): Redis records no latency events';
  return `no latency event${l.monitorThresholdMs !== undefined ? ` above ${formatMs(l.monitorThresholdMs)}` : ''}`;
}

/** `get p50 ≤ 2 µs, p99 ≤ 4 µs, max ≤ 32 µs` per top command. */
export function histogramTexts(e: StackEvidence): string[] {
  return (e.latency?.histograms ?? []).map((h) => `${h.command} p50 ≤ ${formatUs(h.p50Us)}, p99 ≤ ${formatUs(h.p99Us)}, max ≤ ${formatUs(h.maxUs)} (${formatCount(h.calls)} call${h.calls === 1 ? '' : 's'})`);
}

/** What the per-command latency lines are. */
export const HISTOGRAM_HEADING = 'latency per command during the run (LATENCY HISTOGRAM, bucket bounds)';

/** `memory (used_memory) max 3.4 MB (1.2 MB at start, 1.3 MB at end); clients max 12 (3 at start, 3 at end)`. */
export function gaugeText(e: StackEvidence, opts: { memory?: boolean } = {}): string | undefined {
  const parts: string[] = [];
  if (e.memory && opts.memory !== false) parts.push(`memory (used_memory) max ${formatBytes(e.memory.max)} (${formatBytes(e.memory.start)} at start, ${formatBytes(e.memory.end)} at end)`);
  if (e.clients) parts.push(`clients max ${formatCount(e.clients.max)} (${formatCount(e.clients.start)} at start, ${formatCount(e.clients.end)} at end, PerfLab's included)`);
  return parts.length ? parts.join('; ') : undefined;
}

export type QueueTrend = 'growing' | 'shrinking' | 'rose and fell back' | 'steady';

/** Where the queue's backlog (waiting jobs) went over the run: a change smaller than a tenth of its peak (and than 2) is steady. */
export function queueTrend(q: QueueEvidence): QueueTrend | undefined {
  if (!q.start || !q.end || !q.max) return undefined;
  const tolerance = Math.max(1, q.max.waiting / 10);
  const change = q.end.waiting - q.start.waiting;
  if (change > tolerance) return 'growing';
  if (change < -tolerance) return 'shrinking';
  if (q.max.waiting - Math.max(q.start.waiting, q.end.waiting) > tolerance) return 'rose and fell back';
  return 'steady';
}

/** One queue, formatted. */
export interface QueueRow {
  name: string;
  waitingMax: string;
  activeMax: string;
  delayedMax: string;
  failedMax: string;
  /** `0 → 5`. */
  waiting: string;
  trend: string;
  /** Change over the run, signed: `+500`. */
  completed: string;
  failed: string;
  /** Why it was not (fully) read. */
  note: string;
}

const signed = (n: number) => `${n > 0 ? '+' : ''}${formatCount(n)}`;

export function queueRow(q: QueueEvidence): QueueRow {
  const { start, end, max } = q;
  return {
    name: q.name,
    waitingMax: max ? formatCount(max.waiting) : '–',
    activeMax: max ? formatCount(max.active) : '–',
    delayedMax: max ? formatCount(max.delayed) : '–',
    failedMax: max ? formatCount(max.failed) : '–',
    waiting: start && end ? `${formatCount(start.waiting)} → ${formatCount(end.waiting)}` : '–',
    trend: queueTrend(q) ?? '–',
    completed: start && end ? signed(end.completed - start.completed) : '–',
    failed: start && end ? signed(end.failed - start.failed) : '–',
    note: q.error ? (q.samples ? `some readings failed: ${q.error}` : `not read: ${q.error}`) : '',
  };
}

/** `messages: waiting max 120, active max 10, failed max 0; waiting 0 → 5 (growing); completed +500, failed +0`. */
export function queueText(q: QueueEvidence): string {
  const r = queueRow(q);
  if (!q.samples) return `${q.name}: ${r.note || 'not read'}`;
  return `${r.name}: waiting max ${r.waitingMax}, active max ${r.activeMax}, delayed max ${r.delayedMax}, failed max ${r.failedMax}; ` +
    `waiting ${r.waiting} (${r.trend}); completed ${r.completed}, failed ${r.failed}${r.note ? ` (${r.note})` : ''}`;
}

/** `12 readings 1.0 s apart` of memory, clients and queues. */
export function readingsText(e: StackEvidence): string {
  return `${formatCount(e.samples)} reading${e.samples === 1 ? '' : 's'} ${formatDuration(e.intervalMs)} apart`;
}

/** `redis://127.0.0.1:6379/0 (Redis 7.0.15), 12 readings 1.0 s apart`. */
export function stackHeadline(e: StackEvidence): string {
  return `${e.target}${e.version ? ` (Redis ${e.version})` : ''}, ${readingsText(e)}`;
}

/**
 * The `redis:` block and the `queues:` block of the text report. `memory: false` leaves memory
 * out where a Redis or BullMQ benchmark already reports its own readings of it.
 */
export function stackTextLines(e: StackEvidence, opts: { memory?: boolean } = {}): string[] {
  const lines = [`redis: ${stackHeadline(e)}`];
  const indent = (block: string) => block.split('\n').map((l) => `    ${l}`);
  const rows = commandRows(e);
  if (rows.length) {
    lines.push('  commands by Redis time:');
    lines.push(...indent(textTable(['command', 'calls', 'time', 'per call', 'share'], rows.map((r) => [r.command, r.calls, r.time, r.perCall, r.share]), { labels: 'first' })));
  }
  const totals = commandTotalsText(e);
  if (totals) lines.push(`  ${totals}`);
  const slow = slowlogText(e);
  if (slow) {
    lines.push(`  ${slow}${e.slowlog!.entries.length ? ':' : ''}`);
    lines.push(...e.slowlog!.entries.map(slowlogRow).map((s) => `    ${s.at}  ${s.duration}  ${s.command}${s.client ? `  (${s.client})` : ''}`));
  }
  const latency = latencyText(e);
  if (latency) lines.push(`  ${latency}`);
  const histograms = histogramTexts(e);
  if (histograms.length) lines.push(`  ${HISTOGRAM_HEADING}:`, ...histograms.map((t) => `    ${t}`));
  const gauges = gaugeText(e, opts);
  if (gauges) lines.push(`  ${gauges}`);
  for (const u of e.unavailable) lines.push(`  not read: ${u}`);
  if (e.queues.length) lines.push('queues:', ...e.queues.map((q) => `  ${queueText(q)}`));
  return lines;
}
