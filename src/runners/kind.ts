/**
 * What a kind of run is, in the one place it is declared (its folder's `kind.ts`): what the UI
 * calls it ({@link KindDescription}), the metrics it measures, its part of the config (the checks
 * of its profiles the schema cannot express, and how one is normalized) and its runner, loaded
 * when a run starts. src/runners/registry.ts lists the kinds; the config loader, the metric
 * catalog, the reports, the trees and the run webview read them from there.
 */
import type { KindDescription, KindMetric } from '../core/kindDescription';
import type { Obj } from '../core/config/checks';
import type { ProblemInput, Segment } from '../core/config/locate';
import type { SemanticOptions } from '../core/config/semantic';
import type { ProfileBase, TargetConfig } from '../core/config/types';
import { RunHandle, type RunnerFactory } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a profile as written, after the schema check
export type RawProfile = any;

/** The names a profile defines, which fill its metric patterns' placeholders. */
export interface MetricNames {
  scenarios?: readonly string[];
  phases?: readonly string[];
  operations?: readonly string[];
}

/** What a kind's checks know of the rest of the document (raw: it may have failed the schema). */
export interface CheckEnv {
  targets: Obj;
  /** `stack.redis`, when the document has one. */
  redis?: Obj;
  /** The names under `stack.queues`. */
  queues: unknown[];
  options: SemanticOptions;
}

/** The fields every profile has; the generic loader fills them, the kind the rest. */
export type CommonField = 'type' | 'name' | 'source' | 'description' | 'process' | 'thresholds' | 'regressions';

export interface KindConfig<P extends ProfileBase> {
  /** The target a profile sends its load to (its process is sampled unless the profile names one). */
  targetOf?(raw: Obj): string | undefined;
  /**
   * Pushes the problems of one profile that the schema cannot express and returns the names its
   * thresholds may use. Runs on the raw profile also when it failed the schema: assume no shape.
   */
  check(out: ProblemInput[], at: Segment[], raw: Obj, env: CheckEnv): MetricNames;
  /** The profile's own fields from a profile that passed every check: defaults in, durations in ms. */
  normalize(raw: RawProfile, env: { targets: Record<string, TargetConfig> }): { fields: Omit<P, CommonField>; names: MetricNames };
}

/** A row under a profile in the Profiles tree. */
export interface OutlineRow {
  /** Unique under the profile, e.g. `phase:0`. */
  id: string;
  label: string;
  description?: string;
  /** A codicon name. */
  icon: string;
}

export interface Kind<T extends string = string, P extends ProfileBase & { type: T } = ProfileBase & { type: T }> extends KindDescription {
  type: T;
  /** Its own metrics; those of every kind (errors.rate, the sampled process's) are in core/config/metrics.ts. */
  metrics: readonly KindMetric[];
  /** Its profiles need `stack.redis`. */
  usesRedis?: true;
  config: KindConfig<P>;
  /** What the Profiles tree shows of one of its profiles: a one-line summary and rows under it (its thresholds follow). */
  outline(profile: P): { summary: string; rows: OutlineRow[] };
  /**
   * For a kind whose runs load no target: what they do instead, said when such a profile is run
   * under a profiler attached to another process (`sends its Redis commands from PerfLab's own process`).
   */
  ownLoad?: string;
  /**
   * Why one of its profiles may not run in an untrusted workspace (it runs code from the
   * workspace, as an HTTP profile's custom generator does), or undefined when it runs anywhere.
   */
  untrusted?(profile: P): string | undefined;
  /** Its runner, loaded on the first run (the editor's bundle and the config checker stay small). */
  load(): Promise<RunnerFactory<P>>;
}

/**
 * A runner that is loaded when it starts: the handle is there at once (listeners attach as
 * usual), the run begins once the module has loaded, and cancel() reaches it either way.
 */
export function lazyRunner<P extends ProfileBase>(load: () => Promise<RunnerFactory<P>>): RunnerFactory<P> {
  return (profile, ctx) => new RunHandle(async (handle, signal) => {
    const run = (await load())(profile, { ...ctx, signal });
    run.on('progress', (p) => handle.emit('progress', p));
    run.on('sample', (s) => handle.emit('sample', s));
    run.on('log', (l) => handle.emit('log', l));
    return run.result;
  }, ctx.signal);
}
