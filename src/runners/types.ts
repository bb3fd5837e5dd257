/**
 * What every runner returns: a handle with typed events, the outcome and cancel(). Runners never
 * print and never show UI; the CLI and the extension attach presentation to these events.
 */
import { EventEmitter } from 'node:events';
import { CONFIG_FILE_NAME } from '../constants';
import type { PerfLabConfig, Profile, ProfileBase } from '../core/config';
import type { RunSamples } from '../core/compare/samples';
import type { RunRecord, TimelinePoint } from '../core/runRecord';

/** The environment variable that holds the Redis password (the editor sets it from its secret storage). */
export const PASSWORD_ENV = 'PERFLAB_REDIS_PASSWORD';

/** How far the run is; emitted at most a few times per second. */
export interface RunProgress {
  /** 0..1 of the planned work (time or iterations). */
  fraction: number;
  elapsedMs: number;
  /** Planned total, when known in advance. */
  totalMs?: number;
  /** Current phase or operation. */
  phase?: string;
  message?: string;
}

/** Live numbers of the last interval (about one second), for the live line and charts. */
export interface LiveSample extends TimelinePoint {
  /** Completed so far in the whole run. */
  total: number;
}

export interface RunLog {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface RunnerEvents {
  progress: [RunProgress];
  sample: [LiveSample];
  log: [RunLog];
}

/** What a runner produced; the caller turns it into a run record (id, environment, thresholds). */
export interface RunnerOutcome
  extends Pick<RunRecord, 'status' | 'target' | 'overall' | 'phases' | 'operations' | 'timeline' | 'generator' | 'process' | 'redisMemory' | 'error' | 'capacity' | 'distributed'> {
  /**
   * Every metric the run produced, by its catalog name (src/core/config/metrics.ts), in the
   * catalog's canonical unit: ms for times, per second for rates, a fraction for ratios.
   */
  metrics: Record<string, number>;
  /**
   * What the latency metrics rest on, per part of the run (src/core/compare/samples.ts): written
   * to the run's samples file, so a comparison knows each percentile's uncertainty.
   */
  samples?: RunSamples['parts'];
}

/**
 * An error the user can act on (target unreachable, Redis down, a refused host): the CLI prints
 * its message without a stack and exits 3, the editor shows it as is.
 */
const RUNNER_ERROR = Symbol.for('perflab.RunnerError');

export class RunnerError extends Error {
  /**
   * `instanceof` by this mark, not by the class: a kind's runner may load from a bundle of its
   * own (esbuild.mjs, lazyRunners) with its own copy of this class.
   */
  readonly [RUNNER_ERROR] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [RUNNER_ERROR]?: unknown })[RUNNER_ERROR] === true;
  }

  constructor(
    message: string,
    readonly code: 'unreachable' | 'refused' | 'redis' | 'config' | 'internal' = 'internal',
  ) {
    super(message);
    this.name = 'RunnerError';
  }
}

/**
 * Work that runs in the background: typed events, a result, and cancel(). Runners and profiler
 * captures both return one; what cancel() means for the result is theirs to say.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shape node:events requires of an event map
export class TaskHandle<T, E extends Record<keyof E, any[]>> extends EventEmitter<E> {
  private readonly controller = new AbortController();
  /** Resolves when the work has ended and cleaned up, also after cancel(). */
  readonly result: Promise<T>;

  /** `execute` does the work; it must stop promptly and clean up when `signal` aborts. */
  constructor(execute: (handle: TaskHandle<T, E>, signal: AbortSignal) => Promise<T>, parent?: AbortSignal) {
    super();
    if (parent) {
      if (parent.aborted) this.controller.abort(parent.reason);
      else parent.addEventListener('abort', () => this.cancel(), { once: true });
    }
    // Deferred a tick so callers can attach listeners before the first event.
    this.result = Promise.resolve().then(() => execute(this, this.controller.signal));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops the work; `result` still resolves (a run with status `cancelled` and what was measured so far). */
  cancel(): void {
    if (!this.controller.signal.aborted) this.controller.abort(new Error('cancelled'));
  }
}

/** A run of one profile; `result` rejects only with a RunnerError. */
export class RunHandle extends TaskHandle<RunnerOutcome, RunnerEvents> {
  constructor(execute: (handle: RunHandle, signal: AbortSignal) => Promise<RunnerOutcome>, parent?: AbortSignal) {
    super((handle, signal) => execute(handle as RunHandle, signal), parent);
  }
}

/** What a runner gets besides its profile. */
export interface RunnerContext {
  config: PerfLabConfig;
  /** Folder of the config file: relative paths in it (a custom generator module) resolve from here. */
  configDir: string;
  /** The config file as messages name it (e.g. `other.json`); see {@link configLabel}. */
  configName?: string;
  /** Environment to read secrets from (`PERFLAB_REDIS_PASSWORD`); the process's by default. */
  env: Record<string, string | undefined>;
  /** Code from the workspace (custom generators) runs only when true. */
  trusted: boolean;
  /** Aborting it cancels the run, like RunHandle.cancel(). */
  signal?: AbortSignal;
}

/** How a runner's messages name the config file: as the caller knows it, else the default name. */
export function configLabel(ctx: Pick<RunnerContext, 'configName'>): string {
  return ctx.configName ?? CONFIG_FILE_NAME;
}

/** Starts a run of one profile type; registered per type in src/runners/registry.ts. */
export type RunnerFactory<P extends ProfileBase = Profile> = (profile: P, ctx: RunnerContext) => RunHandle;
