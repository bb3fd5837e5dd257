import { describe, expect, it } from 'vitest';
import { computeDominators, dominatedNodes } from './dominators';
import { buildRetainers } from './graph';
import type { ParsedSnapshot } from './model';

/** A snapshot from an adjacency list; node 0 is the root, every node weighs 1 + its index. */
function graph(adjacency: number[][]): { s: ParsedSnapshot; essential: Uint8Array } {
  const n = adjacency.length;
  const firstEdge = new Uint32Array(n + 1);
  adjacency.forEach((to, i) => (firstEdge[i + 1] = firstEdge[i]! + to.length));
  const edgeTo = Uint32Array.from(adjacency.flat());
  const s = {
    nodeCount: n,
    edgeCount: edgeTo.length,
    firstEdge,
    edgeTo,
    selfSize: Uint32Array.from({ length: n }, (_, i) => 1 + i),
    meta: { rootOrdinal: 0 },
  } as unknown as ParsedSnapshot;
  return { s, essential: new Uint8Array(edgeTo.length).fill(0xff) };
}

function dominators(adjacency: number[][]) {
  const { s, essential } = graph(adjacency);
  return computeDominators(s, buildRetainers(s), essential);
}

describe('computeDominators', () => {
  it('diamond: the join is dominated by the fork', () => {
    const d = dominators([[1, 2], [3], [3], []]);
    expect(Array.from(d.dominator)).toEqual([0, 0, 0, 0]);
    expect(Array.from(d.retained)).toEqual([10, 2, 3, 4]);
  });

  it('chain with a back edge: each node dominates the rest', () => {
    const d = dominators([[1], [2], [3, 1], []]);
    expect(Array.from(d.dominator)).toEqual([0, 0, 1, 2]);
    expect(Array.from(d.retained)).toEqual([10, 9, 7, 4]);
  });

  it('Lengauer–Tarjan classic: semidominator differs from the dominator', () => {
    // 0→1, 0→2, 1→3, 2→3, 3→4, 4→1 : 1 and 3 are each reached two ways.
    const d = dominators([[1, 2], [3], [3], [4], [1]]);
    expect(Array.from(d.dominator)).toEqual([0, 0, 0, 0, 3]);
  });

  it('lists the dominated children of each node', () => {
    const d = dominators([[1], [2, 3], [], []]);
    const { firstDominated, dominated } = dominatedNodes(4, d.dominator, 0);
    expect(Array.from(firstDominated)).toEqual([0, 1, 3, 3, 3]);
    expect(Array.from(dominated).sort()).toEqual([1, 2, 3]);
  });
});
