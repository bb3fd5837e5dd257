/**
 * Runs one profile of a config and records it: starts the runner of its type (with its Node
 * process sampled when one is named: see sampledRun.ts), then turns the outcome into a run record
 * (id, environment, config hash, threshold verdicts, pass) and writes it to the store, with the
 * process timeline as an artifact, also when the run was cancelled or failed. A config that names a
 * stack Redis also gets the run's stack evidence (evidenceRun.ts), its series as an artifact.
 */
import type { CapacityPlan } from '../core/capacity';
import type { PerfLabConfig, ProcessRef } from '../core/config';
import { SAMPLES_ARTIFACT, SAMPLES_VERSION } from '../core/compare/samples';
import { profileHash } from '../core/configHash';
import { diagnoseParts } from './diagnose';
import { captureEnvironment } from '../core/environment';
import { type RepeatInfo, RUN_RECORD_VERSION, type RunArtifact, type RunRecord } from '../core/runRecord';
import { STACK_ARTIFACT } from '../core/stackEvidence';
import { newRunId, type RunStore } from '../core/runStore';
import { evaluateThresholds } from '../core/thresholds';
import type { SampledProcess, SamplingSource } from './processSampling';
import type { MonitorOptions } from './profiler/monitor';
import type { InspectorSession } from './profiler/session';
import type { MonitorSample } from './profiler/types';
import { assertCapacityProfile, startCapacity } from './capacity';
import { runWithStackEvidence, type StackEvidenceResult } from './evidenceRun';
import { startRunner } from './registry';
import { runSampled } from './sampledRun';
import { type RunHandle, RunnerError, type RunnerContext, type RunnerOutcome } from './types';
import { lazyRunner } from './kind';
import type { HttpProfile } from '../core/config/types';
import { describeUnexpected } from './unexpected';

/** The artifact that holds the sampled process's timeline. */
export const TIMELINE_ARTIFACT = 'timeline.json';

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
  /**
   * Run a kind whose load comes from PerfLab's own process (Redis, BullMQ) in a child process of
   * its own: the editor's choice, so its extension host never carries that work.
   */
  ownProcess?: boolean;
  signal?: AbortSignal;
  /** The Node process to sample for this run (`--attach PID`); overrides the profile's `process`. */
  attach?: ProcessRef;
  /** A session the caller already holds to the process to sample (profile under load); overrides both. */
  session?: { session: InspectorSession; description: string; pid?: number };
  /** One of several runs of one invocation (`--repeat N`); `group` absent for the first, whose id becomes the group's. */
  repeat?: Omit<RepeatInfo, 'group'> & { group?: string };
  /** Search the profile's capacity (`perflab capacity`) instead of running its phases. */
  capacity?: CapacityPlan;
  /** `--agents N`: run an http profile from N load agents (overrides its `distributed.agents`). */
  agents?: number;
  /** Monitor interval and resolution of the sampling. */
  monitor?: MonitorOptions;
  /** Monitor samples of the sampled process, as they arrive. */
  onProcessSample?: (sample: MonitorSample) => void;
}

export interface ProfileRun {
  id: string;
  /** Live events and cancel(). */
  handle: RunHandle;
  /** The record as written to the store; resolves for completed, cancelled and failed runs alike. */
  record: Promise<RunRecord>;
  /** Set when the run failed with a RunnerError, before `record` resolves: what kind of failure. */
  errorCode?: RunnerError['code'];
  /** What was sampled of the named process (resolves with `record`); undefined without one. */
  sampled: Promise<SampledProcess | undefined>;
}

export function runProfile(opts: ProfileRunOptions): ProfileRun {
  const profile = Object.hasOwn(opts.config.profiles, opts.profile) ? opts.config.profiles[opts.profile] : undefined;
  if (!profile) {
    const names = Object.keys(opts.config.profiles);
    throw new RunnerError(`no profile "${opts.profile}" in the config; it has ${names.length ? names.join(', ') : 'no profiles'}`, 'config');
  }
  // Refused before anything runs or is recorded.
  if (opts.capacity) assertCapacityProfile(profile);
  const agents = opts.agents ?? (profile.type === 'http' ? profile.distributed?.agents : undefined);
  if (agents !== undefined && profile.type !== 'http') {
    throw new RunnerError(`profile "${profile.name}" is a ${profile.type} profile: only http profiles run on load agents (--agents)`, 'config');
  }
  const started = new Date();
  const id = newRunId(profile.name, started);
  const environment = captureEnvironment();
  const startBare = (signal?: AbortSignal) => {
    const ctx = {
      config: opts.config,
      configDir: opts.configDir,
      ...(opts.configName !== undefined ? { configName: opts.configName } : {}),
      env: opts.env ?? process.env,
      trusted: opts.trusted,
      signal,
    };
    if (opts.capacity) return startCapacity(profile, ctx, opts.capacity);
    if (agents !== undefined && profile.type === 'http') return startDistributed(profile, ctx, agents);
    return startRunner(profile, ctx, { ownProcess: opts.ownProcess });
  };
  // The stack is read around the runner alone (inside the process sampling, when there is one).
  let evidence: Promise<StackEvidenceResult | undefined> = Promise.resolve(undefined);
  const start = (signal?: AbortSignal) => {
    const run = runWithStackEvidence((s) => startBare(s), { config: opts.config, env: opts.env ?? process.env, ...(opts.configName !== undefined ? { configName: opts.configName } : {}) }, signal);
    evidence = run.evidence;
    return run.handle;
  };
  // A capacity search overloads its target on purpose: figures of its process over the whole
  // search would mix every step, so it samples none.
  const source = opts.capacity ? undefined : samplingSource(opts, profile.process);
  const { handle, sampled } = source
    ? runSampled(start, source, {
      monitor: opts.monitor,
      onSample: opts.onProcessSample,
      liveHeapBracket: profile.thresholds.some((t) => t.metric === 'memory.heapUsed.growth'),
    }, opts.signal)
    : { handle: start(opts.signal), sampled: Promise.resolve(undefined) };

  const run: ProfileRun = { id, handle, sampled, record: undefined as unknown as Promise<RunRecord> };
  run.record = handle.result
    .catch((err: unknown): RunnerOutcome => {
      run.errorCode = err instanceof RunnerError ? err.code : 'internal';
      return {
        status: 'failed',
        phases: [],
        operations: [],
        metrics: {},
        error: err instanceof RunnerError ? err.message : `internal error: ${describeUnexpected(err, opts.env ?? process.env)}`,
      };
    })
    .then(async (outcome) => {
      const ended = new Date();
      const thresholds = outcome.status === 'failed' ? [] : evaluateThresholds(profile.thresholds, outcome.metrics);
      const { samples, ...measured } = outcome;
      const artifacts: RunArtifact[] = [];
      if (samples && outcome.status !== 'failed') {
        await opts.store.writeArtifact(id, SAMPLES_ARTIFACT, JSON.stringify({ version: SAMPLES_VERSION, parts: samples }));
        artifacts.push({ file: SAMPLES_ARTIFACT, kind: 'samples', label: 'Counts and latency histograms of each part of the run, for comparisons' });
      }
      const stack = await evidence;
      if (stack?.series) {
        await opts.store.writeArtifact(id, STACK_ARTIFACT, JSON.stringify(stack.series));
        const queues = stack.evidence.queues.length ? ` and the job counts of ${stack.evidence.queues.map((q) => q.name).join(', ')}` : '';
        artifacts.push({ file: STACK_ARTIFACT, kind: 'stack', label: `Memory and clients of ${stack.evidence.target}${queues} during the run` });
      }
      const watched = await sampled;
      if (watched) {
        await opts.store.writeArtifact(id, TIMELINE_ARTIFACT, JSON.stringify(watched.file));
        artifacts.push({ file: TIMELINE_ARTIFACT, kind: 'timeline', label: `Event loop, heap, CPU and GC of ${watched.summary.description} during the run` });
      }
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
        // A run that failed after sampling started still shows what its process did.
        ...(watched && !measured.process ? { process: watched.summary } : {}),
        ...(stack ? { stack: stack.evidence } : {}),
        thresholds,
        ...(opts.repeat ? { repeat: { group: opts.repeat.group ?? id, index: opts.repeat.index, of: opts.repeat.of } } : {}),
        artifacts,
        pass: outcome.status === 'completed' && thresholds.every((t) => t.pass) && (!outcome.capacity || outcome.capacity.rate !== undefined),
      };
      // A capacity search overloads its target on purpose: nothing to diagnose in that.
      if (rec.status !== 'failed' && !rec.capacity) {
        rec.diagnosis = diagnoseParts({ record: rec, ...(watched ? { timeline: watched.file } : {}), ...(stack?.series ? { stackSeries: stack.series } : {}), cwd: opts.configDir });
      }
      await opts.store.write(rec);
      return rec;
    });
  return run;
}

/** An http profile from load agents: the coordinator (and BullMQ) load on the first such run. */
function startDistributed(profile: HttpProfile, ctx: RunnerContext, agents: number): RunHandle {
  return lazyRunner<HttpProfile>(() => import('./distributed/coordinator').then((m) => (p, c) => m.runDistributed(p, c, { agents })))(profile, ctx);
}

/** The caller's session, else `--attach`, else the profile's (or its target's) `process`. */
function samplingSource(opts: ProfileRunOptions, configured: ProcessRef | undefined): SamplingSource | undefined {
  if (opts.session) return opts.session;
  const ref = opts.attach ?? configured;
  return ref ? { ref } : undefined;
}
