/**
 * The diagnosis of a run (src/core/diagnosis.ts), from what the run left: its record, and next to
 * it the process timeline, the stack series, the CPU profile and the heap sampling of a run
 * profiled under load. A run diagnoses itself as it is recorded (the parts still in memory);
 * `perflab diagnose RUN` reads the same parts from the run's folder. An artifact that cannot be
 * read leaves its part out and says so in `missing`: the rest still counts.
 */
import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import { diagnose, type CpuEvidence, type Diagnosis, type DiagnosisInput, type HeapEvidence, type Source } from '../core/diagnosis';
import type { RunRecord } from '../core/runRecord';
import { STACK_SERIES_FORMAT, type StackSeriesFile } from '../core/stackEvidence';
import { analyzeCpu } from './profiler/analysis/cpu/cpuProfile';
import { validateCpuProfile } from './profiler/analysis/cpu/validate';
import { heapSamplingScope, location } from './profiler/analysis/format';
import { analyzeHeapProfileData, validateHeapProfile } from './profiler/analysis/heapProfile';
import { CPU_PROFILE_FORMAT, HEAP_PROFILE_FORMAT } from './profiler/analysis/profileShapes';
import { readJsonProfile } from './profiler/analysis/readJson';
import type { TimelineFile } from './profiler/monitor';
import { attributeLagSpikes } from './profiler/spikes';
import { slopePerMinute } from './profiler/timelineSummary';

/** What a diagnosis reads besides the record; every part optional. */
export interface DiagnosisParts {
  record: RunRecord;
  timeline?: TimelineFile;
  stackSeries?: StackSeriesFile;
  /** A `.cpuprofile` of the run's window, as parsed JSON. */
  cpuProfile?: unknown;
  /** A `.heapprofile` of the run's window, as parsed JSON; `live` when only survivors were kept. */
  heapProfile?: { profile: unknown; live: boolean };
  /** Source paths are shown relative to this folder (the config's). */
  cwd: string;
  /** Parts that were there but could not be read, one sentence each. */
  unreadable?: string[];
}

/** Functions of the target's own code: not V8's pseudo-frames, not Node's internals. */
const ownCode = (url: string) => url !== '' && !url.startsWith('node:') && !url.startsWith('internal/');

/** A function as a finding names it: shown relative to the config's folder, openable by its url and line. */
function source(name: string, url: string, line: number, cwd: string): Source {
  return { name, location: location(url, line, cwd), ...(url ? { url, line } : {}) };
}

/** The ranked findings of a run from its parts. */
export function diagnoseParts(parts: DiagnosisParts): Diagnosis {
  const { record, timeline, cwd } = parts;
  const input: DiagnosisInput = { record, commandHints: { profile: record.profile, ...(record.process?.pid !== undefined ? { pid: record.process.pid } : {}) } };
  const missing = [...(parts.unreadable ?? [])];
  const first = timeline?.samples[0];
  // `t = 0` of the timeline on the target's monotonic clock (its samples carry both).
  const originUs = first ? first.monoUs - first.t * 1e6 : undefined;
  if (timeline && originUs !== undefined) {
    // After each major GC during the run, and after the full GC forced at its end. Not the one
    // forced before it: an idle process keeps less alive than a busy one (requests in flight, a
    // bounded cache filling), and that step is no growth.
    const points = [...timeline.samples.flatMap((s) => s.gc.afterMajor), ...(timeline.liveHeap ?? []).map((p) => ({ ...p, forced: true }))]
      .filter((p) => p.monoUs >= originUs)
      .sort((a, b) => a.monoUs - b.monoUs);
    input.postGcHeap = points.map((p) => ({ tS: (p.monoUs - originUs) / 1e6, bytes: p.heapUsed, ...('forced' in p ? { forced: true } : {}) }));
    const slope = slopePerMinute(points.map((p) => [p.monoUs, p.heapUsed]));
    if (slope !== undefined) input.postGcSlopePerMin = slope;
    input.cpuSeries = timeline.samples.map((s) => ({ tS: s.t, cpu: s.cpu.user + s.cpu.system, intervalMs: s.intervalMs }));
  }
  if (parts.stackSeries) input.waitingSeries = Object.fromEntries(parts.stackSeries.queues.map((q) => [q.name, q.counts.waiting]));
  if (parts.cpuProfile !== undefined) {
    try {
      const raw = validateCpuProfile('the CPU profile', parts.cpuProfile);
      input.cpu = cpuEvidence(raw, cwd);
      if (timeline && originUs !== undefined) {
        input.spikes = attributeLagSpikes(parts.cpuProfile as Parameters<typeof attributeLagSpikes>[0], timeline.samples, { startMonoUs: originUs, cwd }).map((s) => ({
          atS: s.atS,
          delayMs: s.delayMs,
          busyMs: s.busyMs,
          culprits: s.culprits.map((c) => ({ ...source(c.name, c.url, c.line, cwd), share: c.share, longestMs: c.longestMs })),
        }));
      }
    } catch (err) {
      missing.push(`The CPU profile was left out: ${(err as Error).message}.`);
    }
  }
  if (parts.heapProfile) {
    try {
      input.heap = heapEvidence(parts.heapProfile.profile, parts.heapProfile.live, record.durationMs, cwd);
    } catch (err) {
      missing.push(`The heap profile was left out: ${(err as Error).message}.`);
    }
  }
  const diagnosis = diagnose(input);
  return { ...diagnosis, missing: [...missing, ...diagnosis.missing] };
}

function cpuEvidence(raw: ReturnType<typeof validateCpuProfile>, cwd: string): CpuEvidence {
  const a = analyzeCpu('the CPU profile', raw);
  const meta = (kind: string) => a.meta.find((m) => m.kind === kind)?.selfMs ?? 0;
  return {
    sampledMs: a.durationMs,
    idleMs: meta('idle'),
    gcMs: meta('gc'),
    functions: a.functions.filter((f) => ownCode(f.url) && f.selfMs > 0).slice(0, 10).map((f) => ({ ...source(f.name, f.url, f.line, cwd), selfMs: f.selfMs })),
  };
}

function heapEvidence(json: unknown, live: boolean, durationMs: number, cwd: string): HeapEvidence {
  const { head, sampleCount } = validateHeapProfile('the heap profile', json);
  const a = analyzeHeapProfileData('the heap profile', head, sampleCount);
  return {
    bytes: a.totalSize,
    live,
    durationMs,
    functions: a.functions.filter((f) => ownCode(f.url) && f.selfSize > 0).slice(0, 10).map((f) => ({ ...source(f.name, f.url, f.line, cwd), bytes: f.selfSize })),
  };
}

/** The parts of a recorded run, read from its folder (`perflab diagnose`). */
export async function readDiagnosisParts(record: RunRecord, runDir: string, cwd: string): Promise<DiagnosisParts> {
  const parts: DiagnosisParts = { record, cwd, unreadable: [] };
  const unreadable = (file: string, err: unknown) => parts.unreadable!.push(`${file} could not be read (${(err as Error).message}), so its part is left out.`);
  for (const artifact of record.artifacts) {
    const file = path.join(runDir, artifact.file);
    try {
      if (artifact.kind === 'timeline') {
        const json = JSON.parse(await readFile(file, 'utf8')) as TimelineFile;
        if (json.format !== 'perflab-timeline' || !Array.isArray(json.samples)) throw new Error('not a PerfLab timeline');
        parts.timeline = json;
      } else if (artifact.kind === 'stack') {
        const json = JSON.parse(await readFile(file, 'utf8')) as StackSeriesFile;
        if (json.format !== STACK_SERIES_FORMAT || !Array.isArray(json.queues)) throw new Error('not a PerfLab stack series');
        parts.stackSeries = json;
      } else if (artifact.kind === 'cpuprofile' && parts.cpuProfile === undefined) {
        parts.cpuProfile = await readJsonProfile(file, CPU_PROFILE_FORMAT);
      } else if (artifact.kind === 'heapprofile' && !parts.heapProfile) {
        // The label says which (src/runners/profiler/underLoad.ts, heapSamplingScope).
        parts.heapProfile = { profile: await readJsonProfile(file, HEAP_PROFILE_FORMAT), live: (artifact.label ?? '').includes(heapSamplingScope(true)) };
      }
    } catch (err) {
      unreadable(artifact.file, err);
    }
  }
  return parts;
}
