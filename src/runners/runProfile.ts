/**
 * Runs one profile of a config and records it: starts the runner of its type, then turns the
 * outcome into a run record (id, environment, config hash, threshold verdicts, pass) and writes
 * it to the store, also when the run was cancelled or failed.
 */
import type { PerfLabConfig } from '../core/config';
import { profileHash } from '../core/configHash';
import { captureEnvironment } from '../core/environment';
import { RUN_RECORD_VERSION, type RunRecord } from '../core/runRecord';
import { newRunId, type RunStore } from '../core/runStore';
import { evaluateThresholds } from '../core/thresholds';
import { startRunner } from './registry';
import { type RunHandle, RunnerError, type RunnerOutcome } from './types';

export interface ProfileRunOptions {
  config: PerfLabConfig;
  profile: string;
  configDir: string;
  /** The config file as messages name it (e.g. `other.json`); default `perflab.config.json`. */
  configName?: string;
  store: RunStore;
  env?: Record<string, string | undefined>;
  /** Workspace code may run (custom generators); the CLI is trusted, the editor asks VS Code. */
  trusted: boolean;
  signal?: AbortSignal;
}

export interface ProfileRun {
  id: string;
  /** Live events and cancel(). */
  handle: RunHandle;
  /** The record as written to the store; resolves for completed, cancelled and failed runs alike. */
  record: Promise<RunRecord>;
  /** Set when the run failed with a RunnerError, before `record` resolves: what kind of failure. */
  errorCode?: RunnerError['code'];
}

export function runProfile(opts: ProfileRunOptions): ProfileRun {
  const profile = Object.hasOwn(opts.config.profiles, opts.profile) ? opts.config.profiles[opts.profile] : undefined;
  if (!profile) {
    const names = Object.keys(opts.config.profiles);
    throw new RunnerError(`no profile "${opts.profile}" in the config; it has ${names.length ? names.join(', ') : 'no profiles'}`, 'config');
  }
  const started = new Date();
  const id = newRunId(profile.name, started);
  const environment = captureEnvironment();
  const handle = startRunner(profile, {
    config: opts.config,
    configDir: opts.configDir,
    ...(opts.configName !== undefined ? { configName: opts.configName } : {}),
    env: opts.env ?? process.env,
    trusted: opts.trusted,
    signal: opts.signal,
  });

  const run: ProfileRun = { id, handle, record: undefined as unknown as Promise<RunRecord> };
  run.record = handle.result
    .catch((err: unknown): RunnerOutcome => {
      run.errorCode = err instanceof RunnerError ? err.code : 'internal';
      return {
        status: 'failed',
        phases: [],
        operations: [],
        metrics: {},
        error: err instanceof RunnerError ? err.message : `unexpected error: ${(err as Error).stack ?? String(err)}`,
      };
    })
    .then(async (outcome) => {
      const ended = new Date();
      const thresholds = outcome.status === 'failed' ? [] : evaluateThresholds(profile.thresholds, outcome.metrics);
      const { metrics: _metrics, ...measured } = outcome;
      const rec: RunRecord = {
        version: RUN_RECORD_VERSION,
        id,
        profile: profile.name,
        type: profile.type,
        startedAt: started.toISOString(),
        endedAt: ended.toISOString(),
        durationMs: ended.getTime() - started.getTime(),
        configHash: profileHash(profile),
        environment,
        ...measured,
        thresholds,
        artifacts: [],
        pass: outcome.status === 'completed' && thresholds.every((t) => t.pass),
      };
      await opts.store.write(rec);
      return rec;
    });
  return run;
}
