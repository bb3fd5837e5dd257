/**
 * Plain-text tables of analysis results, for the CLI: `perflab analyze` prints a header and the
 * body; `perflab profile` prints its own capture line and the same body.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CpuAnalysis, HeapAnalysis, HeapProfileAnalysis, SamplingStats, SnapshotDiff } from './types';

/** Bytes as `812 B`, `41.2 KB`, `118.4 MB` (1024-based, as DevTools shows them). */
export function bytes(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1024) return `${n} B`;
  if (abs < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (abs < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function millis(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

const pct = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '-');
const count = (n: number) => n.toLocaleString('en-US');

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
function table(head: string[], rows: string[][]): string {
  const last = head.length - 1;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === last ? c : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), widths.map((w, i) => '-'.repeat(i === last ? Math.min(w, 60) : w)).join('  '), ...rows.map(fmt)].join('\n');
}

const nameAt = (name: string, where: string) => (where ? `${name}  ${where}` : name);

const intervalMs = (us: number) => (us / 1000).toFixed(3);

/** `2,095 samples every 1.910 ms (4002 ms sampled; median gap 1.090 ms)`: samples × interval = sampled time. */
export function samplingLine(s: SamplingStats): string {
  if (!s.sampleCount) return `no samples (${millis(s.durationMs)} ms from hit counts)`;
  const gap = s.medianGapUs ? `; median gap ${intervalMs(s.medianGapUs)} ms` : '';
  return `${count(s.sampleCount)} samples every ${intervalMs(s.intervalUs)} ms (${millis(s.durationMs)} ms sampled${gap})`;
}

/** `V8: idle 63.0 %, program 2.1 %, time in GC 1.5 % of 4002 ms sampled`; `(root)` only when it has time. */
export function cpuMetaLine(a: CpuAnalysis): string {
  const label = { idle: 'idle', program: 'program', gc: 'time in GC', root: 'root' } as const;
  const parts = a.meta.filter((m) => m.kind !== 'root' || m.selfMs > 0).map((m) => `${label[m.kind]} ${pct(m.selfMs, a.durationMs)}`);
  return `V8: ${parts.join(', ')} of ${millis(a.durationMs)} ms sampled`;
}

export function formatCpu(a: CpuAnalysis, top: number, cwd: string): string {
  const head = `CPU profile ${a.file}: ${samplingLine(a)}` + (a.sourceMapped ? `, ${a.sourceMapped} functions source-mapped` : '');
  return `${head}\n${formatCpuBody(a, top, cwd)}`;
}

/** The V8 share line, the top functions (the target's own, no pseudo-frames) and the hot lines. */
export function formatCpuBody(a: CpuAnalysis, top: number, cwd: string): string {
  const d = a.durationMs;
  const fns = table(
    ['self ms', 'self %', 'total ms', 'total %', 'function'],
    a.functions.slice(0, top).map((f) => [millis(f.selfMs), pct(f.selfMs, d), millis(f.totalMs), pct(f.totalMs, d), nameAt(f.name, location(f.url, f.line, cwd))]),
  );
  const lines = table(
    ['self ms', 'self %', 'line'],
    a.lines.filter((l) => l.url).slice(0, Math.min(top, 10)).map((l) => [millis(l.selfMs), pct(l.selfMs, d), location(l.url, l.line, cwd)]),
  );
  return `${cpuMetaLine(a)}\n\nTop functions by self time\n${fns}\n\nHot lines\n${lines}`;
}

export function formatHeap(a: HeapAnalysis, top: number): string {
  const head = `Heap snapshot ${a.file}: ${count(a.nodeCount)} objects, ${count(a.edgeCount)} references, ${bytes(a.totalSize)} in total`;
  const rows = a.classes.slice(0, top).map((c) => [count(c.count), bytes(c.shallowSize), bytes(c.retainedSize), pct(c.retainedSize, a.totalSize), c.name]);
  return `${head}\n\nClasses by retained size\n${table(['count', 'shallow', 'retained', 'retained %', 'class'], rows)}`;
}

/** What a heap sampling profile holds, as the capture asked for it. */
export function heapSamplingScope(live: boolean): string {
  return live ? 'live objects only' : 'allocations, including objects already collected';
}

/** The file cannot say whether collected objects were kept; the capture line says so when it knows. */
export function formatHeapProfile(a: HeapProfileAnalysis, top: number, cwd: string): string {
  const head = `Heap sampling profile ${a.file}: ${bytes(a.totalSize)} sampled in ${count(a.sampleCount)} samples`;
  return `${head}\n\n${formatHeapProfileBody(a, top, cwd)}`;
}

export function formatHeapProfileBody(a: HeapProfileAnalysis, top: number, cwd: string): string {
  const rows = a.functions.slice(0, top).map((f) => [bytes(f.selfSize), pct(f.selfSize, a.totalSize), bytes(f.totalSize), nameAt(f.name, location(f.url, f.line, cwd))]);
  return `Top allocating functions\n${table(['self', 'self %', 'total', 'function'], rows)}`;
}

export function formatDiff(d: SnapshotDiff, top: number): string {
  const rows = d.classes.slice(0, top).map((c) => [`+${count(c.addedCount)}`, `-${count(c.removedCount)}`, bytes(c.sizeDelta), c.name]);
  return `Snapshot diff ${d.before} → ${d.after}\n\n${table(['new', 'deleted', 'size delta', 'class'], rows)}`;
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
