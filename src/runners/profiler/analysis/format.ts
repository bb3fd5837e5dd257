/**
 * Plain-text tables of analysis results, for the CLI: `perflab analyze` prints a header and the
 * body; `perflab profile` prints its own capture line and the same body.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes, formatCount, formatMs, formatShare, textTable } from '../../../core/format';
import type { CpuAnalysis, HeapAnalysis, HeapProfileAnalysis, SamplingStats } from './types';

/** `file:///repo/src/a.js` → `src/a.js` inside `cwd`, the plain path elsewhere; other urls as they are. */
export function displayPath(url: string, cwd?: string): string {
  let file = url;
  if (url.startsWith('file://')) {
    try {
      file = fileURLToPath(url);
    } catch {
      return url;
    }
  }
  if (cwd && path.isAbsolute(file)) {
    const rel = path.relative(cwd, file);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return file;
}

/** `src/app.ts:41` relative to `cwd` for files inside it; other urls as they are; empty for runtime entries. */
export function location(url: string, line: number, cwd: string): string {
  if (!url) return '';
  const file = displayPath(url, cwd);
  return line > 0 ? `${file}:${line}` : file;
}

/** Numbers right-aligned, the last column (names) left-aligned and never padded. */
const table = (head: string[], rows: string[][]) => textTable(head, rows, { labels: 'last', maxRule: 60 });

const nameAt = (name: string, where: string) => (where ? `${name}  ${where}` : name);

/** `2,095 samples every 1.91 ms (4.00 s sampled; median gap 1.09 ms)`: samples × interval = sampled time. */
export function samplingLine(s: SamplingStats): string {
  if (!s.sampleCount) return `no samples (${formatMs(s.durationMs)} from hit counts)`;
  const gap = s.medianGapUs ? `; median gap ${formatMs(s.medianGapUs / 1000)}` : '';
  return `${formatCount(s.sampleCount)} samples every ${formatMs(s.intervalUs / 1000)} (${formatMs(s.durationMs)} sampled${gap})`;
}

/** `V8: idle 63.0%, program 2.10%, time in GC 1.50% of 4.00 s sampled`; `(root)` only when it has time. */
export function cpuMetaLine(a: CpuAnalysis): string {
  const label = { idle: 'idle', program: 'program', gc: 'time in GC', root: 'root' } as const;
  const parts = a.meta.filter((m) => m.kind !== 'root' || m.selfMs > 0).map((m) => `${label[m.kind]} ${formatShare(m.selfMs, a.durationMs)}`);
  return `V8: ${parts.join(', ')} of ${formatMs(a.durationMs)} sampled`;
}

export function formatCpu(a: CpuAnalysis, top: number, cwd: string): string {
  const head = `CPU profile ${a.file}: ${samplingLine(a)}` + (a.sourceMapped ? `, ${a.sourceMapped} functions source-mapped` : '');
  return `${head}\n${formatCpuBody(a, top, cwd)}`;
}

/** The V8 share line, the top functions (the target's own, no pseudo-frames) and the hot lines. */
export function formatCpuBody(a: CpuAnalysis, top: number, cwd: string): string {
  const d = a.durationMs;
  const fns = table(
    ['self', 'self %', 'total', 'total %', 'function'],
    a.functions.slice(0, top).map((f) => [formatMs(f.selfMs), formatShare(f.selfMs, d), formatMs(f.totalMs), formatShare(f.totalMs, d), nameAt(f.name, location(f.url, f.line, cwd))]),
  );
  const lines = table(
    ['self', 'self %', 'line'],
    a.lines.filter((l) => l.url).slice(0, Math.min(top, 10)).map((l) => [formatMs(l.selfMs), formatShare(l.selfMs, d), location(l.url, l.line, cwd)]),
  );
  return `${cpuMetaLine(a)}\n\nTop functions by self time\n${fns}\n\nHot lines\n${lines}`;
}

export function formatHeap(a: HeapAnalysis, top: number): string {
  const head = `Heap snapshot ${a.file}: ${formatCount(a.nodeCount)} objects, ${formatCount(a.edgeCount)} references, ${formatBytes(a.totalSize)} in total`;
  const rows = a.classes.slice(0, top).map((c) => [formatCount(c.count), formatBytes(c.shallowSize), formatBytes(c.retainedSize), formatShare(c.retainedSize, a.totalSize), c.name]);
  return `${head}\n\nClasses by retained size\n${table(['count', 'shallow', 'retained', 'retained %', 'class'], rows)}`;
}

/** What a heap sampling profile holds, as the capture asked for it. */
export function heapSamplingScope(live: boolean): string {
  return live ? 'live objects only' : 'allocations, including objects already collected';
}

/** The file cannot say whether collected objects were kept; the capture line says so when it knows. */
export function formatHeapProfile(a: HeapProfileAnalysis, top: number, cwd: string): string {
  const head = `Heap sampling profile ${a.file}: ${formatBytes(a.totalSize)} sampled in ${formatCount(a.sampleCount)} samples`;
  return `${head}\n\n${formatHeapProfileBody(a, top, cwd)}`;
}

export function formatHeapProfileBody(a: HeapProfileAnalysis, top: number, cwd: string): string {
  const rows = a.functions.slice(0, top).map((f) => [formatBytes(f.selfSize), formatShare(f.selfSize, a.totalSize), formatBytes(f.totalSize), nameAt(f.name, location(f.url, f.line, cwd))]);
  return `Top allocating functions\n${table(['self', 'self %', 'total', 'function'], rows)}`;
}

/**
 * A retainer path on one line, the application's part first: `… 6 internal hops via
 * Timeout._onTimeout → sweepSessions(){context} → system / Context->sessionCache → …`. The last
 * hidden hop is named, as it says what holds the application's part (here: a timer). `full`
 * shows every step.
 */
export function retainerPathLine(path: readonly string[], runtimeHops: number, full = false): string {
  if (full || runtimeHops <= 0) return path.join(' → ');
  const hidden = `… ${runtimeHops} internal hop${runtimeHops === 1 ? '' : 's'} via ${path[runtimeHops - 1]}`;
  return [hidden, ...path.slice(runtimeHops)].join(' → ');
}
