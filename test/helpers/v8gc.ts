/**
 * V8's own GC accounting, independent of PerfLab, for checking PerfLab's GC figures against the
 * same window: the `--trace-gc` lines a target prints (one per collection: its pause, and for a
 * mark-compact the incremental marking steps before it), and the GC trace events V8 records with
 * `--trace-event-categories v8.gc,disabled-by-default-v8.gc` (every GC scope on every thread, on
 * the monotonic clock of CPU profiles).
 */
import { readFileSync } from 'node:fs';

/** Sums of `--trace-gc` lines. */
export interface TraceGcTotals {
  collections: number;
  /** The stop-the-world pause of each collection (the first number after "MB,"). */
  pauseMs: number;
  /** Incremental marking steps before each mark-compact ("+ X ms in N steps since start of marking"). */
  incrementalMs: number;
}

const TRACE_GC = /: (?:Scavenge|Mark-Compact|Minor Mark-Compact|Mark-Compact \(reduce\))\b.*? MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms(?:\s+\(\+ ([\d.]+) ms in \d+ steps)?/;

export function sumTraceGc(lines: readonly string[]): TraceGcTotals {
  const totals: TraceGcTotals = { collections: 0, pauseMs: 0, incrementalMs: 0 };
  for (const line of lines) {
    const m = TRACE_GC.exec(line);
    if (!m) continue;
    totals.collections++;
    totals.pauseMs += Number(m[1]);
    if (m[2]) totals.incrementalMs += Number(m[2]);
  }
  return totals;
}

/** Main-thread GC time from V8's trace events, by top-level scope. */
export interface TraceEventGc {
  /** Every millisecond the main thread spent in a GC scope, counted once. */
  totalMs: number;
  /** Top-level scopes: `V8.GC_SCAVENGER`, `V8.GC_MARK_COMPACTOR`, `V8.GC_MC_INCREMENTAL`, `V8.GC_MC_INCREMENTAL_START`, `V8.GC_MC_SWEEP`, … */
  byScope: Record<string, number>;
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
}

/** Main-thread GC scopes that overlap [fromUs, toUs] (monotonic µs), clipped to it. */
export function traceEventGc(file: string, fromUs: number, toUs: number): TraceEventGc {
  const events = (JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents
    .filter((e) => e.ph === 'X' && e.name.startsWith('V8.GC') && e.dur !== undefined);
  // The main thread is the one that runs the collections themselves.
  const main = events.find((e) => e.name === 'V8.GC_SCAVENGER' || e.name === 'V8.GC_MARK_COMPACTOR')?.tid;
  const spans = events
    .filter((e) => e.tid === main)
    .map((e) => ({ name: e.name, from: Math.max(e.ts, fromUs), to: Math.min(e.ts + e.dur!, toUs) }))
    .filter((s) => s.to > s.from)
    .sort((a, b) => a.from - b.from || b.to - a.to);
  const byScope: Record<string, number> = {};
  let end = -Infinity;
  let top = '';
  let totalUs = 0;
  for (const s of spans) {
    if (s.from >= end) top = s.name;
    const fresh = Math.max(0, s.to - Math.max(s.from, end));
    totalUs += fresh;
    byScope[top] = (byScope[top] ?? 0) + fresh / 1000;
    end = Math.max(end, s.to);
  }
  return { totalMs: totalUs / 1000, byScope };
}
