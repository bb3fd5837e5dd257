/**
 * The http kind's part of the config: its profile's shape, the checks the schema cannot express
 * (target, phases or preset, scenario names, a generator module) and its normalization (a preset
 * expanded into phases, durations in ms, requests with their defaults).
 */
import { checkDuration, checkUnique, obj, strings, type Obj } from '../../core/config/checks';
import { parseDuration } from '../../core/config/duration';
import { quoted } from '../../core/config/echo';
import { resolveGeneratorPath } from '../../core/config/generatorPath';
import { checkPhaseLimits, checkScaledPreset } from '../../core/config/limits';
import type { ProblemInput, Segment } from '../../core/config/locate';
import { PRESETS, presetPhases } from '../../core/config/presets';
import { checkRequest } from '../../core/config/requestChecks';
import { didYouMeanPrefix, listOf } from '../../core/config/suggest';
import type { PresetName, ProfileBase, TargetConfig } from '../../core/config/types';
import type { CheckEnv, KindConfig, MetricNames, RawProfile } from '../kind';

/** Default per-request timeout when neither the profile nor the target sets one. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

interface PhaseBase {
  name: string;
  durationMs: number;
  /** The duration as written, e.g. `"2m"` or `120`. */
  duration: string | number;
}

/** Fixed number of connections, each sending its next request when the previous one answers. */
export interface ClosedPhase extends PhaseBase {
  model: 'closed';
  connections: number;
  /** Requests in flight per connection; default 1. */
  pipelining: number;
}

/** Requests sent on schedule (per second), ramping linearly to `rampTo` when given. */
export interface OpenPhase extends PhaseBase {
  model: 'open';
  arrivalRate: number;
  rampTo?: number;
}

export type Phase = ClosedPhase | OpenPhase;

export interface RequestSpec {
  method: HttpMethod;
  /** Starts with `/`; may contain `{{helper}}` templates, as may header values and bodies. */
  path: string;
  headers: Record<string, string>;
  query: Record<string, string | number | boolean>;
  /** Sent as JSON when present; `body` is raw text. At most one of the two is set. */
  json?: unknown;
  body?: string;
}

export interface Scenario {
  name: string;
  /** > 0; relative share of requests. */
  weight: number;
  request: RequestSpec;
  expect: {
    /** Accepted statuses; absent means any 2xx or 3xx. */
    status?: number[];
    bodyContains?: string;
  };
}

export interface HttpProfile extends ProfileBase {
  type: 'http';
  /** Name of the target; `targets[target]` exists. */
  target: string;
  /** When set, `phases` were generated from the preset (rates multiplied by `scale`). */
  preset?: PresetName;
  scale: number;
  phases: Phase[];
  scenarios: Scenario[];
  /** Module path as written (relative to the config file); runs only in a trusted workspace. */
  generator?: string;
  /** Per-request timeout: the profile's, else the target's, else 10 s. */
  timeoutMs: number;
  /** Run from load agents (`perflab agent`) instead of this process (src/runners/distributed). */
  distributed?: DistributedSettings;
}

/** A profile's `distributed` part, normalized. */
export interface DistributedSettings {
  /** How many agents each phase is split across. */
  agents: number;
  /** The Redis the agents listen on, as written; default `stack.redis.url`. */
  redis?: string;
  /** How long to wait for agents to answer, ms. */
  joinTimeoutMs: number;
}

/** Default wait for the agents of a distributed run to answer. */
export const DEFAULT_JOIN_TIMEOUT_MS = 10_000;

export const httpConfig: KindConfig<HttpProfile> = {
  targetOf: (raw) => (typeof raw.target === 'string' ? raw.target : undefined),
  check,
  normalize,
};

function check(out: ProblemInput[], at: Segment[], p: Obj, { targets, options }: CheckEnv): MetricNames {
  if (typeof p.target === 'string' && p.target !== '' && !Object.hasOwn(targets, p.target)) {
    const names = Object.keys(targets);
    out.push({
      path: [...at, 'target'], code: 'unknown-target', message: `unknown target ${quoted(p.target)}`,
      hint: names.length === 0
        ? `define it under "targets", e.g. "targets": { ${quoted(p.target)}: { "baseUrl": "http://127.0.0.1:3000" } }`
        : `${didYouMeanPrefix(p.target, names)}targets: ${listOf(names)}`,
    });
  }
  const hasPhases = 'phases' in p;
  const preset = typeof p.preset === 'string' && Object.hasOwn(PRESETS, p.preset) ? (p.preset as PresetName) : undefined;
  if (hasPhases && 'preset' in p) {
    out.push({
      path: [...at, 'preset'], anchor: 'key', code: 'conflict', message: 'use either "preset" or "phases", not both',
      hint: 'remove "preset" to run your own phases, or remove "phases" to run the preset',
    });
  } else if (!hasPhases && !('preset' in p)) {
    out.push({
      path: at, code: 'required', message: 'missing "phases" (or "preset")',
      hint: 'add "phases": [{ "name": "steady", "duration": "30s", "arrivalRate": 10 }], or "preset": "smoke"',
    });
  }
  if (preset) checkScaledPreset(out, at, Math.max(...PRESETS[preset].map((ph) => Math.max(ph.arrivalRate, ph.rampTo ?? 0))), p.scale);
  if ('scale' in p && !('preset' in p)) {
    out.push({
      path: [...at, 'scale'], anchor: 'key', severity: 'warning', code: 'ignored', message: '"scale" only applies with "preset"',
      hint: 'remove "scale", or change the rates of your phases directly',
    });
  }

  const phases = Array.isArray(p.phases) ? p.phases.map(obj) : [];
  phases.forEach((ph, i) => {
    checkDuration(out, [...at, 'phases', i, 'duration'], ph?.duration, false);
    checkPhaseLimits(out, [...at, 'phases', i], ph);
  });
  const phaseNames = hasPhases ? phases.map((ph) => ph?.name) : preset ? PRESETS[preset].map((ph) => ph.name) : [];
  if (hasPhases) checkUnique(out, [...at, 'phases'], phaseNames, 'phase');

  const scenarios = Array.isArray(p.scenarios) ? p.scenarios.map(obj) : [];
  const scenarioNames = scenarios.map((s) => s?.name);
  checkUnique(out, [...at, 'scenarios'], scenarioNames, 'scenario');
  scenarios.forEach((s, i) => checkRequest(out, [...at, 'scenarios', i, 'request'], s?.request));
  if (typeof p.generator === 'string' && p.generator !== '') {
    const generator = resolveGeneratorPath(options.configDir, p.generator);
    if (!generator.ok) out.push({ path: [...at, 'generator'], code: generator.code, message: generator.message, hint: generator.hint });
  }

  checkDuration(out, [...at, 'timeout'], p.timeout, true);
  const distributed = obj(p.distributed);
  if (distributed) {
    checkDuration(out, [...at, 'distributed', 'joinTimeout'], distributed.joinTimeout, true);
    if (typeof p.generator === 'string') {
      out.push({
        path: [...at, 'generator'], code: 'conflict', message: 'a custom "generator" cannot run on load agents',
        hint: 'the agents run on other machines, without the workspace\'s code: remove "generator", or "distributed" to run the profile here',
      });
    }
  }
  return { scenarios: strings(scenarioNames), phases: strings(phaseNames) };
}

function normalize(p: RawProfile, { targets }: { targets: Record<string, TargetConfig> }) {
  const preset = p.preset as PresetName | undefined;
  const scale: number = p.scale ?? 1;
  const phases: Phase[] = preset ? presetPhases(preset, scale) : (p.phases as RawProfile[]).map(phase);
  const scenarios: Scenario[] = (p.scenarios as RawProfile[]).map((s) => ({
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
  const target = targets[p.target];
  return {
    fields: {
      target: p.target as string,
      ...(preset ? { preset } : {}),
      scale,
      phases,
      scenarios,
      ...(p.generator !== undefined ? { generator: p.generator as string } : {}),
      timeoutMs: p.timeout !== undefined ? parseDuration(p.timeout) : target?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(p.distributed !== undefined ? {
        distributed: {
          agents: p.distributed.agents as number,
          ...(p.distributed.redis !== undefined ? { redis: p.distributed.redis as string } : {}),
          joinTimeoutMs: p.distributed.joinTimeout !== undefined ? parseDuration(p.distributed.joinTimeout) : DEFAULT_JOIN_TIMEOUT_MS,
        },
      } : {}),
    },
    names: { scenarios: scenarios.map((s) => s.name), phases: phases.map((ph) => ph.name) },
  };
}

function phase(ph: RawProfile): Phase {
  const common = { name: ph.name as string, duration: ph.duration as string | number, durationMs: parseDuration(ph.duration) };
  if (ph.connections !== undefined) return { ...common, model: 'closed', connections: ph.connections, pipelining: ph.pipelining ?? 1 };
  return { ...common, model: 'open', arrivalRate: ph.arrivalRate, ...(ph.rampTo !== undefined ? { rampTo: ph.rampTo } : {}) };
}
