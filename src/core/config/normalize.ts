/**
 * Builds the typed {@link PerfLabConfig} from a document that passed validation: defaults filled
 * in, durations in milliseconds, thresholds parsed, presets expanded into phases.
 */

import { parseDuration } from './duration';
import { type MetricContext, readThreshold } from './metrics';
import { presetPhases } from './presets';
import type {
  BullmqProfile, HttpMethod, HttpProfile, PerfLabConfig, Phase, PresetName, ProcessRef, Profile, RedisProfile, Scenario,
  SourceLocation, TargetConfig, Threshold,
} from './types';

/** Default per-request timeout when neither the profile nor the target sets one. */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_ITERATIONS = 10_000;
export const DEFAULT_JOBS = 10_000;
/** Redis commands in flight (concurrent and auto-pipeline modes). */
export const DEFAULT_CONCURRENCY = 50;
/** Redis commands per pipeline. */
export const DEFAULT_PIPELINE = 100;
/** BullMQ jobs per addBulk call. */
export const DEFAULT_BULK_SIZE = 100;

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
  for (const [name, p] of Object.entries<Raw>(raw.profiles ?? {})) {
    const source = locate(['profiles', name]);
    if (p.type === 'http') profiles[name] = httpProfile(name, p, source, targets);
    else if (p.type === 'redis') profiles[name] = redisProfile(name, p, source);
    else profiles[name] = bullmqProfile(name, p, source);
  }
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

function base(name: string, p: Raw, source: SourceLocation, inherited?: ProcessRef) {
  const process = p.process ? processRef(p.process) : inherited;
  return {
    name,
    source,
    ...(p.description !== undefined ? { description: p.description as string } : {}),
    ...(process ? { process } : {}),
  };
}

/** A copy with exactly the one key the semantic checks allowed. */
function processRef(raw: Raw): ProcessRef {
  if (raw.pid !== undefined) return { pid: raw.pid };
  if (raw.inspect !== undefined) return { inspect: raw.inspect };
  return { match: raw.match };
}

function httpProfile(name: string, p: Raw, source: SourceLocation, targets: Record<string, TargetConfig>): HttpProfile {
  const preset = p.preset as PresetName | undefined;
  const scale: number = p.scale ?? 1;
  const phases: Phase[] = preset ? presetPhases(preset, scale) : (p.phases as Raw[]).map(phase);
  const scenarios: Scenario[] = (p.scenarios as Raw[]).map((s) => ({
    name: s.name,
    weight: s.weight ?? 1,
    request: {
      method: (s.request.method ?? 'GET') as HttpMethod,
      path: s.request.path,
      headers: { ...(s.request.headers ?? {}) },
      query: { ...(s.request.query ?? {}) },
      ...('json' in s.request ? { json: s.request.json } : {}),
      ...(s.request.body !== undefined ? { body: s.request.body } : {}),
    },
    expect: {
      ...(s.expect?.status !== undefined ? { status: [s.expect.status].flat() } : {}),
      ...(s.expect?.bodyContains !== undefined ? { bodyContains: s.expect.bodyContains } : {}),
    },
  }));
  const ctx: MetricContext = { type: 'http', scenarios: scenarios.map((s) => s.name), phases: phases.map((ph) => ph.name) };
  const target = targets[p.target];
  return {
    ...base(name, p, source, target?.process),
    type: 'http',
    target: p.target,
    ...(preset ? { preset } : {}),
    scale,
    phases,
    scenarios,
    ...(p.generator !== undefined ? { generator: p.generator } : {}),
    timeoutMs: p.timeout !== undefined ? parseDuration(p.timeout) : target?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    thresholds: thresholds(p.thresholds, ctx),
  };
}

function phase(ph: Raw): Phase {
  const common = { name: ph.name as string, duration: ph.duration as string | number, durationMs: parseDuration(ph.duration) };
  if (ph.connections !== undefined) return { ...common, model: 'closed', connections: ph.connections, pipelining: ph.pipelining ?? 1 };
  return { ...common, model: 'open', arrivalRate: ph.arrivalRate, ...(ph.rampTo !== undefined ? { rampTo: ph.rampTo } : {}) };
}

function redisProfile(name: string, p: Raw, source: SourceLocation): RedisProfile {
  return {
    ...base(name, p, source),
    type: 'redis',
    operations: [...p.operations],
    mode: p.mode ?? 'concurrent',
    concurrency: p.concurrency ?? DEFAULT_CONCURRENCY,
    pipeline: p.pipeline ?? DEFAULT_PIPELINE,
    ...(p.duration !== undefined ? { durationMs: parseDuration(p.duration) } : { iterations: p.iterations ?? DEFAULT_ITERATIONS }),
    valueSize: p.valueSize ?? 100,
    thresholds: thresholds(p.thresholds, { type: 'redis', operations: p.operations }),
  };
}

function bullmqProfile(name: string, p: Raw, source: SourceLocation): BullmqProfile {
  return {
    ...base(name, p, source),
    type: 'bullmq',
    queue: p.queue,
    mode: p.mode ?? 'e2e',
    ...(p.duration !== undefined ? { durationMs: parseDuration(p.duration) } : { jobs: p.jobs ?? DEFAULT_JOBS }),
    bulkSize: p.bulkSize ?? DEFAULT_BULK_SIZE,
    workerConcurrency: [p.workerConcurrency ?? 10].flat(),
    ...(p.arrivalRate !== undefined ? { arrivalRate: p.arrivalRate } : {}),
    ...(p.priorities !== undefined ? { priorities: [...p.priorities] } : {}),
    ...(p.delayed ? { delayed: { ratio: p.delayed.ratio, delayMs: parseDuration(p.delayed.delay, { allowZero: true }) } } : {}),
    failRate: p.failRate ?? 0,
    attempts: p.attempts ?? 1,
    ...(p.backoff ? { backoff: { type: p.backoff.type, delayMs: parseDuration(p.backoff.delay, { allowZero: true }) } } : {}),
    ...(p.limiter ? { limiter: { max: p.limiter.max, durationMs: parseDuration(p.limiter.duration) } } : {}),
    payloadSize: p.payloadSize ?? 256,
    processTimeMs: p.processTime !== undefined ? parseDuration(p.processTime, { allowZero: true }) : 0,
    thresholds: thresholds(p.thresholds, { type: 'bullmq' }),
  };
}

function thresholds(raw: Raw, ctx: MetricContext): Threshold[] {
  return Object.entries<string>(raw ?? {}).map(([metric, expression]) => {
    const { threshold } = readThreshold(metric, expression, ctx);
    if (!threshold) throw new Error(`threshold ${metric} passed validation but does not bind`);
    return threshold;
  });
}
