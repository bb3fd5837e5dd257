/**
 * Durations as people write them in the config and on the command line.
 *
 * A string is one or more `<number><unit>` parts with unit `ms`, `s`, `m` or `h` and no spaces:
 * `"500ms"`, `"1.5s"`, `"2m"`, `"1h"`, `"1m30s"`. A JSON number is **seconds** (`60` = one
 * minute), because every duration in a load-test config is on the scale of seconds and that is
 * what a bare number means in most load tools; a string without a unit (`"60"`) is rejected since
 * its intent cannot be told.
 */

import { clipped, quoted } from './echo';
import { own } from './own';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Spellings people reach for, mapped to the unit they meant. */
const UNIT_ALIASES: Record<string, Unit | 'd'> = {
  ms: 'ms', msec: 'ms', msecs: 'ms', milli: 'ms', millis: 'ms', millisecond: 'ms', milliseconds: 'ms',
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

export interface DurationOptions {
  /** Accept `0` / `"0s"` (e.g. an optional delay). Default false: a zero duration is an error. */
  allowZero?: boolean;
}

/** Why a value is not a duration, and how to write it instead. */
export class DurationError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'DurationError';
  }
}

export type DurationResult = { ok: true; ms: number } | { ok: false; message: string; hint: string };

/**
 * Parses a duration to milliseconds; a number is seconds.
 * @throws DurationError with a message and a hint that suggests the fix.
 */
export function parseDuration(input: unknown, options: DurationOptions = {}): number {
  const r = tryParseDuration(input, options);
  if (!r.ok) throw new DurationError(r.message, r.hint);
  return r.ms;
}

/** Like {@link parseDuration}, without throwing. */
export function tryParseDuration(input: unknown, options: DurationOptions = {}): DurationResult {
  if (typeof input === 'number') return checkRange(input * 1_000, String(input), options, true);
  if (typeof input !== 'string') {
    return fail(`${describe(input)} is not a duration`, 'write a string such as "30s" or "2m", or a number of seconds');
  }
  const text = input.trim();
  if (text === '') return fail('the duration is empty', 'write e.g. "30s", "2m" or "500ms"');
  const ms = parseParts(text);
  if (ms !== undefined) return checkRange(ms, input, options, false);
  return explain(input, text, options);
}

/** Formats milliseconds compactly, the inverse of {@link parseDuration}: `90000` → `"1m30s"`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1_000) return `${round(ms)}ms`;
  if (ms < 60_000) return ms % 100 === 0 ? `${ms / 1_000}s` : `${round(ms)}ms`;
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

function parseParts(text: string): number | undefined {
  PART.lastIndex = 0;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2] as Unit];
    pos = PART.lastIndex;
  }
  return total;
}

function checkRange(ms: number, shown: string, options: DurationOptions, isNumber: boolean): DurationResult {
  if (!Number.isFinite(ms)) return fail(`${isNumber ? shown : quoted(shown)} is not a finite duration`, 'write e.g. "30s" or "2m"');
  if (ms < 0) {
    const abs = isNumber ? `${-ms / 1_000}` : quoted(shown.trim().replace(/^-\s*/, ''));
    return fail(`duration ${isNumber ? shown : quoted(shown)} is negative`, `durations cannot be negative; write e.g. ${abs}`);
  }
  if (ms === 0 && !options.allowZero) {
    return fail(`duration ${isNumber ? shown : quoted(shown)} is zero`, 'write a duration longer than zero, e.g. "1s" or "500ms"');
  }
  return { ok: true, ms };
}

/** Recognizes common mistakes ("2 minutes", "10", "5 sec", "-5s") to suggest the exact fix. */
function explain(raw: string, text: string, options: DurationOptions): DurationResult {
  const negative = /^-\s*(.*)$/.exec(text);
  if (negative) {
    const inner = tryParseDuration(negative[1], { allowZero: true });
    if (inner.ok) return checkRange(-inner.ms, raw, options, false);
  }
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    return fail(`${quoted(raw)} has no unit`, `write "${clipped(text)}s" for seconds or "${clipped(text)}ms" for milliseconds (a number without quotes means seconds)`);
  }
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]+)\.?$/.exec(text);
  const unit = m ? own(UNIT_ALIASES, m[2]!.toLowerCase()) : undefined;
  if (m && unit) {
    const n = Number(m[1]);
    const ms = unit === 'd' ? n * 86_400_000 : n * UNIT_MS[unit];
    const hint = unit === 'd' ? `write e.g. "${round(n * 24)}h"` : suggestions(ms);
    return fail(`${quoted(raw)} is not a duration`, hint);
  }
  return fail(`${quoted(raw)} is not a duration`, 'write a number and a unit (ms, s, m or h), e.g. "500ms", "30s", "2m" or "1h"');
}

/** Two spellings of the same duration, e.g. `write e.g. "120s" or "2m"`. */
function suggestions(ms: number): string {
  const forms = new Set<string>();
  if (ms >= 1_000 && Number.isInteger(ms / 1_000)) forms.add(`${ms / 1_000}s`);
  forms.add(formatDuration(ms));
  if (forms.size < 2 && ms < 1_000) forms.add(`${round(ms / 1_000)}s`);
  return `write e.g. ${[...forms].map((f) => `"${f}"`).join(' or ')}`;
}

function round(n: number): number {
  return Math.round(n * 1_000) / 1_000;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'boolean') return String(v);
  return `a value of type ${typeof v}`;
}

function fail(message: string, hint: string): DurationResult {
  return { ok: false, message, hint };
}
