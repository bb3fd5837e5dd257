/**
 * Threshold expressions: `< 100ms`, `<= 2s`, `>= 1000/s`, `< 0.1%`, `< 512MB`, `> 40`, `== 0`.
 *
 * Values are converted to canonical units so runners compare plain numbers:
 * - time → milliseconds (`us`, `µs`, `ms`, `s`, `m`/`min`, `h`);
 * - rate → operations per second (`/s`, `/m`, `/min`, `/h`, also `ops/s`, `req/s`, `jobs/s`, `rps`);
 * - ratio → a **fraction** in 0..1 (`0.1%` → `0.001`); runners report error rates as fractions;
 * - size → bytes (`B`, `KB`, `MB`, `GB`, 1024-based; `KiB`, `MiB`, `GiB` are accepted too);
 * - growth → bytes per minute (`MB/min`, `KB/s`, `GB/h`: a size per time);
 * - a bare number has no unit and takes the metric's: ops/s for rates, bytes for sizes, bytes per
 *   minute for growth, a count for counts. A time needs a unit, since `< 100` could mean 100 ms
 *   or 100 s, and so does a ratio other than 0, since `< 0.1` could mean 0.1 % or 10 % (a CI gate
 *   that reads it the wrong way passes a run with a hundred times the errors).
 */

import type { MetricUnit } from '../runRecord';
import { clipped, quoted } from './echo';
import { own } from './own';

export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** The unit a metric is measured in, and the canonical unit of a parsed threshold. */
export type { MetricUnit };

/** The unit an expression was written in; `none` for a bare number. */
export type ExpressionUnit = Exclude<MetricUnit, 'count'> | 'none';

/** A parsed expression, before it is bound to a metric. */
export interface ThresholdExpression {
  op: ThresholdOp;
  /** In canonical units of `unit` (ms, ops/s, fraction, bytes, bytes per minute), or as written when `none`. */
  value: number;
  unit: ExpressionUnit;
  /** As written. */
  text: string;
}

export type ThresholdResult<T> = { ok: true; value: T } | { ok: false; message: string; hint: string };

const OPS: readonly ThresholdOp[] = ['<', '<=', '>', '>=', '==', '!='];
const TIME: Record<string, number> = { us: 0.001, 'µs': 0.001, ms: 1, s: 1_000, sec: 1_000, m: 60_000, min: 60_000, h: 3_600_000 };
const PER: Record<string, number> = { s: 1, sec: 1, m: 1 / 60, min: 1 / 60, h: 1 / 3_600 };
const BYTES: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3 };
const EXAMPLES = 'e.g. "< 100ms", ">= 1000/s", "< 0.1%", "< 512MB", "< 1MB/min" or "== 0"';

/** Describes a unit for messages: `a time (ms)`. */
export function describeUnit(unit: MetricUnit | ExpressionUnit): string {
  switch (unit) {
    case 'ms': return 'a time';
    case 'ops/s': return 'a rate';
    case 'ratio': return 'a ratio';
    case 'bytes': return 'a size';
    case 'bytes/min': return 'a growth (size per time)';
    case 'count': return 'a count';
    case 'none': return 'a bare number';
  }
}

/** An example expression for a metric of this unit, for hints. */
export function exampleFor(unit: MetricUnit): string {
  return { ms: '< 100ms', 'ops/s': '>= 1000/s', ratio: '< 0.1%', bytes: '< 512MB', 'bytes/min': '< 1MB/min', count: '== 0' }[unit];
}

export function tryParseThresholdExpression(text: unknown): ThresholdResult<ThresholdExpression> {
  if (typeof text !== 'string') return fail('a threshold is a string', `write it in quotes, ${EXAMPLES}`);
  const t = text.trim();
  if (t === '') return fail('the threshold is empty', `write an operator and a value, ${EXAMPLES}`);
  const m = /^([<>=!]*)\s*(-?(?:\d+(?:\.\d+)?|\.\d+))\s*(.*)$/.exec(t);
  if (!m) return fail(`${quoted(text)} is not a threshold`, `write an operator and a value, ${EXAMPLES}`);
  const [, rawOp = '', num = '', rawUnit = ''] = m;
  const op = checkOp(rawOp, num + rawUnit, text);
  if (!op.ok) return op;
  const n = Number(num);
  if (n < 0) return fail(`${quoted(text)} has a negative value`, 'measured values are never negative; compare with 0 or a positive value');
  const unit = parseUnit(rawUnit.trim(), n);
  if (!unit) {
    return fail(`unknown unit ${quoted(rawUnit.trim())} in ${quoted(text)}`,
      'use ms/s/m/h for times, /s for rates, % for ratios, B/KB/MB/GB for sizes, MB/min for growth, or no unit for counts');
  }
  return { ok: true, value: { op: op.value, value: unit.value, unit: unit.unit, text } };
}

/**
 * Binds an expression to the unit of the metric it limits: the result is in that unit.
 * `>= 40` on a rate means 40/s; `< 0.001` on a ratio is 0.1%; `< 100` on a time is an error.
 */
export function bindThreshold(expr: ThresholdExpression, metric: string, unit: MetricUnit): ThresholdResult<{ op: ThresholdOp; value: number; unit: MetricUnit }> {
  const ok = (value: number) => ({ ok: true as const, value: { op: expr.op, value, unit } });
  if (expr.unit === unit) return ok(expr.value);
  if (expr.unit === 'none') {
    switch (unit) {
      case 'ops/s':
      case 'bytes':
      case 'bytes/min':
      case 'count':
        return ok(expr.value);
      case 'ratio': {
        if (expr.value === 0) return ok(0);
        const percent = Number((expr.value * 100).toPrecision(6));
        const meaning = expr.value > 1 ? '' : `: ${expr.value} could mean ${expr.value}% or ${percent}%`;
        return fail(`${quoted(expr.text)} has no unit, but ${metric} is a ratio${meaning}`,
          `write a percentage: "${expr.op} ${expr.value}%"${expr.value > 1 ? '' : `, or "${expr.op} ${percent}%" for a fraction of ${expr.value}`}`);
      }
      case 'ms':
        return fail(`${quoted(expr.text)} has no unit, but ${metric} is a time`, `add a unit, e.g. "${expr.op} ${expr.value}ms" or "${expr.op} ${expr.value}s"`);
    }
  }
  return fail(`unit mismatch: ${metric} is ${describeUnit(unit)}, but ${quoted(expr.text)} is ${describeUnit(expr.unit)}`,
    `write ${describeUnit(unit)}, e.g. "${exampleFor(unit)}"`);
}

/** Whether `actual` satisfies `op limit`. Equality tolerates floating-point noise. */
export function compareThreshold(op: ThresholdOp, actual: number, limit: number): boolean {
  const eq = Math.abs(actual - limit) <= 1e-9 * Math.max(1, Math.abs(limit));
  switch (op) {
    case '<': return actual < limit && !eq;
    case '<=': return actual <= limit || eq;
    case '>': return actual > limit && !eq;
    case '>=': return actual >= limit || eq;
    case '==': return eq;
    case '!=': return !eq;
  }
}

function checkOp(raw: string, rest: string, text: string): ThresholdResult<ThresholdOp> {
  if ((OPS as readonly string[]).includes(raw)) return { ok: true, value: raw as ThresholdOp };
  const fixes: Record<string, ThresholdOp> = { '': '<', '=': '==', '===': '==', '=<': '<=', '=>': '>=', '<<': '<', '>>': '>', '!==': '!=', '<>': '!=' };
  const fix = own(fixes, raw);
  if (raw === '') return fail(`${quoted(text)} has no comparison operator`, `start with one of < <= > >= == !=, e.g. "< ${clipped(rest)}"`);
  if (fix) return fail(`${quoted(raw)} is not a comparison operator`, `write "${fix} ${clipped(rest)}"`);
  return fail(`${quoted(raw)} is not a comparison operator`, 'use one of < <= > >= == !=');
}

function parseUnit(u: string, n: number): { unit: ExpressionUnit; value: number } | undefined {
  if (u === '') return { unit: 'none', value: n };
  if (u === '%') return { unit: 'ratio', value: n / 100 };
  if (u.toLowerCase() === 'rps') return { unit: 'ops/s', value: n };
  const rate = /^([A-Za-z]*)\/([A-Za-z]+)$/.exec(u);
  if (rate) {
    const per = own(PER, rate[2]!.toLowerCase());
    if (per === undefined) return undefined;
    // A size per time is a growth (bytes per minute); anything else per time is a rate of operations.
    const size = own(BYTES, rate[1]!.toLowerCase());
    return size !== undefined ? { unit: 'bytes/min', value: n * size * per * 60 } : { unit: 'ops/s', value: n * per };
  }
  const time = own(TIME, u);
  if (time !== undefined) return { unit: 'ms', value: n * time };
  const bytes = own(BYTES, u.toLowerCase());
  if (bytes !== undefined) return { unit: 'bytes', value: n * bytes };
  return undefined;
}

function fail(message: string, hint: string): { ok: false; message: string; hint: string } {
  return { ok: false, message, hint };
}
