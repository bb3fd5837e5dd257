/**
 * The typed, normalized config that runners, the CLI and the views read. The loader builds it
 * from `perflab.config.json` only when the file has no error-level problem; by then every
 * duration is in milliseconds, every threshold is parsed into canonical units, presets are
 * expanded into phases and defaults are filled in.
 */

import type { MetricUnit, ThresholdOp } from './threshold';

export type ProfileType = 'http' | 'redis' | 'bullmq';
export type PresetName = 'smoke' | 'load' | 'stress' | 'spike' | 'endurance';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export type RedisOperation =
  | 'set' | 'get' | 'incr' | 'lpush' | 'zadd' | 'pipeline' | 'analytics-write' | 'analytics-read';
export type RedisMode = 'sequential' | 'concurrent' | 'auto-pipeline' | 'pipeline';
export type BullmqMode = 'add' | 'addBulk' | 'drain' | 'e2e';

/** Where something was written in the config file (1-based), e.g. for a "Run" CodeLens. */
export interface SourceLocation {
  line: number;
  column: number;
}

/** A problem found in the config file, located on the offending JSON node. */
export interface ConfigProblem {
  file: string;
  /** 1-based; columns count UTF-16 code units, as VS Code does. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Where in the document, e.g. `profiles.smoke.phases[1].duration`; empty for the root. */
  path: string;
  message: string;
  /** What to do about it; never empty. */
  hint: string;
  severity: 'error' | 'warning';
  /** Stable kind of problem (e.g. `unknown-property`), for quick fixes and tests. */
  code: string;
  /** The profile the problem is inside, if any: an error there keeps only that profile from running. */
  profile?: string;
}

/** A parsed threshold: `metric` must be `op value`, with `value` in the metric's canonical unit. */
export interface Threshold {
  metric: string;
  /** As written, e.g. `< 0.1%`. */
  expression: string;
  op: ThresholdOp;
  /** Canonical: ms for time, ops/s for rates, a fraction (0..1) for ratios, bytes, counts. */
  value: number;
  unit: MetricUnit;
}

export interface StackConfig {
  /** Password-free; the password comes from `PERFLAB_REDIS_PASSWORD` or the editor's secret storage. */
  redis?: { url: string };
  queues: QueueConfig[];
}

export interface QueueConfig {
  name: string;
  /** BullMQ key prefix; default `bull`. */
  prefix: string;
}

/**
 * The Node process a run samples over the inspector (heap, RSS, event-loop delay, CPU, GC), as a
 * target or a profile names it: by pid, by inspector address (`HOST:PORT`), or by its command
 * line (`match`: a substring, or a regular expression written `/…/flags`; exactly one local
 * Node process must match when the run starts).
 */
export type ProcessRef = { pid: number } | { inspect: string } | { match: string };

export interface TargetConfig {
  name: string;
  baseUrl: string;
  headers: Record<string, string>;
  /** The target's own allowHosts (the top-level list applies as well). */
  allowHosts: string[];
  timeoutMs?: number;
  /** The process that serves this target, sampled during every run against it. */
  process?: ProcessRef;
}

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

interface ProfileBase {
  name: string;
  description?: string;
  thresholds: Threshold[];
  /** Where the profile's key is in the file. */
  source: SourceLocation;
  /**
   * The Node process sampled during the run: the profile's own `process`, else (http) its
   * target's. `perflab run --attach PID` overrides it for one run.
   */
  process?: ProcessRef;
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
}

export interface RedisProfile extends ProfileBase {
  type: 'redis';
  operations: RedisOperation[];
  mode: RedisMode;
  concurrency: number;
  /** Commands per pipeline. */
  pipeline: number;
  /** Exactly one of `iterations` and `durationMs` is set (default 10000 iterations). */
  iterations?: number;
  durationMs?: number;
  valueSize: number;
}

export interface BullmqProfile extends ProfileBase {
  type: 'bullmq';
  queue: string;
  mode: BullmqMode;
  /** Exactly one of `jobs` and `durationMs` is set (default 10000 jobs). */
  jobs?: number;
  durationMs?: number;
  bulkSize: number;
  /** One benchmark per value (a sweep when there are several). */
  workerConcurrency: number[];
  /** Jobs per second; absent means as fast as possible. */
  arrivalRate?: number;
  priorities?: number[];
  delayed?: { ratio: number; delayMs: number };
  failRate: number;
  attempts: number;
  backoff?: { type: 'fixed' | 'exponential'; delayMs: number };
  limiter?: { max: number; durationMs: number };
  payloadSize: number;
  /** Simulated work per job; 0 for none. */
  processTimeMs: number;
}

export type Profile = HttpProfile | RedisProfile | BullmqProfile;

export interface PerfLabConfig {
  stack: StackConfig;
  targets: Record<string, TargetConfig>;
  /** Top-level allowHosts, applying to every target and to the stack. */
  allowHosts: string[];
  profiles: Record<string, Profile>;
}

/** What the loader returns: `config` is present exactly when no problem is an error. */
export interface ConfigParseResult {
  config?: PerfLabConfig;
  problems: ConfigProblem[];
  /**
   * When every error is inside profiles: the config without those profiles, so the others can
   * still run; `invalidProfiles` names the ones left out. Absent when `config` is present or an
   * error outside the profiles (a target, the stack) makes the whole file unusable.
   */
  usable?: { config: PerfLabConfig; invalidProfiles: string[] };
}

export interface ConfigLoadResult extends ConfigParseResult {
  file: string;
}
