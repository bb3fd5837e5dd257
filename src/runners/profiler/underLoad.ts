/**
 * Profile under load: run a load profile against the attached process while capturing a CPU
 * profile and the monitor timeline (and, when asked, a heap sampling profile). The captures are
 * saved as artifacts of the load run (`cpu.cpuprofile`, `timeline.json`, `heap.heapprofile`,
 * `spikes.json` next to its `run.json`), and event-loop lag spikes are attributed to the code the
 * CPU profile caught during them.
 */
import type { RunArtifact, RunRecord } from '../../core/runRecord';
import { runProfile, type ProfileRun, type ProfileRunOptions } from '../runProfile';
import { RunnerError } from '../types';
import { cpuProfileStats, startCpuProfile, type CpuProfile, type CpuProfileStats, type CpuRecording } from './cpu';
import { heapSamplingScope } from './analysis/format';
import { listeningPortsOf } from './discovery';
import { startHeapSampling, type HeapProfile, type HeapSamplingOptions, type HeapSamplingRecording } from './heap';
import type { LeakAction } from './leaks';
import { startMonitor, summarizeTimeline, type MonitorOptions, type MonitorRecording, type TimelineFile, type TimelineSummary } from './monitor';
import type { InspectorSession } from './session';
import { attributeLagSpikes, type LagSpike, type SpikeOptions } from './spikes';
import { CaptureHandle, ProfilerError } from './types';

export interface UnderLoadOptions extends Omit<ProfileRunOptions, 'signal'> {
  /** CPU profile during the load (default on). */
  cpu?: boolean | { intervalUs?: number };
  /** Monitor timeline during the load (default on). */
  monitor?: boolean | MonitorOptions;
  /** Heap sampling during the load (default off). */
  heap?: boolean | HeapSamplingOptions;
  spikes?: SpikeOptions;
  /** The attached process, to warn when the profile's target is not a port it listens on. */
  targetPid?: number;
  /** Called once the load run has started: its handle has the live numbers and the run's logs. */
  onRun?: (run: ProfileRun) => void;
  signal?: AbortSignal;
}

export interface UnderLoadResult {
  /** The load run's record, with the captures listed in `artifacts`. */
  record: RunRecord;
  runDir: string;
  cpu?: CpuProfileStats & { file: string };
  timeline?: { file: string; summary: TimelineSummary };
  /** `live`: only objects still alive at the end were kept (see HeapSamplingOptions). */
  heap?: { file: string; live: boolean };
  spikes: LagSpike[];
}

export function profileUnderLoad(session: InspectorSession, opts: UnderLoadOptions): CaptureHandle<UnderLoadResult> {
  return new CaptureHandle(async (handle, signal) => {
    if (!Object.hasOwn(opts.config.profiles, opts.profile)) {
      const names = Object.keys(opts.config.profiles);
      throw new RunnerError(`no profile "${opts.profile}" in the config; it has ${names.length ? names.join(', ') : 'no profiles'}`, 'config');
    }
    await warnIfOtherTarget(opts, (m) => handle.log('warn', m));
    const option = <T extends object>(v: boolean | T | undefined, byDefault: boolean): T | undefined => (v === undefined ? (byDefault ? ({} as T) : undefined) : v === false ? undefined : v === true ? ({} as T) : v);
    const cpuOpts = option(opts.cpu, true);
    const monitorOpts = option(opts.monitor, true);
    const heapOpts = option(opts.heap, false);

    let cpu: CpuRecording | undefined;
    let monitor: MonitorRecording | undefined;
    let heap: HeapSamplingRecording | undefined;
    const startedAt = new Date().toISOString();
    // Starting a profiler stalls the target for a moment (V8 logs its code): start them before the
    // monitor, so the timeline does not show PerfLab's own start as a lag spike.
    if (cpuOpts) cpu = await startCpuProfile(session, cpuOpts);
    if (heapOpts) heap = await startHeapSampling(session, heapOpts);
    if (monitorOpts) monitor = await startMonitor(session, monitorOpts, (s) => handle.emit('sample', s));

    const run = runProfile({ ...opts, signal });
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
    const samples = monitor ? await monitor.stop() : undefined;

    const artifacts: RunArtifact[] = [...record.artifacts];
    const result: UnderLoadResult = { record, runDir: opts.store.runDir(record.id), spikes: [] };
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
    if (samples && monitor) {
      const timeline: TimelineFile = {
        format: 'perflab-timeline',
        version: 1,
        target: opts.targetPid !== undefined ? `pid ${opts.targetPid}` : session.address,
        startedAt,
        intervalMs: monitor.intervalMs,
        resolutionMs: monitor.resolutionMs,
        endedBy: targetGone ? 'target-exit' : signal.aborted ? 'cancelled' : 'done',
        complete: !targetGone,
        samples,
      };
      result.timeline = { file: await save('timeline.json', 'timeline', 'Event loop, heap and CPU of the target during the load', timeline), summary: summarizeTimeline(samples) };
      if (profile) {
        result.spikes = attributeLagSpikes(profile, samples, { startMonoUs: monitor.startMonoUs, cwd: opts.configDir, ...opts.spikes });
        if (result.spikes.length) await save('spikes.json', 'report', 'Event-loop lag spikes and the code running during them', result.spikes);
      }
    }
    result.record = { ...record, artifacts };
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

/** A load profile as the action of a leak hunt; resolves with the requests it completed. */
export function loadProfileAction(opts: Omit<ProfileRunOptions, 'signal'>, onRun?: (run: ProfileRun) => void): LeakAction {
  return {
    label: `load profile "${opts.profile}"`,
    async run(signal) {
      const run = runProfile({ ...opts, signal });
      onRun?.(run);
      const record = await run.record;
      if (record.status === 'failed') throw new ProfilerError(`the load profile "${opts.profile}" failed: ${record.error ?? 'unknown error'}`, 'internal');
      return record.overall?.count ?? record.operations.reduce((n, o) => n + o.count, 0);
    },
  };
}

/** An http profile whose target port the attached process does not listen on loads something else. */
async function warnIfOtherTarget(opts: UnderLoadOptions, warn: (message: string) => void): Promise<void> {
  const profile = opts.config.profiles[opts.profile];
  if (opts.targetPid === undefined || profile?.type !== 'http') return;
  const target = opts.config.targets[profile.target];
  if (!target) return;
  let url: URL;
  try {
    url = new URL(target.baseUrl);
  } catch {
    return;
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const ports = await listeningPortsOf(opts.targetPid).catch(() => []);
  if (ports.length && !ports.some((p) => p.port === port)) {
    warn(`pid ${opts.targetPid} does not listen on port ${port} (${target.baseUrl}); the load goes to another process, so the profile will not show it`);
  }
}
