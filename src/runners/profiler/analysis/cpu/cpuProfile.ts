/**
 * CPU profile analysis: sample durations (./samples), a call tree merged by function along each
 * path, self and total time per function and self time per source line, with positions moved to
 * the original source where a source map says so. V8's pseudo-frames (`(idle)`, `(garbage
 * collector)`…) are totalled apart from the functions.
 */
import { badFile } from '../errors';
import type { SourceMapper } from '../sourceMaps';
import type { CpuAnalysis, CpuFunction, CpuLine, CpuMetaNode, FlameTree, SamplingStats } from '../types';
import { IdIndex } from './idIndex';
import { readSamples, samplingStats } from './samples';
import { V8_META_NAMES, v8MetaKind } from './v8Meta';
import type { RawCpuProfile } from './validate';

interface Frame {
  name: string;
  url: string;
  line: number;
  column: number;
  generated?: { url: string; line: number; column: number };
}

export function analyzeCpu(file: string, p: RawCpuProfile, mapper?: SourceMapper, top?: number): CpuAnalysis {
  const index = new IdIndex(p.nodes.map((n) => n.id));
  const { frames, frameOf, sourceMapped } = resolveFrames(p, mapper);
  const { self, sampling } = selfTimes(p, index);
  const tree = mergedTree(file, p, index, frameOf, frames.length, self);
  const { functions, meta } = functionTimes(tree, frames);
  const lines = lineTable(p, self, frames, frameOf, mapper);
  for (let i = 0; i < tree.selfMs.length; i++) {
    tree.selfMs[i]! /= 1000;
    tree.totalMs[i]! /= 1000;
  }
  return {
    kind: 'cpuprofile',
    file,
    ...sampling,
    functions: top === undefined ? functions : functions.slice(0, top),
    meta,
    lines: top === undefined ? lines : lines.slice(0, top),
    tree: {
      frames: { name: frames.map((f) => f.name), url: frames.map((f) => f.url), line: frames.map((f) => f.line), column: frames.map((f) => f.column) },
      frame: tree.frame,
      parent: tree.parent,
      selfMs: tree.selfMs,
      totalMs: tree.totalMs,
    },
    sourceMapped,
  };
}

/**
 * Functions, after source maps, each once; `frameOf[i]` is node i's. Many nodes share a call
 * frame: each raw frame is looked up by url, name and position without building string keys, and
 * mapped through source maps once.
 */
function resolveFrames(p: RawCpuProfile, mapper: SourceMapper | undefined): { frames: Frame[]; frameOf: Int32Array; sourceMapped: number } {
  const count = p.nodes.length;
  const frames: Frame[] = [];
  const frameKey = new Map<string, number>();
  const rawFrames = new Map<string, Map<string, Map<number | string, number>>>();
  const frameOf = new Int32Array(count);
  let sourceMapped = 0;
  for (let i = 0; i < count; i++) {
    const cf = p.nodes[i]!.callFrame;
    let byName = rawFrames.get(cf.url);
    if (!byName) rawFrames.set(cf.url, (byName = new Map()));
    let byPosition = byName.get(cf.functionName);
    if (!byPosition) byName.set(cf.functionName, (byPosition = new Map()));
    const position = cf.lineNumber < 1 << 21 ? cf.lineNumber * 2 ** 31 + cf.columnNumber : `${cf.lineNumber}:${cf.columnNumber}`;
    let f = byPosition.get(position);
    if (f === undefined) {
      const line = cf.lineNumber + 1;
      const column = cf.columnNumber + 1;
      let frame: Frame = { name: cf.functionName || '(anonymous)', url: cf.url, line, column };
      const mapped = cf.url && mapper ? mapper.map(cf.url, line, column) : undefined;
      if (mapped) frame = { name: cf.functionName || mapped.name || '(anonymous)', url: mapped.url, line: mapped.line, column: mapped.column, generated: { url: cf.url, line, column } };
      const key = `${frame.name}\n${frame.url}\n${frame.line}\n${frame.column}`;
      f = frameKey.get(key);
      if (f === undefined) {
        f = frames.push(frame) - 1;
        frameKey.set(key, f);
        if (mapped) sourceMapped++;
      }
      byPosition.set(position, f);
    }
    frameOf[i] = f;
  }
  return { frames, frameOf, sourceMapped };
}

/** Self time per profile node (µs), and what the sampling covered. */
function selfTimes(p: RawCpuProfile, index: IdIndex): { self: Float64Array; sampling: SamplingStats } {
  const self = new Float64Array(p.nodes.length);
  const timeline = readSamples(p);
  const sampling = samplingStats(p, timeline);
  if (timeline.nodes.length) {
    for (let i = 0; i < timeline.nodes.length; i++) self[index.get(timeline.nodes[i]!)]! += timeline.durations[i]!;
  } else {
    // Old profiles without samples: spread the profile's span over hit counts.
    const hits = p.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
    const per = hits ? (p.endTime - p.startTime) / hits : 0;
    p.nodes.forEach((n, i) => (self[i] = (n.hitCount ?? 0) * per));
    sampling.durationMs = hits ? sampling.wallMs : 0;
  }
  return { self, sampling };
}

/** The one node nobody lists as a child; a file whose nodes do not form one tree is refused. */
function rootOf(file: string, p: RawCpuProfile, index: IdIndex): number {
  const isChild = new Uint8Array(p.nodes.length);
  for (const node of p.nodes) {
    for (const c of node.children ?? []) {
      const ci = index.get(c);
      if (ci === -1) throw badFile(file, `node ${node.id} lists child ${c}, which is not in "nodes"`);
      if (isChild[ci]) throw badFile(file, `node ${c} has two parents; the call tree is not a tree`);
      isChild[ci] = 1;
    }
  }
  const roots: number[] = [];
  isChild.forEach((v, i) => v || roots.push(i));
  if (roots.length !== 1) throw badFile(file, roots.length ? `has ${roots.length} root nodes; a call tree has one` : 'has no root node (every node is a child: a cycle)');
  return roots[0]!;
}

/** The call tree with nodes of the same function under the same merged parent merged, in preorder (µs). */
function mergedTree(file: string, p: RawCpuProfile, index: IdIndex, frameOf: Int32Array, frameCount: number, self: Float64Array): Omit<FlameTree, 'frames'> {
  const root = rootOf(file, p, index);
  const mFrame: number[] = [frameOf[root]!];
  const mParent: number[] = [-1];
  const mSelf: number[] = [self[root]!];
  const mergedOf = new Map<number, number>();
  const stack: number[] = [root, 0];
  let visited = 1;
  while (stack.length) {
    const m = stack.pop()!;
    const i = stack.pop()!;
    for (const c of p.nodes[i]!.children ?? []) {
      const ci = index.get(c);
      const key = m * frameCount + frameOf[ci]!;
      let cm = mergedOf.get(key);
      if (cm === undefined) {
        cm = mFrame.push(frameOf[ci]!) - 1;
        mParent.push(m);
        mSelf.push(0);
        mergedOf.set(key, cm);
      }
      mSelf[cm]! += self[ci]!;
      stack.push(ci, cm);
      visited++;
    }
  }
  const count = p.nodes.length;
  if (visited !== count) throw badFile(file, `${count - visited} nodes are not reachable from the root "${p.nodes[root]!.callFrame.functionName}"`);
  return toPreorder(mFrame, mParent, mSelf);
}

/** Per function: self, and total counted once per stack even under recursion (ms); V8's meta nodes apart. */
function functionTimes(tree: Omit<FlameTree, 'frames'>, frames: readonly Frame[]): { functions: CpuFunction[]; meta: CpuMetaNode[] } {
  const frameCount = frames.length;
  const fSelf = new Float64Array(frameCount);
  const fTotal = new Float64Array(frameCount);
  const onStack = new Uint32Array(frameCount);
  const path: number[] = [];
  for (let i = 0; i < tree.frame.length; i++) {
    while (path.length && path[path.length - 1] !== tree.parent[i]) onStack[tree.frame[path.pop()!]!]!--;
    const f = tree.frame[i]!;
    fSelf[f]! += tree.selfMs[i]!;
    if (!onStack[f]) fTotal[f]! += tree.totalMs[i]!;
    onStack[f]!++;
    path.push(i);
  }
  const functions: CpuFunction[] = [];
  const meta: CpuMetaNode[] = (['idle', 'program', 'gc', 'root'] as const).map((kind) => ({ kind, name: V8_META_NAMES[kind], selfMs: 0 }));
  frames.forEach((fr, f) => {
    const kind = v8MetaKind(fr.name, fr.url);
    if (kind) {
      meta.find((m) => m.kind === kind)!.selfMs += fSelf[f]! / 1000;
      return;
    }
    if (!fSelf[f] && !fTotal[f]) return;
    const fn: CpuFunction = { name: fr.name, url: fr.url, line: fr.line, column: fr.column, selfMs: fSelf[f]! / 1000, totalMs: fTotal[f]! / 1000 };
    if (fr.generated) fn.generated = fr.generated;
    functions.push(fn);
  });
  functions.sort((a, b) => b.selfMs - a.selfMs || b.totalMs - a.totalMs);
  return { functions, meta };
}

/** Reorders the merged tree to preorder (parents first) and sums totals bottom-up. Times stay in µs. */
function toPreorder(frame: number[], parent: number[], self: number[]): Omit<FlameTree, 'frames'> {
  const n = frame.length;
  const first = new Int32Array(n + 1);
  for (let i = 1; i < n; i++) first[parent[i]! + 1]!++;
  for (let i = 1; i <= n; i++) first[i]! += first[i - 1]!;
  const fill = first.slice(0, n);
  const kids = new Int32Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) kids[fill[parent[i]!]!++] = i;
  const order: number[] = [];
  const newIndex = new Int32Array(n);
  const stack = [0];
  while (stack.length) {
    const i = stack.pop()!;
    newIndex[i] = order.push(i) - 1;
    for (let k = first[i + 1]! - 1; k >= first[i]!; k--) stack.push(kids[k]!);
  }
  const out = { frame: new Array<number>(n), parent: new Array<number>(n), selfMs: new Array<number>(n), totalMs: new Array<number>(n) };
  order.forEach((old, i) => {
    out.frame[i] = frame[old]!;
    out.parent[i] = old === 0 ? -1 : newIndex[parent[old]!]!;
    out.selfMs[i] = self[old]!;
    out.totalMs[i] = self[old]!;
  });
  for (let i = n - 1; i > 0; i--) out.totalMs[out.parent[i]!]! += out.totalMs[i]!;
  return out;
}

/** Self time per source line: positionTicks where V8 recorded them, else the function's line. */
function lineTable(p: RawCpuProfile, self: Float64Array, frames: Frame[], frameOf: Int32Array, mapper?: SourceMapper): CpuLine[] {
  const byLine = new Map<string, CpuLine>();
  // Self time per function on each line, to name the line by the function that spent most there.
  const byFunction = new Map<CpuLine, Map<string, number>>();
  const add = (url: string, line: number, us: number, fn: string) => {
    const key = `${url}\n${line}`;
    let entry = byLine.get(key);
    if (entry) entry.selfMs += us / 1000;
    else byLine.set(key, (entry = { url, line, selfMs: us / 1000, functionName: fn }));
    if (entry.functionName === fn && !byFunction.has(entry)) return;
    let fns = byFunction.get(entry);
    if (!fns) byFunction.set(entry, (fns = new Map([[entry.functionName!, entry.selfMs * 1000 - us]])));
    fns.set(fn, (fns.get(fn) ?? 0) + us);
  };
  p.nodes.forEach((node, i) => {
    const us = self[i]!;
    if (!us) return;
    const frame = frames[frameOf[i]!]!;
    const ticks = node.positionTicks ?? [];
    const total = ticks.reduce((sum, t) => sum + t.ticks, 0);
    if (!total) return add(frame.url, frame.line, us, frame.name);
    for (const t of ticks) {
      if (!t.ticks) continue;
      const mapped = frame.generated && mapper ? mapper.mapLine(node.callFrame.url, t.line) : undefined;
      add(mapped?.url ?? (frame.generated ? node.callFrame.url : frame.url), mapped?.line ?? t.line, (us * t.ticks) / total, frame.name);
    }
  });
  for (const [entry, fns] of byFunction) entry.functionName = [...fns.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  return [...byLine.values()].sort((a, b) => b.selfMs - a.selfMs);
}
