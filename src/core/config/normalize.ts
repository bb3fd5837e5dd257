/**
 * Builds the typed {@link PerfLabConfig} from a document that passed validation: defaults filled
 * in, durations in milliseconds, thresholds parsed; each kind's own fields by its config part.
 */

import type { Kind } from '../../runners/kind';
import { KINDS } from '../../runners/registry';
import { configuredRule, NOISE_KEY, parseNoise, type RegressionRule, type RegressionSettings, settingsWith } from '../compare/rules';
import { parseDuration } from './duration';
import { type MetricContext, readThreshold } from './metrics';
import type { PerfLabConfig, ProcessRef, Profile, ProfileType, SourceLocation, TargetConfig, Threshold } from './types';

export { DEFAULT_TIMEOUT_MS } from '../../runners/http/config';
export { DEFAULT_ITERATIONS } from '../../runners/redis/config';
export { DEFAULT_JOBS } from '../../runners/queue/config';

// The document has passed the schema and the semantic checks, so its shape is known; the
// loose type keeps the mapping readable without a cast at every step.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

export function normalizeConfig(raw: Raw, locate: (path: (string | number)[]) => SourceLocation): PerfLabConfig {
  // Null-prototype maps: a lookup of a name that is not there (`constructor`) finds nothing.
  const targets: Record<string, TargetConfig> = Object.create(null);
  for (const [name, t] of Object.entries<Raw>(raw.targets ?? {})) {
    targets[name] = {
      name,
      baseUrl: t.baseUrl,
      headers: { ...(t.headers ?? {}) },
      allowHosts: [...(t.allowHosts ?? [])],
      ...(t.timeout !== undefined ? { timeoutMs: parseDuration(t.timeout) } : {}),
      ...(t.process ? { process: processRef(t.process) } : {}),
    };
  }
  const profiles: Record<string, Profile> = Object.create(null);
  for (const [name, p] of Object.entries<Raw>(raw.profiles ?? {})) profiles[name] = profile(name, p, locate, targets);
  return {
    stack: {
      ...(raw.stack?.redis ? { redis: { url: raw.stack.redis.url } } : {}),
      queues: (raw.stack?.queues ?? []).map((q: Raw) => ({ name: q.name, prefix: q.prefix ?? 'bull' })),
    },
    targets,
    allowHosts: [...(raw.allowHosts ?? [])],
    profiles,
  };
}

/** The fields every profile has, then its kind's own (src/runners/<kind>/config.ts). */
function profile(name: string, p: Raw, locate: (path: (string | number)[]) => SourceLocation, targets: Record<string, TargetConfig>): Profile {
  const kind = KINDS[p.type as ProfileType] as unknown as Kind;
  const target = kind.config.targetOf?.(p);
  const process = p.process ? processRef(p.process) : target !== undefined ? targets[target]?.process : undefined;
  const { fields, names } = kind.config.normalize(p, { targets });
  return {
    name,
    source: locate(['profiles', name]),
    ...(p.description !== undefined ? { description: p.description as string } : {}),
    ...(process ? { process } : {}),
    type: kind.type,
    ...fields,
    thresholds: thresholds(p.thresholds, { type: kind.type as ProfileType, ...names }, (metric) => locate(['profiles', name, 'thresholds', metric])),
    regressions: regressions(p.regressions, (key) => locate(['profiles', name, 'regressions', key])),
  } as Profile;
}

/** A copy with exactly the one key the semantic checks allowed. */
function processRef(raw: Raw): ProcessRef {
  if (raw.pid !== undefined) return { pid: raw.pid };
  if (raw.inspect !== undefined) return { inspect: raw.inspect };
  return { match: raw.match };
}

function regressions(raw: Raw, locate: (key: string) => SourceLocation): RegressionSettings {
  const rules: RegressionRule[] = [];
  let noise: { value: number; source: SourceLocation } | undefined;
  for (const [key, expression] of Object.entries<string>(raw ?? {})) {
    if (key === NOISE_KEY) {
      const parsed = parseNoise(expression);
      if (!parsed.ok) throw new Error(`regressions.noise passed validation but does not parse`);
      noise = { value: parsed.value, source: locate(key) };
    } else {
      rules.push(configuredRule(key, expression, locate(key)));
    }
  }
  return settingsWith(rules, noise);
}

function thresholds(raw: Raw, ctx: MetricContext, locate: (metric: string) => SourceLocation): Threshold[] {
  return Object.entries<string>(raw ?? {}).map(([metric, expression]) => {
    const { threshold } = readThreshold(metric, expression, ctx);
    if (!threshold) throw new Error(`threshold ${metric} passed validation but does not bind`);
    return { ...threshold, source: locate(metric) };
  });
}
