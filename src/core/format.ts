/**
 * Every figure PerfLab shows a person, formatted one way: the CLI, the text and Markdown
 * reports, the editor's trees and the webviews all import from here, so a duration, a size or a
 * rate reads the same wherever it appears. Pure functions (no DOM, no Node APIs): the webview
 * bundle takes this file as it is. A fixed `en-US` locale keeps the separators stable across
 * machines and matches how thresholds are written in the config (`< 0.1%`, `>= 15000/s`,
 * `< 512MB`, sizes 1024-based).
 */
import type { MetricUnit, ThresholdVerdict } from './runRecord';

/** Shown where a value is missing or not a finite number. */
export const MISSING = '–';

const formatters = new Map<number, Intl.NumberFormat>();

function fixed(value: number, decimals: number): string {
  let f = formatters.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    formatters.set(decimals, f);
  }
  // Intl renders -0 as "-0"; a rounded-away negative is just zero.
  const s = f.format(value);
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
}

function round(value: number, decimals: number): number {
  const k = 10 ** decimals;
  return Math.round(value * k) / k;
}

/**
 * Picks the first precision step whose rounded value stays below the step's limit, so that
 * 999.6 ms becomes "1.00 s" rather than "1000 ms".
 */
function stepped(value: number, steps: ReadonlyArray<readonly [limit: number, decimals: number]>): [number, number] | undefined {
  for (const [limit, decimals] of steps) {
    const r = round(value, decimals);
    if (Math.abs(r) < limit) return [r, decimals];
  }
  return undefined;
}

const finite = (n: number | null | undefined): n is number => n !== null && n !== undefined && Number.isFinite(n);

/** Integer count with thousands separators: `12,345`. */
export function formatCount(n: number | null | undefined): string {
  return finite(n) ? fixed(Math.round(n), 0) : MISSING;
}

/** A plain number with precision that shrinks as it grows: `4.25`, `42.5`, `1,425`. */
export function formatNumber(n: number | null | undefined): string {
  if (!finite(n)) return MISSING;
  if (Number.isInteger(n)) return fixed(n, 0);
  const s = stepped(n, [
    [10, 2],
    [100, 1],
  ]);
  return s ? fixed(s[0], s[1]) : fixed(n, 0);
}

/** A latency or any short time: `0.42 ms`, `4.56 ms`, `45.6 ms`, `456 ms`, `1.23 s`, `12.3 s`, then `1m 05s`. */
export function formatMs(ms: number | null | undefined): string {
  if (!finite(ms)) return MISSING;
  if (ms === 0) return '0 ms';
  if (Math.abs(ms) < 0.005) return ms > 0 ? '<0.01 ms' : '>-0.01 ms';
  const inMs = stepped(ms, [
    [10, 2],
    [100, 1],
    [1000, 0],
  ]);
  if (inMs) return `${fixed(inMs[0], inMs[1])} ms`;
  const inS = stepped(ms / 1000, [
    [10, 2],
    [60, 1],
  ]);
  if (inS) return `${fixed(inS[0], inS[1])} s`;
  return formatDuration(ms);
}

/** A time Redis measured in microseconds: `3.18 µs`, `850 µs`, then as {@link formatMs} from 1 ms: `30.5 ms`. */
export function formatUs(us: number | null | undefined): string {
  if (!finite(us)) return MISSING;
  if (Math.abs(us) >= 999.5) return formatMs(us / 1000);
  return `${formatNumber(Math.abs(us) >= 100 ? Math.round(us) : us)} µs`;
}

/** The time of day of an ISO instant, local as {@link formatDateTime}, to the second: `16:34:18`. */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A run or phase length: `850 ms`, `12.3 s`, `1m 05s`, `2h 03m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (!finite(ms) || ms < 0) return MISSING;
  if (ms < 1000) return `${fixed(Math.round(ms), 0)} ms`;
  if (ms < 60_000) {
    const s = round(ms / 1000, 1);
    if (s < 60) return `${fixed(s, 1)} s`;
  }
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}h ${pad(minutes)}m` : `${minutes}m ${pad(seconds)}s`;
}

/**
 * A throughput: `4.25/s`, `42.5/s`, `12,345/s`. `unit` replaces the bare `/s`, e.g. `req/s`
 * gives `12,345 req/s`.
 */
export function formatRate(perSecond: number | null | undefined, unit = '/s'): string {
  if (!finite(perSecond)) return MISSING;
  const s = stepped(perSecond, [
    [10, 2],
    [100, 1],
  ]);
  const n = s ? fixed(s[0], s[1]) : fixed(Math.round(perSecond), 0);
  return unit.startsWith('/') ? `${n}${unit}` : `${n} ${unit}`;
}

/** A fraction as a percentage: `0%`, `<0.01%`, `0.12%`, `12.3%`, `100%`. */
export function formatPercent(fraction: number | null | undefined): string {
  if (!finite(fraction)) return MISSING;
  const pct = fraction * 100;
  if (pct === 0) return '0%';
  if (Math.abs(pct) < 0.01) return pct > 0 ? '<0.01%' : '>-0.01%';
  if (round(pct, 2) === 100) return '100%';
  const s = stepped(pct, [[10, 2]]);
  return s ? `${fixed(s[0], s[1])}%` : `${fixed(round(pct, 1), 1)}%`;
}

/** `part` of `whole` as a percentage; `–` when the whole is nothing. */
export function formatShare(part: number, whole: number): string {
  return whole > 0 ? formatPercent(part / whole) : MISSING;
}

/** A results row's errors: `0`, or `1,216 (51.8%)` of its `count`. */
export function formatErrors(errors: number, count: number): string {
  return errors > 0 ? `${formatCount(errors)} (${formatShare(errors, count)})` : '0';
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Bytes, 1024-based as DevTools shows them and as thresholds are written: `512 B`, `1.5 KB`, `16.0 GB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (!finite(bytes)) return MISSING;
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < BYTE_UNITS.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${fixed(value, 0)} B` : `${fixed(value, 1)} ${BYTE_UNITS[i]}`;
}

/** A growth in bytes per minute, always signed: `+1.2 MB/min`, `-340 B/min`. */
export function formatBytesPerMin(bytes: number | null | undefined): string {
  if (!finite(bytes)) return MISSING;
  return `${bytes < 0 ? '-' : '+'}${formatBytes(Math.abs(bytes))}/min`;
}

/** An ISO timestamp in local time, `2025-11-27 10:15:02`; unparseable input comes back as is. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", or the date. */
export function formatAgo(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, (now - t) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86_400) return `${Math.round(s / 86_400)} days ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** Counts by kind, the most frequent first: `ECONNREFUSED × 1,204, status:502 × 12`. */
export function formatTally(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} × ${formatCount(n)}`)
    .join(', ');
}

/** Load averages as the OS reports them: `1.23, 0.98, 0.75`. */
export function formatLoadAverage(values: readonly number[]): string {
  return values.length ? values.map((v) => (Number.isFinite(v) ? fixed(v, 2) : MISSING)).join(', ') : MISSING;
}

/**
 * A metric's value in its unit, as every report and view shows a threshold's actual value:
 * `84.3 ms`, `477 req/s` (a rate in the words of the run's kind, `rateUnit`: core/kindDescription.ts),
 * `0.03%` (a ratio is a fraction), `512.0 MB`, `+1.2 MB/min`, `40`, and `no value` when the run
 * did not measure it.
 */
export function formatMetricValue(actual: number | null | undefined, unit: MetricUnit, rateUnit = '/s'): string {
  if (!finite(actual)) return 'no value';
  switch (unit) {
    case 'ms': return formatMs(actual);
    case 'ops/s': return formatRate(actual, rateUnit);
    case 'ratio': return formatPercent(actual);
    case 'bytes': return formatBytes(actual);
    case 'bytes/min': return formatBytesPerMin(actual);
    case 'count': return formatNumber(actual);
    // A record written by another version may name a unit this one does not know.
    default: return `${formatNumber(actual)} ${String(unit)}`;
  }
}

/** A threshold's actual value, a rate in the words of the run's kind (`rateUnit`): `477 req/s` for an HTTP run. */
export function formatActual(verdict: Pick<ThresholdVerdict, 'actual' | 'unit'>, rateUnit: string): string {
  return formatMetricValue(verdict.actual, verdict.unit, rateUnit);
}

/** Why a threshold failed, as JUnit and the Test Explorer say it: `latency.p95: 312 ms does not meet < 200ms`. */
export function formatMiss(verdict: Pick<ThresholdVerdict, 'metric' | 'limit' | 'actual' | 'unit'>, rateUnit: string): string {
  return `${verdict.metric}: ${formatActual(verdict, rateUnit)} does not meet ${verdict.limit}`;
}

export interface TableOptions {
  /** The column of names, left-aligned (the others are numbers, right-aligned): the first (default) or the last. */
  labels?: 'first' | 'last';
  /** The last column's rule is cut to this width (long names would make it run on). */
  maxRule?: number;
}

/** A plain-text table: a header, a rule of dashes, the rows; two spaces between columns, no trailing blanks. */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const labels = options.labels === 'last' ? head.length - 1 : 0;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    widths.map((w, i) => {
      const c = cells[i] ?? '';
      if (i === labels) return i === widths.length - 1 ? c : c.padEnd(w);
      return c.padStart(w);
    }).join('  ').trimEnd();
  const rule = widths.map((w, i) => '-'.repeat(i === widths.length - 1 && options.maxRule ? Math.min(w, options.maxRule) : w)).join('  ');
  return [line(head), rule, ...rows.map(line)].join('\n');
}

/**
 * A change as comparisons show it, always signed: relative `+12.3%`, `-0.8%`; in points for a
 * difference of proportions, `+0.50 pt`.
 */
export function formatChange(change: number | null | undefined, scale: 'relative' | 'points'): string {
  if (!finite(change)) return MISSING;
  const sign = change > 0 ? '+' : change < 0 ? '-' : '±';
  const pct = Math.abs(change) * 100;
  const body = pct < 10 ? fixed(round(pct, 1), 1) : fixed(Math.round(pct), 0);
  return scale === 'points' ? `${sign}${body} pt` : `${sign}${body}%`;
}

/** A change with its interval: `+12.3% (+5.1% to +19.9%)`. */
export function formatChangeInterval(c: { estimate: number; low: number; high: number }, scale: 'relative' | 'points'): string {
  return `${formatChange(c.estimate, scale)} (${formatChange(c.low, scale)} to ${formatChange(c.high, scale)})`;
}
