/**
 * Messages between the extension host and the webviews. Both sides import this file; it imports
 * neither `vscode` nor the DOM. The webview sends `ready` once its script runs; the host sends
 * data only after that, never by pasting it into the HTML.
 *
 * Besides these one-way messages a page asks the host for what it shows ({@link Requests}): a
 * `request` with an id, answered by one `reply` with the same id, carrying the result or an error
 * the page shows ("could not open src/x.ts: not found"). Large models (a profile's call tree) stay
 * in the host; the page asks for the slice it draws.
 */
import type { RunSetSummary, Verdict } from './core/compare/compare';
import type { ComparisonCells, GrowerRow } from './core/report/comparison';
import type { FlameInfo, FlameSearch, FlameSlice, FlameSliceParams } from './core/flame';
import type { KindDescription } from './core/kindDescription';
import type { ProcessPoint, ProcessSeries } from './core/report/processSeries';
import type { StackSeries } from './core/report/stackSeries';
import type { RunRecord, TimelinePoint } from './core/runRecord';

/** What a page may ask: method → [params, result]. */
export interface Requests {
  /** The part of the call tree under a node, cut to what the view shows (core/flame.ts). */
  'flame.slice': [FlameSliceParams, FlameSlice];
  /** How many nodes and functions match a search, and their time. */
  'flame.search': [{ query: string; hideMeta: boolean }, FlameSearch];
  /** Open a function's source at its line (through source maps, as the profile gave it). */
  openSource: [{ url: string; line: number; column: number }, null];
  /** The sampled process's timeline of the shown run (its `timeline` artifact), as chart series. */
  'run.processTimeline': [{ file: string }, ProcessSeries];
  /** The stack's memory, clients and queue counts over the shown run (its `stack` artifact), as chart series. */
  'run.stackSeries': [{ file: string }, StackSeries];
}
export type RequestMethod = keyof Requests;
export type RequestParams<M extends RequestMethod> = Requests[M][0];
export type RequestResult<M extends RequestMethod> = Requests[M][1];
const REQUEST_METHODS: { [M in RequestMethod]: true } = { 'flame.slice': true, 'flame.search': true, openSource: true, 'run.processTimeline': true, 'run.stackSeries': true };

/**
 * One metric of a comparison as the pages show it: every text formatted by the host with
 * core/report/comparison.ts (the one place that decides how a comparison reads), so the pages
 * need neither the statistics nor the metric catalog.
 */
export interface ComparisonRowView extends ComparisonCells {
  kind: Verdict;
}

/** A comparison with a baseline (`run.json`'s `comparison`, or one computed by Compare Runs…), ready to show. */
export interface ComparisonView {
  pass: boolean;
  regressions: number;
  /** `no regression, 4 metrics without a change beyond its rule`. */
  verdict: string;
  /** `baseline <id>, compared with <id>`. */
  sides: string;
  /** How the intervals were found, one sentence. */
  basis: string;
  warnings: string[];
  /** Regressions first, then improvements, then the rest. */
  rows: ComparisonRowView[];
  baseline: RunSetSummary;
  current: RunSetSummary;
  /** When both sides' last runs have a CPU profile: the functions whose share of self time grew most, most first. */
  growers?: GrowerRow[];
  /** Both sides' last runs have a CPU profile: the page offers their differential flame graph (`openFlameDiff`). */
  flameDiff?: boolean;
}

/** Host → webview. */
export type ToWebview =
  /**
   * The run to show; sent in reply to `ready` and again when the record changes on disk. With
   * `comparison` when the record holds one (compared with a baseline).
   */
  | { type: 'run'; record: RunRecord; runDir: string; kind: KindDescription; comparison?: ComparisonView }
  /** What the comparison page shows (Compare Runs…): two runs, or repeated sets, of one profile. */
  | { type: 'comparison'; profile: string; kindLabel: string; comparison: ComparisonView }
  /** The CPU profile the flame view shows (its tree stays in the host: `flame.slice`). */
  | { type: 'flame'; info: FlameInfo }
  /**
   * The live monitor: what it watches (a process, a run, or a run and the process it samples),
   * then new points as they arrive (batched every 250 ms), then that it ended and why.
   */
  | { type: 'monitor.start'; title: string; process?: string; run?: { profile: string; rateUnit: string } }
  | { type: 'monitor.points'; process?: ProcessPoint[]; run?: TimelinePoint[] }
  | { type: 'monitor.end'; message: string }
  /** The answer to one `request`. */
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }
  /** The run could not be read; the page shows the message instead of stale data. */
  | { type: 'error'; message: string };

/** Webview → host. */
export type FromWebview =
  | { type: 'ready' }
  /** One question to the host; answered by a `reply` with the same id. */
  | { type: 'request'; id: number; method: RequestMethod; params: unknown }
  /** Open a file of the run (an artifact or run.json) in the editor. */
  | { type: 'openFile'; file: string }
  /** Open the run page of a run of the store (the baseline of a comparison). */
  | { type: 'openRun'; id: string }
  /** Open the differential flame graph of the compared runs' CPU profiles (the comparison page). */
  | { type: 'openFlameDiff' }
  /** Stop what the live monitor watches: the monitor of a process, or the run it follows. */
  | { type: 'monitor.stop' }
  /** Something in the page went wrong; the host logs it to the PerfLab output channel. */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export function isFromWebview(value: unknown): value is FromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; file?: unknown; level?: unknown; message?: unknown; id?: unknown; method?: unknown };
  switch (m.type) {
    case 'ready':
      return true;
    case 'request':
      return Number.isSafeInteger(m.id) && typeof m.method === 'string' && Object.hasOwn(REQUEST_METHODS, m.method);
    case 'openFile':
      return typeof m.file === 'string';
    case 'openRun':
      return typeof m.id === 'string';
    case 'openFlameDiff':
    case 'monitor.stop':
      return true;
    case 'log':
      return typeof m.message === 'string' && (m.level === 'info' || m.level === 'warn' || m.level === 'error');
    default:
      return false;
  }
}

export function isToWebview(value: unknown): value is ToWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; record?: unknown; message?: unknown; id?: unknown; ok?: unknown; info?: unknown; comparison?: unknown };
  if (m.type === 'run') return typeof m.record === 'object' && m.record !== null;
  if (m.type === 'comparison') return typeof m.comparison === 'object' && m.comparison !== null;
  if (m.type === 'flame') return typeof m.info === 'object' && m.info !== null;
  if (m.type === 'reply') return Number.isSafeInteger(m.id) && typeof m.ok === 'boolean';
  if (m.type === 'error') return typeof m.message === 'string';
  if (m.type === 'monitor.start') return typeof (m as { title?: unknown }).title === 'string';
  if (m.type === 'monitor.points') return true;
  if (m.type === 'monitor.end') return typeof m.message === 'string';
  return false;
}
