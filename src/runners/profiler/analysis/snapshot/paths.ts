/**
 * Shortest retainer paths: a breadth-first walk like DevTools' distance computation (user roots
 * such as the global object first, then everything else from the root), remembering each node's
 * first retainer, so a path is read back from any node to its GC root. Each path says how many of
 * its leading steps are the runtime's (./ownership), so a report can lead with the rest.
 */
import type { RetainerPath, RetainerStep } from '../types';
import type { ClassTable } from './classes';
import type { TypeIndexes } from './graph';
import type { ParsedSnapshot } from './model';
import { Ownership } from './ownership';

export class RetainerPaths {
  /** Edge ordinal + 1 that first reached each node (0: none). */
  private readonly parentEdge: Uint32Array;
  private readonly parentNode: Uint32Array;
  private readonly owners: Ownership;

  constructor(
    private readonly s: ParsedSnapshot,
    private readonly t: TypeIndexes,
    private readonly classes: ClassTable,
  ) {
    const n = s.nodeCount;
    this.owners = new Ownership(s, t);
    this.parentEdge = new Uint32Array(n);
    this.parentNode = new Uint32Array(n);
    const visited = new Uint8Array(n);
    const queue = new Uint32Array(n);
    const root = s.meta.rootOrdinal;
    visited[root] = 1;
    let tail = 0;
    for (let e = s.firstEdge[root]!; e < s.firstEdge[root + 1]!; e++) {
      const child = s.edgeTo[e]!;
      if (visited[child] || !this.isUserRoot(child)) continue;
      visited[child] = 1;
      this.parentEdge[child] = e + 1;
      this.parentNode[child] = root;
      queue[tail++] = child;
    }
    tail = this.bfs(queue, 0, tail, visited);
    queue[tail] = root;
    this.bfs(queue, tail, tail + 1, visited);
  }

  private isUserRoot(node: number): boolean {
    const { nodeType, nodeName, strings } = this.s;
    return nodeType[node] !== this.t.synthetic || strings[nodeName[node]!] === '(Document DOM trees)';
  }

  /** DevTools skips these edges when measuring distances: they make paths through shared maps. */
  private skipEdge(node: number, e: number): boolean {
    const { nodeType, nodeName, edgeName, edgeType, strings } = this.s;
    const type = nodeType[node];
    if (type === this.t.hidden && edgeType[e] !== this.t.element && edgeType[e] !== this.t.edgeHidden) {
      return strings[edgeName[e]!] === 'sloppy_function_map' && strings[nodeName[node]!] === 'system / NativeContext';
    }
    if (type === this.t.array && edgeType[e] === this.t.element && strings[nodeName[node]!] === '(map descriptors)') {
      const index = edgeName[e]!;
      return !(index < 2 || index % 3 !== 1);
    }
    return false;
  }

  private bfs(queue: Uint32Array, head: number, tail: number, visited: Uint8Array): number {
    const { firstEdge, edgeTo, edgeType } = this.s;
    const weak = this.t.weak;
    while (head < tail) {
      const node = queue[head++]!;
      for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
        if (edgeType[e] === weak) continue;
        const child = edgeTo[e]!;
        if (visited[child] || this.skipEdge(node, e)) continue;
        visited[child] = 1;
        this.parentEdge[child] = e + 1;
        this.parentNode[child] = node;
        queue[tail++] = child;
      }
    }
    return tail;
  }

  /**
   * Display name of a node: its class, its own name for synthetic roots like `(GC roots)`, and
   * for a closure its function, `sweepSessions()` (the class, `(closure)`, would not say which).
   */
  nodeLabel(node: number): string {
    const { nodeType, nodeName, strings } = this.s;
    if (nodeType[node] === this.t.synthetic) return strings[nodeName[node]!] || '(root)';
    if (nodeType[node] === this.t.closure) return `${strings[nodeName[node]!] || '(anonymous)'}()`;
    return this.classes.names[this.classes.classOf[node]!]!;
  }

  /** An edge in DevTools' notation. */
  edgeLabel(e: number): string {
    const { edgeType, edgeName, strings, meta } = this.s;
    const type = meta.edgeTypes[edgeType[e]!];
    const raw = edgeName[e]!;
    const name = type === 'element' || type === 'hidden' ? String(raw) : (strings[raw] ?? String(raw));
    switch (type) {
      case 'context':
        return '->' + name;
      case 'element':
        return '[' + name + ']';
      case 'weak':
        return '[[' + name + ']]';
      case 'property':
      case 'shortcut':
        return name.includes(' ') ? `["${name}"]` : '.' + name;
      default:
        return '{' + name + '}';
    }
  }

  pathTo(node: number, retainedSize: number): RetainerPath {
    const root = this.s.meta.rootOrdinal;
    const name = this.nodeLabel(node);
    const nodeId = this.s.nodeId[node]!;
    if (node !== root && this.parentEdge[node] === 0) {
      return { nodeId, name, retainedSize, steps: [], text: ['(not reachable from a GC root)', `${name} @${nodeId}`], runtimeHops: 0 };
    }
    const steps: RetainerStep[] = [{ nodeId, name, edge: '' }];
    const ordinals = [node];
    for (let at = node; at !== root && this.parentEdge[at] !== 0; ) {
      const from = this.parentNode[at]!;
      if (from === root) break;
      steps.push({ nodeId: this.s.nodeId[from]!, name: this.nodeLabel(from), edge: this.edgeLabel(this.parentEdge[at]! - 1) });
      ordinals.push(from);
      at = from;
    }
    steps.reverse();
    ordinals.reverse();
    const text = steps.map((st, i) => (i === steps.length - 1 ? `${st.name} @${st.nodeId}` : st.name + st.edge));
    return { nodeId, name, retainedSize, steps, text, runtimeHops: this.owners.runtimeHops(ordinals) };
  }
}
