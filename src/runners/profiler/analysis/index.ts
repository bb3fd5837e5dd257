/**
 * Profile and snapshot analysis. Every function here does its work in a worker thread and resolves
 * with plain data; bad input rejects with an AnalysisError whose message is one line naming the
 * file and what is wrong.
 */
import * as path from 'node:path';
import { AnalysisError } from './errors';
import { KIND_LABEL, sniffFile } from './sniff';
import type {
  AnalysisOptions,
  CpuAnalysis,
  CpuProfileOptions,
  HeapAnalysis,
  HeapProfileAnalysis,
  HeapProfileOptions,
  HeapSnapshotOptions,
  LeakReport,
  LeakReportOptions,
  RetainerPath,
  SnapshotDiff,
} from './types';
import { AnalysisWorker, runInWorker } from './workerClient';

export { AnalysisError, type AnalysisFailure } from './errors';
export type * from './types';

/** Defaults of the leak report's noise floor; see LeakReportOptions. */
export const LEAK_NOISE = { minCount: 20, minRetainedBytes: 64 * 1024 } as const;

/** `.cpuprofile` → flame tree, self/total time per function, self time per line. */
export function analyzeCpuProfile(file: string, opts: CpuProfileOptions = {}): Promise<CpuAnalysis> {
  return runInWorker({ op: 'cpu', file, top: opts.top, sourceMaps: opts.sourceMaps ?? true }, opts);
}

/** `.heapprofile` (heap sampling) → top allocating functions by self size. */
export function analyzeHeapProfile(file: string, opts: HeapProfileOptions = {}): Promise<HeapProfileAnalysis> {
  return runInWorker({ op: 'heapProfile', file, top: opts.top, sourceMaps: opts.sourceMaps ?? true }, opts);
}

/** `.heapsnapshot` → class aggregates with retained sizes (as DevTools computes them). */
export function analyzeHeapSnapshot(file: string, opts: HeapSnapshotOptions = {}): Promise<HeapAnalysis> {
  return runInWorker({ op: 'snapshot', file, top: opts.top, keep: false }, opts);
}

/**
 * A snapshot kept loaded in its own worker, for several retainer-path queries without parsing the
 * file again. Call `close()` when done (an idle handle does not keep the process alive).
 */
export class HeapSnapshotHandle {
  private constructor(
    private readonly worker: AnalysisWorker,
    readonly file: string,
    readonly analysis: HeapAnalysis,
  ) {}

  static async open(file: string, opts: HeapSnapshotOptions = {}): Promise<HeapSnapshotHandle> {
    const worker = new AnalysisWorker();
    try {
      const analysis = await worker.request<HeapAnalysis>({ op: 'snapshot', file, top: opts.top, keep: true }, opts);
      return new HeapSnapshotHandle(worker, file, analysis);
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  /** Shortest path from a GC root to the object with this id, or to the largest object of this class (name or key). */
  retainerPath(query: number | string, opts: AnalysisOptions = {}): Promise<RetainerPath> {
    return this.worker.request<RetainerPath>({ op: 'retainerPath', query }, opts);
  }

  close(): Promise<void> {
    return this.worker.terminate();
  }
}

export function openHeapSnapshot(file: string, opts: HeapSnapshotOptions = {}): Promise<HeapSnapshotHandle> {
  return HeapSnapshotHandle.open(file, opts);
}

/** Shortest retainer path from a GC root, in a snapshot file or an open handle. */
export async function retainerPath(target: string | HeapSnapshotHandle, query: number | string, opts: AnalysisOptions = {}): Promise<RetainerPath> {
  if (typeof target !== 'string') return target.retainerPath(query, opts);
  const handle = await HeapSnapshotHandle.open(target, { ...opts, top: 0 });
  try {
    return await handle.retainerPath(query, opts);
  } finally {
    await handle.close();
  }
}

/** Per-class added/removed objects between two snapshots of the same process, by object id. */
export function diffSnapshots(before: string, after: string, opts: AnalysisOptions & { top?: number } = {}): Promise<SnapshotDiff> {
  return runInWorker({ op: 'diff', before, after, top: opts.top }, opts);
}

/**
 * Three-snapshot leak report: objects allocated between `baseline` and `target` (ids in target, not
 * in baseline) and still alive in `final` (taken after a forced GC), grouped by class, by retained
 * size. Noise filter: a group is reported only with at least `minCount` objects (default 20) and
 * `minRetainedBytes` retained (default 64 KiB), and never for V8-internal categories (`(system)`,
 * `(compiled code)`, `(object shape)`, `(array)`), which any activity leaves behind. An idle process
 * therefore reports no group.
 */
export function leakReport(baseline: string, target: string, final: string, opts: LeakReportOptions = {}): Promise<LeakReport> {
  return runInWorker(
    {
      op: 'leaks',
      baseline,
      target,
      final,
      minCount: opts.minCount ?? LEAK_NOISE.minCount,
      minRetainedBytes: opts.minRetainedBytes ?? LEAK_NOISE.minRetainedBytes,
      top: opts.top ?? 10,
    },
    opts,
  );
}

export type FileKind = 'cpuprofile' | 'heapprofile' | 'heapsnapshot';
const EXTENSIONS: Record<string, FileKind> = { '.cpuprofile': 'cpuprofile', '.heapprofile': 'heapprofile', '.heapsnapshot': 'heapsnapshot' };

/**
 * Which analysis fits `file`: by its extension, checked against its first bytes (a heap snapshot
 * renamed `.cpuprofile` is refused with a message saying what it really is).
 */
export async function detectFileKind(file: string): Promise<{ kind: FileKind; size: number }> {
  const byName = EXTENSIONS[path.extname(file).toLowerCase()];
  const { size, kind: content } = await sniffFile(file);
  if (content === 'empty') throw new AnalysisError(`${file}: empty file (0 bytes)`, 'bad-file', file);
  const known = content === 'cpuprofile' || content === 'heapprofile' || content === 'heapsnapshot';
  if (byName && known && content !== byName) {
    throw new AnalysisError(`${file}: the name says ${path.extname(file)} but it is ${KIND_LABEL[content]}; rename it to match`, 'bad-file', file);
  }
  if (byName) return { kind: byName, size };
  if (known) return { kind: content, size };
  throw new AnalysisError(`${file}: is ${KIND_LABEL[content]}, not a .cpuprofile, .heapprofile or .heapsnapshot`, 'bad-file', file);
}
