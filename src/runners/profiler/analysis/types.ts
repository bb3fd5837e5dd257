/** Result types of the analyses. Plain data: they cross the worker boundary and print as JSON. */

/** How far an analysis is, for a progress line. */
export interface AnalysisProgress {
  /** 0..1 */
  fraction: number;
  /** The current step, e.g. "parsing", "dominator tree". */
  message: string;
}

/** Options every analysis takes. */
export interface AnalysisOptions {
  /** Called a few times per second while a big file is processed. */
  onProgress?: (progress: AnalysisProgress) => void;
  /** Aborting it stops the worker and rejects with an AnalysisError (reason `cancelled`). */
  signal?: AbortSignal;
}

/** A position in source: 1-based line and column; `url` as the profile names it (file:// URL or path). */
export interface SourcePosition {
  url: string;
  line: number;
  column: number;
}

/** One function of a CPU profile, times in milliseconds. */
export interface CpuFunction extends SourcePosition {
  name: string;
  /** Time with this function on top of the stack. */
  selfMs: number;
  /** Time with this function anywhere on the stack (recursion counted once). */
  totalMs: number;
  /** Where the profile saw it, when a source map moved it to the original source. */
  generated?: SourcePosition;
}

/** Self time of one source line. */
export interface CpuLine {
  url: string;
  line: number;
  selfMs: number;
  /** The function whose code the line is (the one with most self time on it, should several share it). */
  functionName?: string;
}

/**
 * The merged call tree in preorder, as parallel arrays (cheap to transfer and to draw): node 0 is
 * the root, `parent[i] < i`, and node i's function is `frames[frame[i]]`.
 */
export interface FlameTree {
  frames: { name: string[]; url: string[]; line: number[]; column: number[] };
  frame: number[];
  parent: number[];
  selfMs: number[];
  totalMs: number[];
}

/**
 * A V8 pseudo-frame: `idle` (waiting for work), `program` (V8 and native code outside any
 * JavaScript function), `gc` (time in GC on the main thread, incremental marking included),
 * `root` (the call tree's root).
 */
export type V8MetaKind = 'idle' | 'program' | 'gc' | 'root';

/** Time V8 charged to one of its pseudo-frames instead of a function. */
export interface CpuMetaNode {
  kind: V8MetaKind;
  /** The name in the profile: `(idle)`, `(program)`, `(garbage collector)`, `(root)`. */
  name: string;
  selfMs: number;
}

/** What a profile's samples cover; the capture reports the same figures from the same code. */
export interface SamplingStats {
  /** endTime − startTime of the profile. */
  wallMs: number;
  /** Sampled time: the sum of every sample's duration (sample i lasts until sample i+1; the last until endTime). */
  durationMs: number;
  sampleCount: number;
  /** The interval V8 achieved, in µs: durationMs / sampleCount, so that samples × interval = sampled time. */
  intervalUs: number;
  /** The median gap between consecutive samples, in µs (the sampler's usual pace; long gaps pull intervalUs above it). */
  medianGapUs: number;
}

export interface CpuAnalysis extends SamplingStats {
  kind: 'cpuprofile';
  file: string;
  /**
   * The target's functions (V8's pseudo-frames are in `meta`), by selfMs, highest first. With
   * `meta`, their selfMs sum to durationMs (unless cut by `top`).
   */
  functions: CpuFunction[];
  /** Time in V8's pseudo-frames, always all four kinds, in the order idle, program, gc, root. */
  meta: CpuMetaNode[];
  /** Sorted by selfMs, highest first; their selfMs sum to durationMs (unless cut by `top`). */
  lines: CpuLine[];
  /** The whole call tree, pseudo-frames included. */
  tree: FlameTree;
  /** How many functions a source map moved to their original source. */
  sourceMapped: number;
}

export interface CpuProfileOptions extends AnalysisOptions {
  /** Keep only the first N functions and lines. */
  top?: number;
  /** Resolve positions through `//# sourceMappingURL` maps (default true). */
  sourceMaps?: boolean;
}

/** Objects of one class (constructor name; plain objects by their property set, as DevTools names them). */
export interface HeapClass {
  name: string;
  /** The DevTools class key: `,Name`, or `scriptId,line,column,Name` for objects whose constructor has a location. */
  key: string;
  count: number;
  /** Sum of the objects' own sizes, in bytes. */
  shallowSize: number;
  /** Bytes that would be freed if every object of the class went away (dominator tree, as DevTools). */
  retainedSize: number;
}

export interface HeapAnalysis {
  kind: 'heapsnapshot';
  file: string;
  nodeCount: number;
  edgeCount: number;
  /** Retained size of the root plus native bytes outside the graph, as DevTools' "total". */
  totalSize: number;
  /** Sorted by retainedSize, highest first. */
  classes: HeapClass[];
}

export interface HeapSnapshotOptions extends AnalysisOptions {
  /** Keep only the first N classes. */
  top?: number;
}

/** One step of a retainer path, from a GC root towards the object. */
export interface RetainerStep {
  /** Node id in the snapshot (`@id` in DevTools). */
  nodeId: number;
  /** Class of the node, e.g. `Map`, `(GC roots)`. */
  name: string;
  /** The edge that leads to the next step, DevTools notation: `.prop`, `[3]`, `{internal}`, `->ctx`; empty on the last. */
  edge: string;
}

export interface RetainerPath {
  nodeId: number;
  name: string;
  retainedSize: number;
  /** Root first, the object last. Empty when the object is not reachable from a GC root. */
  steps: RetainerStep[];
  /** The path as one line per step, e.g. `(GC roots)`, `global.__perflabFixture`, `Object.orders`, `Array[12]`, `Order`. */
  text: string[];
  /**
   * How many leading steps are Node's or V8's internals (timer lists, module caches, GC roots);
   * the application's part of the path starts after them. 0 when none are.
   */
  runtimeHops: number;
}

/** Per-class difference between two snapshots, by object id (as DevTools' Comparison view). */
export interface ClassDiff {
  name: string;
  key: string;
  addedCount: number;
  removedCount: number;
  countDelta: number;
  addedSize: number;
  removedSize: number;
  sizeDelta: number;
}

export interface SnapshotDiff {
  kind: 'heapsnapshot-diff';
  before: string;
  after: string;
  /** Sorted by |sizeDelta|, largest first; classes with no change are left out. */
  classes: ClassDiff[];
}

/** One group of a leak report: objects of one class allocated during the action and still alive. */
export interface LeakGroup {
  name: string;
  key: string;
  count: number;
  shallowSize: number;
  retainedSize: number;
  /** Shortest path from a GC root to the group's largest object, one step per line, root side first. */
  retainerPath: string[];
  /** How many leading steps of `retainerPath` are Node's or V8's internals (see RetainerPath). */
  runtimeHops: number;
}

export interface LeakReportOptions extends AnalysisOptions {
  /** A group counts as a leak only with at least this many objects (default 20). */
  minCount?: number;
  /** … and at least this many retained bytes (default 64 KiB). */
  minRetainedBytes?: number;
  /** Retainer paths for at most this many groups (default 10). */
  top?: number;
}

export interface LeakReport {
  kind: 'leak-report';
  files: { baseline: string; target: string; final: string };
  /** Groups above the noise floor, by retained size, largest first. */
  groups: LeakGroup[];
  /** Objects allocated between baseline and target and alive in final, before the noise filter. */
  survivors: { count: number; shallowSize: number };
  /** The noise floor that was applied. */
  noise: { minCount: number; minRetainedBytes: number };
}

/** One function of a heap sampling profile, sizes in bytes. */
export interface AllocatingFunction extends SourcePosition {
  name: string;
  /** Bytes allocated by the function itself (sampled; only those still alive at the end if the capture was `live`). */
  selfSize: number;
  /** Bytes allocated by it and everything it called (recursion counted once). */
  totalSize: number;
  generated?: SourcePosition;
}

export interface HeapProfileAnalysis {
  kind: 'heapprofile';
  file: string;
  totalSize: number;
  sampleCount: number;
  /** Sorted by selfSize, highest first. */
  functions: AllocatingFunction[];
}

export interface HeapProfileOptions extends AnalysisOptions {
  top?: number;
  sourceMaps?: boolean;
}
