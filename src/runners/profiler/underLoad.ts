/**
 * Profile under load: run a load profile against the attached process while capturing a CPU
 * profile (and, when asked, a heap sampling profile). The load run samples the process itself,
 * through the same session (runProfile's process sampling: one monitor, one summary), so the
 * run's record carries the process figures and `timeline.json`; the captures are added as
 * artifacts of the same run (`cpu.cpuprofile`, `heap.heapprofile`, `spikes.json`). Event-loop
 * lag spikes are attributed to the code the CPU profile caught during them, and the profile's
 * time in GC joins the monitor's GC pauses in the run's process summary.
 */
import * as path from 'node:path';
import type { PerfLabConfig, Profile } from '../../core/config';
import { isLoopbackHost } from '../../core/config/hosts';
import type { RunArtifact, RunRecord } from '../../core/runRecord';
import type { SampledProcess } from '../processSampling';
import { runProfile, TIMELINE_ARTIFACT, type ProfileRun, type ProfileRunOptions } from '../runProfile';
import type { Kind } from '../kind';
import { KINDS } from '../registry';
import { RunnerError } from '../types';
import { gcTimeMs } from './analysis/cpu/v8Meta';
import { cpuProfileStats, startCpuProfile, type CpuProfile, type CpuProfileStats, type CpuRecording } from './cpu';
import { heapSamplingScope } from './analysis/format';
import { listeningPortsOf, portHolder } from './discovery';
import type { InspectorAddress } from './endpoint';
import { startHeapSampling, type HeapProfile, type HeapSamplingOptions, type HeapSamplingRecording } from './heap';
import { MAX_FAILED_SHARE, type LeakAction } from './leaks';
import { measureLiveHeap, type MonitorOptions } from './monitor';
import type { InspectorSession } from './session';
import { attributeLagSpikes, type LagSpike, type SpikeOptions } from './spikes';
import { diagnoseParts, readDiagnosisParts } from '../diagnose';
import { CaptureHandle, ProfilerError } from './types';

export interface UnderLoadOptions extends Omit<ProfileRunOptions, 'signal' | 'session' | 'attach' | 'monitor' | 'onProcessSample'> {
  /** CPU profile during the load (default on). */
  cpu?: boolean | { intervalUs?: number };
  /** Interval and resolution of the process sampling (always on: it is the run's own). */
  monitor?: MonitorOptions;
  /** Heap sampling during the load (default off). */
  heap?: boolean | HeapSamplingOptions;
  spikes?: SpikeOptions;
  /** The attached process, to warn when the load does not reach it (see loadMissesTarget). */
  targetPid?: number;
  /** How the run record names the attached process, e.g. `pid 1234 (node server.js), inspector …`. */
  targetDescription?: string;
  /** Called once the load run has started: its handle has the live numbers and the run's logs. */
  onRun?: (run: ProfileRun) => void;
  signal?: AbortSignal;
}

export interface UnderLoadResult {
  /** The load run's record, with the captures listed in `artifacts` and the process in `process`. */
  record: RunRecord;
  runDir: string;
  cpu?: CpuProfileStats & { file: string };
  /** The process timeline of the run (`timeline.json`). */
  timeline?: { file: string };
  /** `live`: only objects still alive at the end were kept (see HeapSamplingOptions). */
  heap?: { file: string; live: boolean };
  spikes: LagSpike[];
  /** `spikes.json`, when there were spikes. */
  spikesFile?: string;
  /** Why the load run failed, when it did (as `ProfileRun.errorCode`). */
  errorCode?: RunnerError['code'];
}

export function profileUnderLoad(session: InspectorSession, opts: UnderLoadOptions): CaptureHandle<UnderLoadResult> {
  return new CaptureHandle(async (handle, signal) => {
    if (!Object.hasOwn(opts.config.profiles, opts.profile)) {
      const names = Object.keys(opts.config.profiles);
      throw new RunnerError(`no profile "${opts.profile}" in the config; it has ${names.length ? names.join(', ') : 'no profiles'}`, 'config');
    }
    // Before any capture starts: a capture of a process the load never reaches shows nothing.
    const miss = await loadMissesTarget({ ...opts, inspector: session.target });
    if (miss) handle.log('warn', miss);
    const option = <T extends object>(v: boolean | T | undefined, byDefault: boolean): T | undefined => (v === undefined ? (byDefault ? ({} as T) : undefined) : v === false ? undefined : v === true ? ({} as T) : v);
    const cpuOpts = option(opts.cpu, true);
    const heapOpts = option(opts.heap, false);

    let cpu: CpuRecording | undefined;
    let heap: HeapSamplingRecording | undefined;
    // Starting a profiler stalls the target for a moment (V8 logs its code): start them before the
    // run starts its monitor, so the timeline does not show PerfLab's own start as a lag spike.
    if (cpuOpts) cpu = await startCpuProfile(session, cpuOpts);
    if (heapOpts) heap = await startHeapSampling(session, heapOpts);

    const description = opts.targetDescription ?? (opts.targetPid !== undefined ? `pid ${opts.targetPid}` : session.address);
    const run = runProfile({
      ...opts,
      signal,
      session: { session, description, ...(opts.targetPid !== undefined ? { pid: opts.targetPid } : {}) },
      onProcessSample: (s) => handle.emit('sample', s),
    });
    opts.onRun?.(run);
    // Progress is forwarded for a single progress bar; the run's own logs and live numbers are on `run.handle`.
    run.handle.on('progress', (p) => handle.emit('progress', p));
    // A target that dies takes the point of the load with it: stop the load too.
    let targetGone = false;
    void session.gone.then(() => {
      targetGone = true;
      run.handle.cancel();
    });
    const record = await run.record;
    const sampled = await run.sampled;
    const errorCode = run.errorCode;

    const lost: string[] = [];
    const collect = async <T>(what: string, stop: (() => Promise<T>) | undefined): Promise<T | undefined> => {
      if (!stop) return undefined;
      try {
        return await stop();
      } catch (err) {
        if (!(err instanceof ProfilerError && err.reason === 'target-exit')) throw err;
        lost.push(what);
        return undefined;
      }
    };
    const profile = await collect<CpuProfile>('the CPU profile', cpu?.stop);
    const heapProfile = await collect<HeapProfile>('the heap profile', heap?.stop);
    // The heap after a full GC, once the captures are stopped (neither sees PerfLab's own
    // collection): the last point of the post-GC heap trend the diagnosis reads.
    if (sampled && !targetGone && session.state === 'open') {
      const point = await measureLiveHeap(session).catch(() => undefined);
      if (point) await opts.store.writeArtifact(record.id, TIMELINE_ARTIFACT, JSON.stringify({ ...sampled.file, liveHeap: [...(sampled.file.liveHeap ?? []), point] }));
    }

    const artifacts: RunArtifact[] = [...record.artifacts];
    const result: UnderLoadResult = { record, runDir: opts.store.runDir(record.id), spikes: [], ...(errorCode ? { errorCode } : {}) };
    const save = async (name: string, kind: RunArtifact['kind'], label: string, data: unknown) => {
      const file = await opts.store.writeArtifact(record.id, name, JSON.stringify(data));
      artifacts.push({ file: name, kind, label });
      return file;
    };
    if (profile) result.cpu = { file: await save('cpu.cpuprofile', 'cpuprofile', 'CPU profile during the load', profile), ...cpuProfileStats(profile) };
    if (heapProfile) {
      const live = heapOpts?.live ?? false;
      result.heap = { file: await save('heap.heapprofile', 'heapprofile', `Heap sampling during the load (${heapSamplingScope(live)})`, heapProfile), live };
    }
    if (sampled) {
      result.timeline = { file: path.join(result.runDir, TIMELINE_ARTIFACT) };
      if (profile) {
        result.spikes = attributeLagSpikes(profile, sampled.timeline.samples, { startMonoUs: sampled.startMonoUs, cwd: opts.configDir, ...opts.spikes });
        if (result.spikes.length) result.spikesFile = await save('spikes.json', 'report', 'Event-loop lag spikes and the code running during them', result.spikes);
      }
    }
    result.record = { ...record, artifacts, ...withTimeInGc(record, sampled, profile) };
    // Diagnosed again with the captures, from the run's folder: what `perflab diagnose` reads.
    if (result.record.status !== 'failed') result.record.diagnosis = diagnoseParts(await readDiagnosisParts(result.record, result.runDir, opts.configDir));
    await opts.store.write(result.record);

    if (targetGone) {
      const saved = [result.cpu?.file, result.timeline?.file, result.heap?.file].filter((f): f is string => Boolean(f));
      throw new ProfilerError(
        `the target exited during the load run; the run record and what was captured are saved in ${result.runDir}${lost.length ? ` (${lost.join(' and ')} could not be collected)` : ''}`,
        'target-exit',
        saved,
      );
    }
    return result;
  }, opts.signal);
}

/** The CPU profile of the same window gives the process summary its time in GC, beside the monitor's pauses. */
function withTimeInGc(record: RunRecord, sampled: SampledProcess | undefined, profile: CpuProfile | undefined): Pick<RunRecord, 'process'> {
  const summary = record.process ?? sampled?.summary;
  if (!summary) return {};
  if (!profile?.samples) return { process: summary };
  return { process: { ...summary, gc: { ...summary.gc, timeInGcMs: gcTimeMs({ ...profile, samples: profile.samples, timeDeltas: profile.timeDeltas ?? [] }) } } };
}

/** A load profile as the action of a leak hunt; resolves with the requests it completed. */
export function loadProfileAction(opts: Omit<ProfileRunOptions, 'signal'>, onRun?: (run: ProfileRun) => void): LeakAction {
  return {
    label: `load profile "${opts.profile}"`,
    async run(signal) {
      const run = runProfile({ ...opts, signal });
      onRun?.(run);
      const record = await run.record;
      if (record.status === 'failed') throw new ProfilerError(`the load profile "${opts.profile}" failed: ${record.error ?? 'unknown error'}`, 'internal');
      const done = record.overall ?? { count: record.operations.reduce((n, o) => n + o.count, 0), errors: record.operations.reduce((n, o) => n + o.errors, 0) };
      if (done.count > 0 && done.errors > MAX_FAILED_SHARE * done.count) {
        const kinds = Object.entries(record.overall?.errorsByKind ?? {}).map(([k, n]) => `${k} × ${n}`).join(', ');
        throw new ProfilerError(
          `the load profile "${opts.profile}" failed ${done.errors} of ${done.count} operations${kinds ? ` (${kinds})` : ''}; a leak hunt needs the action to succeed (at most ${MAX_FAILED_SHARE * 100}% failures): check the profile against the target (run it with \`perflab run ${opts.profile}\`)`,
          'action-failed',
        );
      }
      return { operations: done.count };
    },
  };
}

/** What loadMissesTarget needs: the config, the load profile and the attached process. */
export interface LoadTargetCheck {
  config: PerfLabConfig;
  profile: string;
  /** The attached process; found from `inspector` when not given (a local inspector's holder). */
  targetPid?: number;
  targetDescription?: string;
  inspector?: InspectorAddress;
}

/**
 * Why a load profile would not reach the attached process, if it would not: Redis and BullMQ
 * benchmarks run their clients, queues and workers in PerfLab's own process; an http profile whose
 * target port the process does not listen on loads another process. Said before a capture starts.
 */
export async function loadMissesTarget(check: LoadTargetCheck): Promise<string | undefined> {
  const profile = Object.hasOwn(check.config.profiles, check.profile) ? check.config.profiles[check.profile] : undefined;
  if (!profile) return undefined;
  const pid = check.targetPid ?? (check.inspector && isLoopbackHost(check.inspector.host) ? (await portHolder(check.inspector.port).catch(() => undefined))?.pid : undefined);
  const who = pid !== undefined ? `pid ${pid}` : (check.targetDescription ?? 'the attached process');
  const kind = KINDS[profile.type] as unknown as Kind<string, Profile>;
  const targetName = kind.config.targetOf?.(profile as unknown as Record<string, unknown>);
  if (targetName === undefined) {
    const how = kind.ownLoad ?? "runs in PerfLab's own process";
    return `the ${profile.type} profile "${check.profile}" never touches ${who}: it ${how}, so the capture will show ${who} idle. Run an http profile against the process to profile it under load`;
  }
  const target = check.config.targets[targetName];
  if (pid === undefined || !target) return undefined;
  let url: URL;
  try {
    url = new URL(target.baseUrl);
  } catch {
    return undefined;
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const ports = await listeningPortsOf(pid).catch(() => []);
  if (ports.length && !ports.some((p) => p.port === port)) {
    return `pid ${pid} does not listen on port ${port} (${target.baseUrl}); the load goes to another process, so the profile will not show it`;
  }
  return undefined;
}
