/**
 * The typed, normalized config that runners, the CLI and the views read. The loader builds it
 * from `perflab.config.json` only when the file has no error-level problem; by then every
 * duration is in milliseconds, every threshold is parsed into canonical units, presets are
 * expanded into phases and defaults are filled in.
 */

import type { RegressionSettings } from '../compare/rules';
import type { ProfileOf, ProfileType } from '../../runners/registry';
import type { MetricUnit, ThresholdOp } from './threshold';

export type { ProfileType } from '../../runners/registry';
// Each kind's profile is declared with its config part, in its folder; named here for the code that reads them.
export type { ClosedPhase, HttpMethod, HttpProfile, OpenPhase, Phase, RequestSpec, Scenario } from '../../runners/http/config';
export type { RedisMode, RedisOperation, RedisProfile } from '../../runners/redis/config';
export type { BullmqMode, BullmqProfile } from '../../runners/queue/config';
export type PresetName = 'smoke' | 'load' | 'stress' | 'spike' | 'endurance';

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
  /** Where the config sets it (the Test Explorer's threshold items point there); absent for one made in code. */
  source?: SourceLocation;
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

/** What every profile has, whatever its kind. */
export interface ProfileBase {
  type: string;
  name: string;
  description?: string;
  thresholds: Threshold[];
  /** Its regression rules over the defaults, and the noise assumed for single runs (src/core/compare/rules.ts); absent: the defaults. */
  regressions?: RegressionSettings;
  /** Where the profile's key is in the file. */
  source: SourceLocation;
  /**
   * The Node process sampled during the run: the profile's own `process`, else (http) its
   * target's. `perflab run --attach PID` overrides it for one run.
   */
  process?: ProcessRef;
}

/**
 * A profile of any kind: the union of what each kind's config part normalizes to (its folder's
 * `config.ts`, listed by src/runners/registry.ts).
 */
export type Profile = ProfileOf<ProfileType>;

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
