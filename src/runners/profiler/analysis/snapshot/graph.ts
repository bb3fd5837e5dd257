/**
 * The graph steps DevTools runs before its dominator tree (front_end/entrypoints/
 * heap_snapshot_worker/HeapSnapshot.ts), over typed arrays: retainers, page-owned flags, which
 * edges may retain ("essential" edges) and the shallow sizes of internal arrays moved to their
 * owners. Following it step by step is what makes retained sizes equal to what DevTools shows.
 */
import type { ParsedSnapshot } from './model';

/** Indexes of the node and edge types this code needs (-1 when a file lacks one). */
export interface TypeIndexes {
  hidden: number;
  array: number;
  object: number;
  native: number;
  code: number;
  closure: number;
  regexp: number;
  synthetic: number;
  element: number;
  property: number;
  internal: number;
  edgeHidden: number;
  shortcut: number;
  weak: number;
  context: number;
  invisible: number;
}

export function typeIndexes(s: ParsedSnapshot): TypeIndexes {
  const n = (t: string) => s.meta.nodeTypes.indexOf(t);
  const e = (t: string) => s.meta.edgeTypes.indexOf(t);
  return {
    hidden: n('hidden'),
    array: n('array'),
    object: n('object'),
    native: n('native'),
    code: n('code'),
    closure: n('closure'),
    regexp: n('regexp'),
    synthetic: n('synthetic'),
    element: e('element'),
    property: e('property'),
    internal: e('internal'),
    edgeHidden: e('hidden'),
    shortcut: e('shortcut'),
    weak: e('weak'),
    context: e('context'),
    invisible: e('invisible'),
  };
}

/** For each node, the edges pointing at it: `retainerEdge[firstRetainer[i] .. firstRetainer[i+1]-1]`. */
export interface Retainers {
  firstRetainer: Uint32Array;
  /** Source node ordinal of each retaining edge. */
  retainerNode: Uint32Array;
  /** Edge ordinal of each retaining edge. */
  retainerEdge: Uint32Array;
}

export function buildRetainers(s: ParsedSnapshot): Retainers {
  const { nodeCount, edgeCount, edgeTo, firstEdge } = s;
  const firstRetainer = new Uint32Array(nodeCount + 1);
  const retainerNode = new Uint32Array(edgeCount);
  const retainerEdge = new Uint32Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) firstRetainer[edgeTo[e]! + 1]!++;
  for (let i = 1; i <= nodeCount; i++) firstRetainer[i]! += firstRetainer[i - 1]!;
  // Fill each node's slots from its end down, as DevTools does, so retainers come out in the same order.
  const fill = firstRetainer.slice(1);
  for (let from = 0; from < nodeCount; from++) {
    const end = firstEdge[from + 1]!;
    for (let e = firstEdge[from]!; e < end; e++) {
      const slot = --fill[edgeTo[e]!]!;
      retainerNode[slot] = from;
      retainerEdge[slot] = e;
    }
  }
  return { firstRetainer, retainerNode, retainerEdge };
}

const PAGE_OBJECT = 4;

function isDocumentDomTreesRoot(s: ParsedSnapshot, t: TypeIndexes, node: number): boolean {
  return s.nodeType[node] === t.synthetic && s.strings[s.nodeName[node]!] === '(Document DOM trees)';
}

/** Nodes reachable from the root's user entries (global objects, DOM trees) without weak edges. */
export function markPageOwned(s: ParsedSnapshot, t: TypeIndexes): Uint8Array {
  const { nodeCount, firstEdge, edgeTo, edgeType } = s;
  const flags = new Uint8Array(nodeCount);
  const stack = new Uint32Array(nodeCount);
  let sp = 0;
  const root = s.meta.rootOrdinal;
  for (let e = firstEdge[root]!; e < firstEdge[root + 1]!; e++) {
    const type = edgeType[e];
    const node = edgeTo[e]!;
    if (type === t.element) {
      if (!isDocumentDomTreesRoot(s, t, node)) continue;
    } else if (type !== t.shortcut) continue;
    stack[sp++] = node;
    flags[node]! |= PAGE_OBJECT;
  }
  while (sp) {
    const node = stack[--sp]!;
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      const child = edgeTo[e]!;
      if (flags[child]! & PAGE_OBJECT || edgeType[e] === t.weak) continue;
      stack[sp++] = child;
      flags[child]! |= PAGE_OBJECT;
    }
  }
  return flags;
}

const WEAK_MAP_EDGE = /^\d+(?<duplicatedPart> \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(?<tableId>\d+)\))$/;

/** Parses DevTools' WeakMap ephemeron edge names, caching per string. */
export class WeakMapEdgeNames {
  private readonly cache = new Map<number, { tableId: number; duplicatedPart: string } | null>();
  constructor(private readonly strings: string[]) {}

  match(nameIndex: number): { tableId: number; duplicatedPart: string } | null {
    let m = this.cache.get(nameIndex);
    if (m === undefined) {
      const groups = WEAK_MAP_EDGE.exec(this.strings[nameIndex]!)?.groups;
      m = groups ? { tableId: parseInt(groups.tableId!, 10), duplicatedPart: groups.duplicatedPart! } : null;
      this.cache.set(nameIndex, m);
    }
    return m;
  }
}

/** One bit per edge: may this edge retain its target (DevTools' computeIsEssentialEdge)? */
export function essentialEdges(s: ParsedSnapshot, t: TypeIndexes, flags: Uint8Array, weakMaps: WeakMapEdgeNames): Uint8Array {
  const { nodeCount, firstEdge, edgeTo, edgeType, edgeName, nodeId } = s;
  const bits = new Uint8Array((s.edgeCount >>> 3) + 1);
  const root = s.meta.rootOrdinal;
  for (let node = 0; node < nodeCount; node++) {
    const nodeFlag = flags[node]! & PAGE_OBJECT;
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      const type = edgeType[e];
      // A WeakMap value is retained by its key and its table together; DevTools keeps the key's edge.
      if (type === t.internal) {
        const m = weakMaps.match(edgeName[e]!);
        if (m && nodeId[node] === m.tableId) continue;
      }
      if (type === t.weak) continue;
      const child = edgeTo[e]!;
      if (child === node) continue;
      if (node !== root) {
        // Shortcuts off the root mark user globals; elsewhere they duplicate real edges.
        if (type === t.shortcut) continue;
        // Edges from objects outside the page (the debugger's) into the page do not retain it.
        if (flags[child]! & PAGE_OBJECT && !nodeFlag) continue;
      }
      bits[e >>> 3]! |= 1 << (e & 7);
    }
  }
  return bits;
}

/**
 * DevTools shows the size of internal arrays and hidden objects that belong to exactly one object
 * as part of that object's shallow size. Changes `s.selfSize` in place.
 */
export function transferShallowSizes(s: ParsedSnapshot, t: TypeIndexes): void {
  const { nodeCount, firstEdge, edgeTo, edgeType, nodeType, selfSize } = s;
  const root = s.meta.rootOrdinal;
  let hasUserRoots = false;
  for (let e = firstEdge[root]!; e < firstEdge[root + 1]! && !hasUserRoots; e++) {
    const node = edgeTo[e]!;
    hasUserRoots = nodeType[node] !== t.synthetic || isDocumentDomTreesRoot(s, t, node);
  }
  // Without user roots the snapshot exposes internals on purpose: sizes stay as they are.
  if (!hasUserRoots) return;
  const UNVISITED = 0xffffffff;
  const MULTIPLE = 0xfffffffe;
  const owners = new Uint32Array(nodeCount);
  const work = new Uint32Array(2 * nodeCount);
  let sp = 0;
  for (let i = 0; i < nodeCount; i++) {
    const type = nodeType[i];
    if (type === t.hidden || type === t.array || (type === t.native && s.strings[s.nodeName[i]!] === 'system / ExternalStringData')) {
      owners[i] = UNVISITED;
    } else {
      owners[i] = i;
      work[sp++] = i;
    }
  }
  while (sp) {
    const id = work[--sp]!;
    const owner = owners[id]!;
    for (let e = firstEdge[id]!, end = firstEdge[id + 1]!; e < end; e++) {
      if (edgeType[e] === t.weak) continue;
      const target = edgeTo[e]!;
      const current = owners[target]!;
      if (current === UNVISITED) {
        owners[target] = owner;
        work[sp++] = target;
      } else if (current !== target && current !== owner && current !== MULTIPLE) {
        owners[target] = MULTIPLE;
        work[sp++] = target;
      }
    }
  }
  for (let i = 0; i < nodeCount; i++) {
    const owner = owners[i]!;
    if (owner === UNVISITED || owner === MULTIPLE || owner === i) continue;
    if (nodeType[owner] === t.synthetic || owner === root) continue;
    selfSize[owner]! += selfSize[i]!;
    selfSize[i] = 0;
  }
}

/**
 * DevTools' propagateDOMState: embedder (native) nodes inherit attached/detached state from the
 * nodes that reference them, and detached ones are renamed `Detached <name>`, which changes their
 * class. Node's own native wrappers carry such states too. Changes names and states in place.
 */
export function propagateDomState(s: ParsedSnapshot, t: TypeIndexes): void {
  const state = s.detachedness;
  if (!state) return;
  const { nodeCount, nodeType, nodeName, firstEdge, edgeTo, edgeType, strings } = s;
  const visited = new Uint8Array(nodeCount);
  const attached: number[] = [];
  const detached: number[] = [];
  const renamed = new Map<number, number>();
  const visit = (node: number, next: number) => {
    if (visited[node]) return;
    visited[node] = 1;
    // Only embedder nodes carry the state; JavaScript objects stop the propagation.
    if (nodeType[node] !== t.native) return;
    state[node] = next;
    if (next === 1) attached.push(node);
    else if (next === 2) {
      const old = nodeName[node]!;
      let name = renamed.get(old);
      if (name === undefined) {
        name = strings.push('Detached ' + strings[old]) - 1;
        renamed.set(old, name);
      }
      nodeName[node] = name;
      detached.push(node);
    }
  };
  const propagate = (node: number, next: number) => {
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      const type = edgeType[e];
      if (type === t.edgeHidden || type === t.invisible || type === t.weak) continue;
      visit(edgeTo[e]!, next);
    }
  };
  for (let node = 0; node < nodeCount; node++) if (state[node]) visit(node, state[node]!);
  while (attached.length) propagate(attached.pop()!, 1);
  while (detached.length) {
    const node = detached.pop()!;
    if (state[node] !== 1) propagate(node, 2);
  }
}
