/**
 * Number and time formatting for the webviews. Pure functions (no DOM), so the unit tier tests
 * them under Node. A fixed `en-US` locale keeps the separators stable across machines and matches
 * how thresholds are written in the config (`< 0.1%`, `>= 15000/s`).
 */

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

/** Integer count with thousands separators: `12,345`. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? fixed(Math.round(n), 0) : MISSING;
}

/** A plain number with precision that shrinks as it grows: `4.25`, `42.5`, `1,425`. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return MISSING;
  if (Number.isInteger(n)) return fixed(n, 0);
  const s = stepped(n, [
    [10, 2],
    [100, 1],
  ]);
  return s ? fixed(s[0], s[1]) : fixed(n, 0);
}

/** A latency: `0.42 ms`, `4.56 ms`, `45.6 ms`, `456 ms`, `1.23 s`, `12.3 s`, then `1m 05s`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return MISSING;
  if (ms === 0) return '0 ms';
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

/** A run or phase length: `850 ms`, `12.3 s`, `1m 05s`, `2h 03m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return MISSING;
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
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return MISSING;
  const s = stepped(perSecond, [
    [10, 2],
    [100, 1],
  ]);
  const n = s ? fixed(s[0], s[1]) : fixed(Math.round(perSecond), 0);
  return unit.startsWith('/') ? `${n}${unit}` : `${n} ${unit}`;
}

/** A fraction as a percentage: `0%`, `<0.01%`, `0.12%`, `12.3%`, `100%`. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return MISSING;
  const pct = fraction * 100;
  if (pct === 0) return '0%';
  if (Math.abs(pct) < 0.01) return pct > 0 ? '<0.01%' : '>-0.01%';
  if (round(pct, 2) === 100) return '100%';
  const s = stepped(pct, [[10, 2]]);
  return s ? `${fixed(s[0], s[1])}%` : `${fixed(round(pct, 1), 1)}%`;
}

/** Errors over completions as a percentage; `–` when nothing completed. */
export function formatErrorRate(errors: number, count: number): string {
  return count > 0 ? formatPercent(errors / count) : MISSING;
}

/** Bytes in binary units: `512 B`, `1.5 KiB`, `16.0 GiB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return MISSING;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${fixed(value, 0)} B` : `${fixed(value, 1)} ${units[i]}`;
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

/** Load averages as the OS reports them: `1.23, 0.98, 0.75`. */
export function formatLoadAverage(values: readonly number[]): string {
  return values.length ? values.map((v) => (Number.isFinite(v) ? fixed(v, 2) : MISSING)).join(', ') : MISSING;
}

const RATE_UNITS = new Set(['/s', 'rps', 'req/s', 'ops/s', 'jobs/s', 'msg/s']);

/**
 * A threshold's measured value in its metric's unit. Conventions: `ms` and `s` are times;
 * `%` means the value already is a percentage (0.05 → `0.05%`) while `ratio` is a fraction
 * (0.0005 → `0.05%`); rates end in `/s`; `bytes` are sized in binary units.
 */
export function formatMetricValue(actual: number | null, unit: string): string {
  if (actual === null || !Number.isFinite(actual)) return 'no value';
  switch (unit) {
    case 'ms':
      return formatMs(actual);
    case 's':
      return formatMs(actual * 1000);
    case '%':
      return formatPercent(actual / 100);
    case 'ratio':
      return formatPercent(actual);
    case 'bytes':
    case 'B':
      return formatBytes(actual);
    case '':
    case 'count':
      return formatNumber(actual);
    default:
      return RATE_UNITS.has(unit) || unit.endsWith('/s')
        ? formatRate(actual, unit === 'rps' ? 'req/s' : unit)
        : `${formatNumber(actual)} ${unit}`;
  }
}
