/**
 * Whose code a node of a heap snapshot belongs to: the application's, or the runtime's (Node's
 * internals, V8's roots). A retainer path from a GC root often runs through a dozen runtime hops
 * (timer lists, module caches) before the application's own `Context->sessionCache → Map →
 * SessionRecord`; knowing the owners lets a report show the application's part first.
 *
 * A closure knows its script (closure → `shared` → `script_or_debug_info`, a node named by the
 * script's url); an object whose constructor has a location knows its script id, which the
 * closures of that script name. Other nodes (contexts, arrays, plain objects) say nothing by
 * themselves and belong to whoever owns the step before them on a path.
 */
import type { TypeIndexes } from './graph';
import type { ParsedSnapshot } from './model';

export type Owner = 'user' | 'runtime';

/** Scripts of Node itself: `node:internal/timers` (Node ≥ 16), `internal/timers.js` (older). */
const RUNTIME_SCRIPT = /^(node:|internal\/)/;

export class Ownership {
  private scriptUrls: Map<number, string> | undefined;
  private scriptOfObject: Map<number, number> | undefined;

  constructor(
    private readonly s: ParsedSnapshot,
    private readonly t: TypeIndexes,
  ) {}

  /** The owner a node shows by itself, if any. */
  of(node: number): Owner | undefined {
    const type = this.s.nodeType[node];
    if (type === this.t.synthetic) return 'runtime';
    let url: string | undefined;
    if (type === this.t.closure) url = this.closureScript(node);
    else if (type === this.t.object) {
      this.index();
      const script = this.scriptOfObject!.get(node);
      url = script === undefined ? undefined : this.scriptUrls!.get(script);
    }
    if (!url) return undefined;
    return RUNTIME_SCRIPT.test(url) ? 'runtime' : 'user';
  }

  /**
   * How many leading steps of a path (node ordinals, root side first) are the runtime's: up to
   * the last step the runtime owns, a step that says nothing counting for the one before it. The
   * last step (the object itself) always stays in the application's part.
   */
  runtimeHops(path: readonly number[]): number {
    let owner: Owner | undefined;
    let hops = 0;
    for (let i = 0; i < path.length; i++) {
      owner = this.of(path[i]!) ?? owner;
      if (owner === 'runtime') hops = i + 1;
    }
    return Math.min(hops, Math.max(0, path.length - 1));
  }

  /** The url of a closure's script, or undefined (builtins have none). */
  private closureScript(node: number): string | undefined {
    const shared = this.internalEdge(node, 'shared');
    if (shared === undefined) return undefined;
    const script = this.internalEdge(shared, 'script_or_debug_info') ?? this.internalEdge(shared, 'script');
    return script === undefined ? undefined : this.s.strings[this.s.nodeName[script]!];
  }

  private internalEdge(node: number, name: string): number | undefined {
    const { firstEdge, edgeType, edgeName, edgeTo, strings } = this.s;
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      if (edgeType[e] === this.t.internal && strings[edgeName[e]!] === name) return edgeTo[e]!;
    }
    return undefined;
  }

  /** Script ids of objects with a constructor location, and script urls named by closures. */
  private index(): void {
    if (this.scriptUrls) return;
    this.scriptUrls = new Map();
    this.scriptOfObject = new Map();
    const locs = this.s.locations;
    for (let i = 0; i < locs.length; i += 4) {
      const node = locs[i]!;
      const script = locs[i + 1]!;
      const type = this.s.nodeType[node];
      if (type === this.t.object) this.scriptOfObject.set(node, script);
      else if (type === this.t.closure && !this.scriptUrls.has(script)) {
        const url = this.closureScript(node);
        if (url) this.scriptUrls.set(script, url);
      }
    }
  }
}
