/**
 * Small checks that the config's parts share (the top level in semantic.ts, each kind's profile
 * in its src/runners/<kind>/config.ts). They read the raw document, which may have failed the
 * schema, so each looks at the shape before using a value.
 */
import { tryParseDuration } from './duration';
import { quoted } from './echo';
import { durationTooLong } from './limits';
import type { ProblemInput, Segment } from './locate';

export type Obj = Record<string, unknown>;

/** Durations the schema let through ("0s") and numbers that were probably meant as milliseconds. */
export function checkDuration(out: ProblemInput[], path: Segment[], value: unknown, shortByNature: boolean): void {
  if (value === undefined || (typeof value !== 'string' && typeof value !== 'number')) return;
  const r = tryParseDuration(value);
  const tooLong = r.ok ? durationTooLong(r.ms, typeof value === 'number' ? `${value} s` : quoted(value)) : undefined;
  if (!r.ok) {
    out.push({ path, code: 'duration', message: r.message, hint: r.hint });
  } else if (tooLong) {
    out.push({ path, code: 'limit', ...tooLong });
  } else if (shortByNature && typeof value === 'number' && value >= 1_000) {
    out.push({
      path, severity: 'warning', code: 'duration-seconds', message: `${value} means ${value} seconds (a bare number is seconds)`,
      hint: `if you meant milliseconds, write "${value}ms"`,
    });
  }
}

/** Names of a list's items must differ: results and thresholds name them. */
export function checkUnique(out: ProblemInput[], at: Segment[], values: unknown[], what: string): void {
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    if (typeof v !== 'string') return;
    const first = seen.get(v);
    if (first === undefined) {
      seen.set(v, i);
      return;
    }
    out.push({
      path: [...at, i, 'name'], code: 'duplicate-name', message: `duplicate ${what} name ${quoted(v)} (also ${String(at[at.length - 1])}[${first}])`,
      hint: `give each ${what} its own name; names identify ${what}s in results and thresholds`,
    });
  });
}

export function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** The strings of a value that should be a list of them. */
export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}
