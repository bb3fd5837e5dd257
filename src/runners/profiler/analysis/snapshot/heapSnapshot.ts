/**
 * A loaded heap snapshot with DevTools' class aggregates and retained sizes, and retainer paths on
 * demand. Lives in the analysis worker; only plain results leave it.
 */
import { badFile } from '../errors';
import type { Progress } from '../progress';
import type { HeapAnalysis, HeapClass, RetainerPath } from '../types';
import { type ClassAggregates, type ClassTable, type InterfaceDefinition, aggregate, classify } from './classes';
import { computeDominators, dominatedNodes } from './dominators';
import { type TypeIndexes, WeakMapEdgeNames, buildRetainers, essentialEdges, markPageOwned, propagateDomState, transferShallowSizes, typeIndexes } from './graph';
import type { ParsedSnapshot } from './model';
import { RetainerPaths } from './paths';
import { readSnapshot } from './read';

/** How far each step usually gets, as a share of the whole analysis. */
const PARSE_SHARE = 0.55;

export class HeapSnapshot {
  private paths: RetainerPaths | undefined;

  private constructor(
    readonly file: string,
    readonly s: ParsedSnapshot,
    readonly types: TypeIndexes,
    readonly classes: ClassTable,
    readonly retained: Float64Array,
    readonly firstDominated: Uint32Array,
    readonly dominated: Uint32Array,
    readonly aggregates: ClassAggregates,
  ) {}

  static async load(file: string, progress?: Progress): Promise<HeapSnapshot> {
    const s = await readSnapshot(file, {}, progress, PARSE_SHARE);
    const step = (f: number, m: string) => progress?.(PARSE_SHARE + (1 - PARSE_SHARE) * f, m, true);
    step(0, 'retainers');
    const t = typeIndexes(s);
    const retainers = buildRetainers(s);
    propagateDomState(s, t);
    step(0.15, 'essential edges');
    const flags = markPageOwned(s, t);
    const essential = essentialEdges(s, t, flags, new WeakMapEdgeNames(s.strings));
    transferShallowSizes(s, t);
    step(0.3, 'dominator tree');
    const { dominator, retained } = computeDominators(s, retainers, essential);
    const { firstDominated, dominated } = dominatedNodes(s.nodeCount, dominator, s.meta.rootOrdinal);
    step(0.7, 'class names');
    const classes = classify(s, t);
    step(0.9, 'class sizes');
    const aggregates = aggregate(s, classes, retained, firstDominated, dominated);
    step(1, 'done');
    return new HeapSnapshot(file, s, t, classes, retained, firstDominated, dominated, aggregates);
  }

  get totalSize(): number {
    return this.retained[this.s.meta.rootOrdinal]! + this.s.meta.extraNativeBytes;
  }

  /** Classes by retained size, largest first. */
  classList(agg: ClassAggregates = this.aggregates, top?: number): HeapClass[] {
    const out: HeapClass[] = [];
    const { keys, names } = this.classes;
    for (let c = 0; c < keys.length; c++) {
      if (!agg.count[c]) continue;
      out.push({ name: names[c]!, key: keys[c]!, count: agg.count[c]!, shallowSize: agg.shallow[c]!, retainedSize: agg.retained[c]! });
    }
    out.sort((a, b) => b.retainedSize - a.retainedSize || b.shallowSize - a.shallowSize || (a.key < b.key ? -1 : 1));
    return top === undefined ? out : out.slice(0, top);
  }

  analysis(top?: number): HeapAnalysis {
    return {
      kind: 'heapsnapshot',
      file: this.file,
      nodeCount: this.s.nodeCount,
      edgeCount: this.s.edgeCount,
      totalSize: this.totalSize,
      classes: this.classList(this.aggregates, top),
    };
  }

  /** Aggregates over the nodes `filter` marks, e.g. the survivors of a leak report. */
  aggregateOver(filter: Uint8Array): ClassAggregates {
    return aggregate(this.s, this.classes, this.retained, this.firstDominated, this.dominated, filter);
  }

  /** Node ordinal by snapshot id (`@123`), or -1. */
  ordinalOfId(id: number): number {
    const ids = this.s.nodeId;
    for (let i = 0; i < ids.length; i++) if (ids[i] === id) return i;
    return -1;
  }

  /** The object of a class (by name or key) with the largest retained size, or -1. */
  largestOfClass(nameOrKey: string, filter?: Uint8Array): number {
    const { keys, names, classOf } = this.classes;
    const wanted = new Uint8Array(keys.length);
    let any = false;
    for (let c = 0; c < keys.length; c++) {
      if (keys[c] === nameOrKey || names[c] === nameOrKey) {
        wanted[c] = 1;
        any = true;
      }
    }
    if (!any) return -1;
    let best = -1;
    for (let node = 0; node < classOf.length; node++) {
      if (!wanted[classOf[node]!] || !this.s.selfSize[node] || (filter && !filter[node])) continue;
      if (best === -1 || this.retained[node]! > this.retained[best]!) best = node;
    }
    return best;
  }

  /** Shortest path from a GC root to a node given by id (a number) or class (a name or key). */
  retainerPath(query: number | string): RetainerPath {
    const node = typeof query === 'number' ? this.ordinalOfId(query) : this.largestOfClass(query);
    if (node === -1) {
      throw badFile(this.file, typeof query === 'number' ? `no object with id @${query} in the snapshot` : `no objects of class "${query}" in the snapshot`);
    }
    return this.pathTo(node);
  }

  pathTo(node: number): RetainerPath {
    this.paths ??= new RetainerPaths(this.s, this.types, this.classes);
    return this.paths.pathTo(node, this.retained[node]!);
  }

  get interfaces(): InterfaceDefinition[] {
    return this.classes.interfaces;
  }
}
