/**
 * The samples file of a run (`samples.json` next to `run.json`): for each part of the run that has
 * latency metrics (the whole run, each scenario, phase or operation) its count, errors and HDR
 * histogram, so a later comparison knows how much each percentile rests on. Keyed by the part's
 * metric prefix: `` for the whole run, `scenario.send.`, `phase.peak.`, `op.get.`, `e2e.`.
 */
import type { SerializedHistogram } from '../stats';

export const SAMPLES_ARTIFACT = 'samples.json';
export const SAMPLES_VERSION = 1;

export interface PartSamples {
  count: number;
  errors: number;
  latency?: SerializedHistogram;
}

export interface RunSamples {
  version: typeof SAMPLES_VERSION;
  parts: Record<string, PartSamples>;
}

/** The statistic a metric takes of its part: a latency statistic (`p99`, `mean`…), `rate` or `errors.rate`. */
export type PartStatistic = string;

/** Which part of the samples a metric reads, and what it takes of it; undefined for a metric of no part (a count, the generator's lag). */
export function partOf(samples: RunSamples, metric: string): { part: PartSamples; statistic: PartStatistic } | undefined {
  const split = splitMetric(metric);
  if (!split) return undefined;
  const part = Object.hasOwn(samples.parts, split.prefix) ? samples.parts[split.prefix] : undefined;
  return part ? { part, statistic: split.statistic } : undefined;
}

/** `scenario.a.latency.p99` → prefix `scenario.a.`, statistic `p99`; `op.get.rate` → `op.get.`, `rate`. */
export function splitMetric(metric: string): { prefix: string; statistic: PartStatistic } | undefined {
  let m = /^(.*?)latency\.([a-z0-9.]+)$/.exec(metric);
  if (m && !m[2]!.startsWith('uncorrected')) return { prefix: m[1]!, statistic: m[2]! };
  m = /^(.*?)errors\.rate$/.exec(metric);
  if (m) return { prefix: m[1]!, statistic: 'errors.rate' };
  m = /^(.*?)(?:rps|rate)$/.exec(metric);
  if (m && (m[1] === '' || m[1]!.endsWith('.'))) return { prefix: m[1]!, statistic: 'rate' };
  return undefined;
}

/** Reads a samples file; undefined (no error) for one that is missing pieces, so the comparison falls back to the noise alone. */
export function parseSamples(text: string): RunSamples | undefined {
  try {
    const value = JSON.parse(text) as Partial<RunSamples>;
    if (value?.version !== SAMPLES_VERSION || typeof value.parts !== 'object' || value.parts === null) return undefined;
    return value as RunSamples;
  } catch {
    return undefined;
  }
}
