/**
 * Dominator tree and retained sizes with Lengauer–Tarjan ("A fast algorithm for finding
 * dominators in a flowgraph", 1979), over typed arrays, following DevTools' version exactly,
 * including how it attaches nodes the root cannot reach (weakly held, or cycles nobody holds), so
 * retained sizes match DevTools byte for byte.
 */
import type { Retainers } from './graph';
import type { ParsedSnapshot } from './model';

export interface Dominators {
  /** Immediate dominator ordinal of each node; the root dominates itself. */
  dominator: Uint32Array;
  /** Bytes freed if the node went away: its own size plus everything it dominates. */
  retained: Float64Array;
}

export function computeDominators(s: ParsedSnapshot, retainers: Retainers, essential: Uint8Array): Dominators {
  const { nodeCount, firstEdge, edgeTo, selfSize } = s;
  const { firstRetainer, retainerNode, retainerEdge } = retainers;
  const isEssential = (e: number) => (essential[e >>> 3]! & (1 << (e & 7))) !== 0;
  // Vertices are numbered 1..n (ordinal + 1); 0 means "none", as in the paper.
  const size = nodeCount + 1;
  const parent = new Uint32Array(size);
  const ancestor = new Uint32Array(size);
  const vertex = new Uint32Array(size);
  const label = new Uint32Array(size);
  const semi = new Uint32Array(size);
  const nextEdge = new Uint32Array(size);
  let n = 0;

  // Iterative DFS over essential edges; nextEdge remembers where each vertex's scan stopped.
  const dfs = (start: number) => {
    nextEdge[start - 1] = firstEdge[start - 1]!;
    let v = start;
    while (v !== 0) {
      if (semi[v] === 0) {
        semi[v] = ++n;
        vertex[n] = label[v] = v;
      }
      let vNext = parent[v]!;
      const vo = v - 1;
      const end = firstEdge[vo + 1]!;
      for (; nextEdge[vo]! < end; nextEdge[vo]!++) {
        const e = nextEdge[vo]!;
        if (!isEssential(e)) continue;
        const wo = edgeTo[e]!;
        const w = wo + 1;
        if (semi[w] === 0) {
          parent[w] = v;
          nextEdge[wo] = firstEdge[wo]!;
          vNext = w;
          break;
        }
      }
      v = vNext;
    }
  };

  const r = s.meta.rootOrdinal + 1;
  dfs(r);
  if (n < nodeCount) {
    // Nodes held only by weak edges hang off the root, each with what it reaches.
    for (let v = 1; v <= nodeCount; v++) {
      if (semi[v] !== 0) continue;
      let onlyWeak = true;
      for (let i = firstRetainer[v - 1]!, end = firstRetainer[v]!; i < end && onlyWeak; i++) onlyWeak = !isEssential(retainerEdge[i]!);
      if (onlyWeak) {
        parent[v] = r;
        dfs(v);
      }
    }
  }
  if (n < nodeCount) {
    // What is left (cycles held by nobody) hangs off the root one by one.
    for (let v = 1; v <= nodeCount; v++) {
      if (semi[v] !== 0) continue;
      parent[v] = r;
      semi[v] = ++n;
      vertex[n] = label[v] = v;
    }
  }

  const stack = new Uint32Array(size);
  const compress = (v: number) => {
    let sp = 0;
    while (ancestor[ancestor[v]!] !== 0) {
      stack[++sp] = v;
      v = ancestor[v]!;
    }
    while (sp > 0) {
      const w = stack[sp--]!;
      if (semi[label[ancestor[w]!]!]! < semi[label[w]!]!) label[w] = label[ancestor[w]!]!;
      ancestor[w] = ancestor[ancestor[w]!]!;
    }
  };
  const evaluate = (v: number) => {
    if (ancestor[v] === 0) return v;
    compress(v);
    return label[v]!;
  };

  // Buckets as linked lists: a vertex sits in exactly one bucket at a time.
  const bucketHead = nextEdge.fill(0);
  const bucketNext = new Uint32Array(size);
  const dom = new Uint32Array(size);
  for (let i = n; i >= 2; i--) {
    const w = vertex[i]!;
    const wo = w - 1;
    let orphan = true;
    for (let j = firstRetainer[wo]!, end = firstRetainer[wo + 1]!; j < end; j++) {
      if (!isEssential(retainerEdge[j]!)) continue;
      orphan = false;
      const u = evaluate(retainerNode[j]! + 1);
      if (semi[u]! < semi[w]!) semi[w] = semi[u]!;
    }
    // Orphans have a single predecessor: the root.
    if (orphan) semi[w] = semi[r]!;
    const b = vertex[semi[w]!]!;
    bucketNext[w] = bucketHead[b]!;
    bucketHead[b] = w;
    const p = parent[w]!;
    ancestor[w] = p;
    for (let v = bucketHead[p]!; v !== 0; v = bucketNext[v]!) {
      const u = evaluate(v);
      dom[v] = semi[u]! < semi[v]! ? u : p;
    }
    bucketHead[p] = 0;
  }
  dom[0] = dom[r] = r;
  for (let i = 2; i <= n; i++) {
    const w = vertex[i]!;
    if (dom[w] !== vertex[semi[w]!]) dom[w] = dom[dom[w]!]!;
  }

  const dominator = new Uint32Array(nodeCount);
  const retained = new Float64Array(nodeCount);
  for (let o = 0; o < nodeCount; o++) {
    dominator[o] = dom[o + 1]! - 1;
    retained[o] = selfSize[o]!;
  }
  // Children before parents: reverse DFS order.
  for (let i = n; i > 1; i--) {
    const o = vertex[i]! - 1;
    retained[dominator[o]!]! += retained[o]!;
  }
  return { dominator, retained };
}

/** The dominator tree's children lists: `dominated[firstDominated[i] .. firstDominated[i+1]-1]`. */
export function dominatedNodes(nodeCount: number, dominator: Uint32Array, root: number): { firstDominated: Uint32Array; dominated: Uint32Array } {
  const firstDominated = new Uint32Array(nodeCount + 1);
  const dominated = new Uint32Array(Math.max(0, nodeCount - 1));
  for (let o = 0; o < nodeCount; o++) if (o !== root) firstDominated[dominator[o]! + 1]!++;
  for (let i = 1; i <= nodeCount; i++) firstDominated[i]! += firstDominated[i - 1]!;
  // Filled from each slot's end, as DevTools does, so the tree walk visits children in its order.
  const fill = firstDominated.slice(1);
  for (let o = 0; o < nodeCount; o++) {
    if (o === root) continue;
    dominated[--fill[dominator[o]!]!] = o;
  }
  return { firstDominated, dominated };
}
