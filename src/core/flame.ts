/**
 * The flame graph's model: a CPU profile's merged call tree (the analysis's `FlameTree`, in
 * preorder) that the host keeps and the flame view asks for slices of, so a large profile never
 * travels to the page whole. A slice is the part of the tree under one node (the view's focus),
 * children left-heavy (largest first), cut at the width of a pixel and to the visible range.
 *
 * Pure: no Node, no DOM. The editor's flame panel and the page exported as HTML answer the page's
 * requests with the same code, and `matchesQuery` highlights what `search` counts.
 */

/** The tree as the analysis gives it (src/runners/profiler/analysis/types.ts, FlameTree). */
export interface FlameTreeData {
  frames: { name: string[]; url: string[]; line: number[]; column: number[] };
  frame: number[];
  parent: number[];
  selfMs: number[];
  totalMs: number[];
}

/** A function of the profile, as a slice names it. */
export interface FlameFrame {
  name: string;
  url: string;
  /** 1-based; 0 when unknown. */
  line: number;
  column: number;
  /** One of V8's pseudo-frames (`(idle)`, `(program)`, `(garbage collector)`, `(root)`). */
  meta: boolean;
}

/** One node of a slice: where it is drawn (ms from the slice's left edge, depth below its root). */
export interface FlameSliceNode {
  id: number;
  /** Index into the slice's `frames`. */
  frame: number;
  depth: number;
  x: number;
  totalMs: number;
  selfMs: number;
  /** In a comparison: how the node's share of self time changed, after − before (a fraction of each profile's time). */
  delta?: number;
}

export interface FlameSliceParams {
  /** The node at the top of the view; 0 is the tree's root. */
  root: number;
  /** Leave V8's pseudo-frames (idle, program, GC) out, as if their time were not sampled. */
  hideMeta: boolean;
  /** Nodes narrower than this are left out (about a pixel at the view's zoom)… */
  minMs?: number;
  /** …or narrower than this share of the root (a pixel of the whole view: 1 / its width). */
  minShare?: number;
  /** The visible range, in ms from the root's left edge; default all of it. */
  fromMs?: number;
  toMs?: number;
}

export interface FlameSlice {
  params: FlameSliceParams;
  /** The root's width and the whole profile's (both without pseudo-frames when hidden). */
  rootMs: number;
  profileMs: number;
  /** From the tree's root down to the slice's root, for the breadcrumb. */
  path: { id: number; name: string }[];
  frames: FlameFrame[];
  /** Preorder, parents first. */
  nodes: FlameSliceNode[];
  /** Nodes left out because the slice reached {@link MAX_SLICE_NODES}. */
  truncated: number;
}

export interface FlameSearch {
  query: string;
  /** Nodes of the tree whose function matches. */
  nodes: number;
  /** Distinct functions that match. */
  functions: number;
  /** Time under matching nodes, each sample once (a match inside a match counts once). */
  totalMs: number;
  profileMs: number;
}

/** What the page is told of a profile when it opens. */
export interface FlameInfo {
  file: string;
  /** Sampled time, pseudo-frames included. */
  durationMs: number;
  nodes: number;
  functions: number;
  /** A comparison of two profiles ({@link diffFlameTrees}): `file` is the second. */
  diff?: { before: string; growers: FlameGrower[] };
}

/** A slice carries at most this many nodes (a frame of 4K pixels shows fewer). */
export const MAX_SLICE_NODES = 20_000;

/** Case-insensitive: a function matches when its name or its file contains the query. */
export function matchesQuery(frame: Pick<FlameFrame, 'name' | 'url'>, query: string): boolean {
  if (!query) return false;
  const q = query.toLowerCase();
  return frame.name.toLowerCase().includes(q) || frame.url.toLowerCase().includes(q);
}

export class FlameModel {
  private readonly children: Int32Array[];
  /** Node widths without the pseudo-frames' subtrees (the root keeps its own name). */
  private readonly visibleMs: Float64Array;
  private readonly metaFrame: Uint8Array;

  constructor(
    private readonly tree: FlameTreeData,
    /** Whether a frame (by name, url and index) is one of V8's pseudo-frames (src/runners/profiler/analysis/cpu/v8Meta.ts). */
    isMeta: (name: string, url: string, frame: number) => boolean,
    /** A comparison's change per node ({@link diffFlameTrees}); slices then carry it. */
    private readonly delta?: ArrayLike<number>,
  ) {
    const n = tree.frame.length;
    const frames = tree.frames.name.length;
    this.metaFrame = new Uint8Array(frames);
    for (let f = 0; f < frames; f++) this.metaFrame[f] = isMeta(tree.frames.name[f]!, tree.frames.url[f]!, f) ? 1 : 0;
    const counts = new Int32Array(n);
    for (let i = 1; i < n; i++) counts[tree.parent[i]!]!++;
    this.children = Array.from({ length: n }, (_, i) => new Int32Array(counts[i]!));
    const fill = new Int32Array(n);
    for (let i = 1; i < n; i++) {
      const p = tree.parent[i]!;
      this.children[p]![fill[p]!++] = i;
    }
    for (const kids of this.children) kids.sort((a, b) => tree.totalMs[b]! - tree.totalMs[a]!);
    // Backwards through the preorder: a node's descendants are summed before it is added to its parent.
    this.visibleMs = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      if (i > 0 && this.metaFrame[tree.frame[i]!]) continue;
      this.visibleMs[i]! += tree.selfMs[i]!;
      if (i > 0) this.visibleMs[tree.parent[i]!]! += this.visibleMs[i]!;
    }
  }

  /** The frames that are pseudo-frames, by index (what a page needs to rebuild the model: see the HTML export). */
  metaFrames(): number[] {
    const out: number[] = [];
    this.metaFrame.forEach((m, f) => m && out.push(f));
    return out;
  }

  get size(): number {
    return this.tree.frame.length;
  }

  info(file: string): FlameInfo {
    return { file, durationMs: this.tree.totalMs[0] ?? 0, nodes: this.size, functions: this.tree.frames.name.length };
  }

  slice(params: FlameSliceParams): FlameSlice {
    const root = Number.isInteger(params.root) && params.root >= 0 && params.root < this.size ? params.root : 0;
    const hidden = (i: number) => params.hideMeta && i > 0 && this.metaFrame[this.tree.frame[i]!] === 1;
    const width = (i: number) => (params.hideMeta ? this.visibleMs[i]! : this.tree.totalMs[i]!);
    const focus = hidden(root) ? 0 : root;
    const rootMs = width(focus);
    const from = params.fromMs ?? 0;
    const to = params.toMs ?? rootMs;
    const minMs = Math.max(0, params.minMs ?? 0, (params.minShare ?? 0) * rootMs);

    const frames: FlameFrame[] = [];
    const local = new Map<number, number>();
    const frameOf = (i: number) => {
      const f = this.tree.frame[i]!;
      let l = local.get(f);
      if (l === undefined) {
        l = frames.push(this.frame(f)) - 1;
        local.set(f, l);
      }
      return l;
    };

    const nodes: FlameSliceNode[] = [];
    let truncated = 0;
    // Depth-first, left to right: [node, depth, x].
    const stack: number[] = [focus, 0, 0];
    while (stack.length) {
      const x = stack.pop()!;
      const depth = stack.pop()!;
      const i = stack.pop()!;
      const w = width(i);
      if (nodes.length >= MAX_SLICE_NODES) {
        truncated++;
        continue;
      }
      nodes.push({ id: i, frame: frameOf(i), depth, x, totalMs: w, selfMs: hidden(i) ? 0 : this.tree.selfMs[i]!, ...(this.delta ? { delta: this.delta[i]! } : {}) });
      // Children from the left edge, largest first; the node's self time is what is left on the right.
      const placed: number[] = [];
      let cx = x;
      for (const c of this.children[i]!) {
        if (hidden(c)) continue;
        const cw = width(c);
        if (cw > 0 && cw >= minMs && cx + cw >= from && cx <= to) placed.push(c, depth + 1, cx);
        cx += cw;
      }
      // Onto the stack right to left, so the left-most child is listed first.
      for (let k = placed.length - 3; k >= 0; k -= 3) stack.push(placed[k]!, placed[k + 1]!, placed[k + 2]!);
    }
    return { params: { ...params, root: focus }, rootMs, profileMs: width(0), path: this.pathTo(focus), frames, nodes, truncated };
  }

  search(query: string, hideMeta: boolean): FlameSearch {
    const profileMs = hideMeta ? this.visibleMs[0]! : this.tree.totalMs[0]!;
    const empty = { query, nodes: 0, functions: 0, totalMs: 0, profileMs };
    if (!query) return empty;
    const frameMatches = new Uint8Array(this.tree.frames.name.length);
    for (let f = 0; f < frameMatches.length; f++) {
      if (!(hideMeta && this.metaFrame[f]) && matchesQuery({ name: this.tree.frames.name[f]!, url: this.tree.frames.url[f]! }, query)) frameMatches[f] = 1;
    }
    const n = this.size;
    // Per node: under a matching ancestor (its time is counted there), or hidden with a pseudo-frame.
    const covered = new Uint8Array(n);
    const hiddenNode = new Uint8Array(n);
    const functions = new Set<number>();
    let nodes = 0;
    let totalMs = 0;
    for (let i = 0; i < n; i++) {
      const p = this.tree.parent[i]!;
      const f = this.tree.frame[i]!;
      hiddenNode[i] = (p >= 0 && hiddenNode[p]) || (hideMeta && i > 0 && this.metaFrame[f]) ? 1 : 0;
      if (hiddenNode[i]) continue;
      const under = p >= 0 && covered[p] === 1;
      if (frameMatches[f]) {
        nodes++;
        functions.add(f);
        if (!under) totalMs += hideMeta ? this.visibleMs[i]! : this.tree.totalMs[i]!;
      }
      covered[i] = under || frameMatches[f] ? 1 : 0;
    }
    return { ...empty, nodes, functions: functions.size, totalMs };
  }

  private frame(f: number): FlameFrame {
    const { name, url, line, column } = this.tree.frames;
    return { name: name[f]!, url: url[f]!, line: line[f]!, column: column[f]!, meta: this.metaFrame[f] === 1 };
  }

  private pathTo(node: number): { id: number; name: string }[] {
    const out: { id: number; name: string }[] = [];
    for (let i = node; i >= 0; i = this.tree.parent[i]!) out.push({ id: i, name: this.tree.frames.name[this.tree.frame[i]!]! });
    return out.reverse();
  }
}

/** A function's share of self time in two profiles, for the table of what grew. */
export interface FlameGrower {
  name: string;
  url: string;
  line: number;
  /** Self time as a fraction of each profile's sampled time. */
  before: number;
  after: number;
}

export interface FlameDiff {
  /** The call tree of the second profile, with the paths only the first has (width 0, not drawn). */
  tree: FlameTreeData;
  /** Per node of `tree`: its share of self time after − before. */
  delta: number[];
  /** Functions by how much their share of self time grew, most first (the last ones shrank). */
  growers: FlameGrower[];
}

/**
 * Two profiles of the same program compared, as a differential flame graph draws them: the shape
 * of the second, each node coloured by how its share of self time changed (a share, so profiles
 * of different lengths compare). Nodes are matched along their path by function (name, file,
 * line, column).
 */
export function diffFlameTrees(before: FlameTreeData, after: FlameTreeData): FlameDiff {
  const frames: FlameTreeData['frames'] = { name: [], url: [], line: [], column: [] };
  const frameIds = new Map<string, number>();
  const frameOf = (t: FlameTreeData, f: number) => {
    const key = `${t.frames.name[f]}\n${t.frames.url[f]}\n${t.frames.line[f]}\n${t.frames.column[f]}`;
    let id = frameIds.get(key);
    if (id === undefined) {
      id = frames.name.push(t.frames.name[f]!) - 1;
      frames.url.push(t.frames.url[f]!);
      frames.line.push(t.frames.line[f]!);
      frames.column.push(t.frames.column[f]!);
      frameIds.set(key, id);
    }
    return id;
  };
  // The merged tree: the root, then each node under the merged node of its parent, by function.
  const frame: number[] = [];
  const parent: number[] = [];
  const selfAfter: number[] = [];
  const selfBefore: number[] = [];
  const child = new Map<string, number>();
  const add = (t: FlameTreeData, i: number, into: number[], mergedOf: Int32Array) => {
    const f = frameOf(t, t.frame[i]!);
    const p = i === 0 ? -1 : mergedOf[t.parent[i]!]!;
    const key = `${p}:${f}`;
    let m = i === 0 && frame.length ? 0 : child.get(key);
    if (m === undefined) {
      m = frame.push(f) - 1;
      parent.push(p);
      selfAfter.push(0);
      selfBefore.push(0);
      child.set(key, m);
    }
    into[m]! += t.selfMs[i]!;
    mergedOf[i] = m;
  };
  const afterOf = new Int32Array(after.frame.length);
  for (let i = 0; i < after.frame.length; i++) add(after, i, selfAfter, afterOf);
  const beforeOf = new Int32Array(before.frame.length);
  for (let i = 0; i < before.frame.length; i++) add(before, i, selfBefore, beforeOf);

  // Back to preorder (a parent before its children, as FlameModel reads it), totals summed up.
  const n = frame.length;
  const kids: number[][] = Array.from({ length: n }, () => []);
  for (let i = 1; i < n; i++) kids[parent[i]!]!.push(i);
  const order: number[] = [];
  const stack = [0];
  while (stack.length) {
    const i = stack.pop()!;
    order.push(i);
    for (let k = kids[i]!.length - 1; k >= 0; k--) stack.push(kids[i]![k]!);
  }
  const index = new Int32Array(n);
  order.forEach((old, i) => (index[old] = i));
  const tree: FlameTreeData = { frames, frame: [], parent: [], selfMs: [], totalMs: [] };
  const totalBefore = before.totalMs[0] || 1;
  const totalAfter = after.totalMs[0] || 1;
  const delta: number[] = [];
  for (const old of order) {
    tree.frame.push(frame[old]!);
    tree.parent.push(old === 0 ? -1 : index[parent[old]!]!);
    tree.selfMs.push(selfAfter[old]!);
    tree.totalMs.push(selfAfter[old]!);
    delta.push(selfAfter[old]! / totalAfter - selfBefore[old]! / totalBefore);
  }
  for (let i = n - 1; i > 0; i--) tree.totalMs[tree.parent[i]!]! += tree.totalMs[i]!;

  const byFunction = new Map<number, FlameGrower>();
  for (let m = 0; m < n; m++) {
    const f = frame[m]!;
    let g = byFunction.get(f);
    if (!g) byFunction.set(f, (g = { name: frames.name[f]!, url: frames.url[f]!, line: frames.line[f]!, before: 0, after: 0 }));
    g.before += selfBefore[m]! / totalBefore;
    g.after += selfAfter[m]! / totalAfter;
  }
  const growers = [...byFunction.values()].filter((g) => g.before || g.after).sort((a, b) => b.after - b.before - (a.after - a.before));
  return { tree, delta, growers };
}

/** The functions whose share grew most and those whose share shrank most: what the page's table lists. */
export function topChanges(growers: FlameGrower[], each = 15): FlameGrower[] {
  return growers.length <= 2 * each ? growers : [...growers.slice(0, each), ...growers.slice(-each)];
}
