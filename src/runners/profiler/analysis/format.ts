/** Plain-text tables of analysis results, for the CLI. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CpuAnalysis, HeapAnalysis, HeapProfileAnalysis, LeakReport, SnapshotDiff } from './types';

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

/** `src/app.ts:41` relative to `cwd` for files inside it; other urls as they are; empty for runtime entries. */
export function location(url: string, line: number, cwd: string): string {
  if (!url) return '';
  let file = url;
  if (url.startsWith('file://')) {
    try {
      file = fileURLToPath(url);
    } catch {
      file = url;
    }
  }
  if (path.isAbsolute(file)) {
    const rel = path.relative(cwd, file);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) file = rel;
  }
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

export function formatCpu(a: CpuAnalysis, top: number, cwd: string): string {
  const d = a.durationMs;
  const head = `CPU profile ${a.file}: ${millis(d)} ms sampled, ${count(a.sampleCount)} samples every ${(a.intervalUs / 1000).toFixed(2)} ms` +
    (a.sourceMapped ? `, ${a.sourceMapped} functions source-mapped` : '');
  const fns = table(
    ['self ms', 'self %', 'total ms', 'total %', 'function'],
    a.functions.slice(0, top).map((f) => [millis(f.selfMs), pct(f.selfMs, d), millis(f.totalMs), pct(f.totalMs, d), nameAt(f.name, location(f.url, f.line, cwd))]),
  );
  const lines = table(
    ['self ms', 'self %', 'line'],
    a.lines.filter((l) => l.url).slice(0, Math.min(top, 10)).map((l) => [millis(l.selfMs), pct(l.selfMs, d), location(l.url, l.line, cwd)]),
  );
  return `${head}\n\nTop functions by self time\n${fns}\n\nHot lines\n${lines}`;
}

export function formatHeap(a: HeapAnalysis, top: number): string {
  const head = `Heap snapshot ${a.file}: ${count(a.nodeCount)} objects, ${count(a.edgeCount)} references, ${bytes(a.totalSize)} in total`;
  const rows = a.classes.slice(0, top).map((c) => [count(c.count), bytes(c.shallowSize), bytes(c.retainedSize), pct(c.retainedSize, a.totalSize), c.name]);
  return `${head}\n\nClasses by retained size\n${table(['count', 'shallow', 'retained', 'retained %', 'class'], rows)}`;
}

export function formatHeapProfile(a: HeapProfileAnalysis, top: number, cwd: string): string {
  const head = `Heap sampling profile ${a.file}: ${bytes(a.totalSize)} sampled in ${count(a.sampleCount)} samples`;
  const rows = a.functions.slice(0, top).map((f) => [bytes(f.selfSize), pct(f.selfSize, a.totalSize), bytes(f.totalSize), nameAt(f.name, location(f.url, f.line, cwd))]);
  return `${head}\n\nTop allocating functions\n${table(['self', 'self %', 'total', 'function'], rows)}`;
}

export function formatDiff(d: SnapshotDiff, top: number): string {
  const rows = d.classes.slice(0, top).map((c) => [`+${count(c.addedCount)}`, `-${count(c.removedCount)}`, bytes(c.sizeDelta), c.name]);
  return `Snapshot diff ${d.before} → ${d.after}\n\n${table(['new', 'deleted', 'size delta', 'class'], rows)}`;
}

export function formatLeaks(r: LeakReport): string {
  const head = `Leak report: ${count(r.survivors.count)} objects (${bytes(r.survivors.shallowSize)}) allocated between baseline and target are still alive`;
  if (!r.groups.length) return `${head}\nNo group above the noise floor (${r.noise.minCount} objects and ${bytes(r.noise.minRetainedBytes)} retained).`;
  return [
    head,
    '',
    table(['count', 'shallow', 'retained', 'class'], r.groups.map((g) => [count(g.count), bytes(g.shallowSize), bytes(g.retainedSize), g.name])),
    ...r.groups.filter((g) => g.retainerPath.length).map((g) => `\n${g.name} is retained by:\n  ${g.retainerPath.join('\n  ')}`),
  ].join('\n');
}
