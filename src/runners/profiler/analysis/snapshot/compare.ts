/**
 * Comparing snapshots by object id: the per-class diff of two snapshots (DevTools' Comparison
 * view), and the three-snapshot leak report (objects allocated between baseline and target that are
 * still alive in final, grouped by class).
 */
import type { Progress } from '../progress';
import type { ClassDiff, LeakGroup, LeakReport, SnapshotDiff } from '../types';
import { type InterfaceDefinition, classify } from './classes';
import { propagateDomState, transferShallowSizes, typeIndexes } from './graph';
import { HeapSnapshot } from './heapSnapshot';
import { readSnapshot } from './read';
import { argsortU32, hasId } from './sortIds';

/** What a diff keeps of a snapshot: sized objects, their ids, sizes and class keys. */
interface DiffSide {
  ids: Uint32Array;
  sizes: Uint32Array;
  classOf: Uint32Array;
  keys: string[];
  names: string[];
  interfaces: InterfaceDefinition[];
}

async function diffSide(file: string, progress: Progress | undefined, from: number, share: number, interfaces?: InterfaceDefinition[]): Promise<DiffSide> {
  const sub = progress && ((f: number, m: string, force?: boolean) => progress(from + f * share, m, force));
  const s = await readSnapshot(file, {}, sub, 0.8);
  const t = typeIndexes(s);
  propagateDomState(s, t);
  transferShallowSizes(s, t);
  sub?.(0.9, 'class names', true);
  const table = classify(s, t, interfaces);
  let n = 0;
  for (let i = 0; i < s.nodeCount; i++) if (s.selfSize[i]) n++;
  const ids = new Uint32Array(n);
  const sizes = new Uint32Array(n);
  const classOf = new Uint32Array(n);
  for (let i = 0, k = 0; i < s.nodeCount; i++) {
    if (!s.selfSize[i]) continue;
    ids[k] = s.nodeId[i]!;
    sizes[k] = s.selfSize[i]!;
    classOf[k++] = table.classOf[i]!;
  }
  // Sorted by id, for the merge walk.
  const order = argsortU32(ids);
  const pick = (a: Uint32Array) => Uint32Array.from(order, (i) => a[i]!);
  return { ids: pick(ids), sizes: pick(sizes), classOf: pick(classOf), keys: table.keys, names: table.names, interfaces: table.interfaces };
}

export async function diffSnapshotFiles(before: string, after: string, progress?: Progress, top?: number): Promise<SnapshotDiff> {
  const a = await diffSide(before, progress, 0, 0.5);
  // Plain objects are named with the first snapshot's property sets in both, as DevTools does.
  const b = await diffSide(after, progress, 0.5, 0.5, a.interfaces);
  const byKey = new Map<string, ClassDiff>();
  const entry = (key: string, name: string) => {
    let d = byKey.get(key);
    if (!d) byKey.set(key, (d = { name, key, addedCount: 0, removedCount: 0, countDelta: 0, addedSize: 0, removedSize: 0, sizeDelta: 0 }));
    return d;
  };
  const removed = (i: number) => {
    const d = entry(a.keys[a.classOf[i]!]!, a.names[a.classOf[i]!]!);
    d.removedCount++;
    d.removedSize += a.sizes[i]!;
  };
  const added = (j: number) => {
    const d = entry(b.keys[b.classOf[j]!]!, b.names[b.classOf[j]!]!);
    d.addedCount++;
    d.addedSize += b.sizes[j]!;
  };
  let i = 0;
  let j = 0;
  while (i < a.ids.length || j < b.ids.length) {
    if (j >= b.ids.length || (i < a.ids.length && a.ids[i]! < b.ids[j]!)) removed(i++);
    else if (i >= a.ids.length || b.ids[j]! < a.ids[i]!) added(j++);
    else {
      // Same object; if it changed class it leaves one and joins the other.
      if (a.keys[a.classOf[i]!] !== b.keys[b.classOf[j]!]) {
        removed(i);
        added(j);
      }
      i++;
      j++;
    }
  }
  const classes = [...byKey.values()]
    .map((d) => ({ ...d, countDelta: d.addedCount - d.removedCount, sizeDelta: d.addedSize - d.removedSize }))
    .filter((d) => d.addedCount || d.removedCount)
    .sort((x, y) => Math.abs(y.sizeDelta) - Math.abs(x.sizeDelta) || Math.abs(y.countDelta) - Math.abs(x.countDelta));
  return { kind: 'heapsnapshot-diff', before, after, classes: top === undefined ? classes : classes.slice(0, top) };
}

/**
 * V8-internal categories: compiled code, maps and internal arrays that any activity creates and
 * keeps (lazy compilation, inline caches). They stay in the survivor totals but never form a group.
 */
const INTERNAL = new Set(['(system)', '(compiled code)', '(object shape)', '(array)', '(hidden)', '(code)']);

export interface LeakOptions {
  minCount: number;
  minRetainedBytes: number;
  top: number;
}

async function sortedIds(file: string, progress: Progress | undefined, from: number, share: number): Promise<Uint32Array> {
  const sub = progress && ((f: number, m: string, force?: boolean) => progress(from + f * share, m, force));
  const s = await readSnapshot(file, { idsOnly: true }, sub);
  return s.nodeId.slice().sort();
}

export async function leakReportFiles(baseline: string, target: string, final: string, opts: LeakOptions, progress?: Progress): Promise<LeakReport> {
  const base = await sortedIds(baseline, progress, 0, 0.15);
  const after = await sortedIds(target, progress, 0.15, 0.15);
  // Allocated between baseline and target: in target, not in baseline.
  const fresh = new Uint32Array(after.length);
  let n = 0;
  for (let i = 0, j = 0; i < after.length; i++) {
    const id = after[i]!;
    while (j < base.length && base[j]! < id) j++;
    if (j >= base.length || base[j] !== id) fresh[n++] = id;
  }
  const allocated = fresh.subarray(0, n);
  const snap = await HeapSnapshot.load(final, progress && ((f, m, force) => progress(0.3 + 0.65 * f, m, force)));
  const survivors = new Uint8Array(snap.s.nodeCount);
  const ids = snap.s.nodeId;
  for (let i = 0; i < ids.length; i++) if (hasId(allocated, ids[i]!)) survivors[i] = 1;
  const agg = snap.aggregateOver(survivors);
  const all = snap.classList(agg);
  let count = 0;
  let shallow = 0;
  for (const c of all) {
    count += c.count;
    shallow += c.shallowSize;
  }
  const above = all.filter((c) => !INTERNAL.has(c.name) && c.count >= opts.minCount && c.retainedSize >= opts.minRetainedBytes);
  progress?.(0.97, 'retainer paths', true);
  const groups: LeakGroup[] = above.map((c, i) => {
    let path: string[] = [];
    let runtimeHops = 0;
    if (i < opts.top) {
      const node = snap.largestOfClass(c.key, survivors);
      if (node !== -1) ({ text: path, runtimeHops } = snap.pathTo(node));
    }
    return { name: c.name, key: c.key, count: c.count, shallowSize: c.shallowSize, retainedSize: c.retainedSize, retainerPath: path, runtimeHops };
  });
  return {
    kind: 'leak-report',
    files: { baseline, target, final },
    groups,
    survivors: { count, shallowSize: shallow },
    noise: { minCount: opts.minCount, minRetainedBytes: opts.minRetainedBytes },
  };
}
