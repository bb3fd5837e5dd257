import { createHash } from 'node:crypto';
import type { Profile } from './config';

/**
 * A short hash of what a profile runs (its normalized settings, not where it or its thresholds sit in the file),
 * so two runs can tell whether they ran the same thing. The sampled process is left out: which
 * pid is watched does not change the load, nor do the rules a comparison applies to it.
 */
export function profileHash(profile: Profile): string {
  const { source: _source, description: _description, process: _process, regressions: _regressions, ...rest } = profile;
  const thresholds = rest.thresholds.map(({ source: _at, ...t }) => t);
  return createHash('sha256').update(stableStringify({ ...rest, thresholds })).digest('hex').slice(0, 16);
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
