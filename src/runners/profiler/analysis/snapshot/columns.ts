/**
 * Where the parser's numbers go: one sink per array, each splitting the flat JSON array into
 * typed columns as it arrives, then checking counts and indexes once at the end.
 */
import type { ParsedSnapshot, SnapshotMeta } from './model';

/** Receives the numbers of one array in order. */
export interface NumberSink {
  push(v: number): void;
  /** Values received so far. */
  count: number;
  /** Values the header announced, when it did. */
  expected: number | undefined;
}

type Fail = (what: string) => never;

const enum F {
  Skip,
  Type,
  Name,
  Id,
  Self,
  EdgeCount,
  Detached,
  To,
  Object,
  Script,
  Line,
  Column,
}

function grow<T extends Uint8Array | Uint32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * Rows to allocate up front: what the header announces, but never more than the file can hold
 * (each value takes at least two bytes, "0,"), so a lying header cannot allocate gigabytes.
 */
function capacity(expectedValues: number | undefined, fileSize: number, fields: number): number {
  const fits = Math.floor(fileSize / (2 * fields)) + 1;
  return Math.max(16, Math.min(expectedValues === undefined ? 1024 : expectedValues / fields, fits));
}

class NodeSink implements NumberSink {
  count = 0;
  ord = 0;
  pos = 0;
  cap: number;
  type: Uint8Array;
  name: Uint32Array;
  id: Uint32Array;
  self: Uint32Array;
  /** edgeCounts[i+1] = edge count of node i; turned into prefix sums at the end. */
  edges: Uint32Array;
  detached: Uint8Array | undefined;

  constructor(
    private readonly kinds: F[],
    readonly expected: number | undefined,
    fileSize: number,
    private readonly idsOnly: boolean,
    private readonly fail: Fail,
  ) {
    this.cap = capacity(expected, fileSize, kinds.length);
    const full = !idsOnly;
    this.type = new Uint8Array(full ? this.cap : 0);
    this.name = new Uint32Array(full ? this.cap : 0);
    this.id = new Uint32Array(this.cap);
    this.self = new Uint32Array(full ? this.cap : 0);
    this.edges = new Uint32Array(full ? this.cap + 1 : 0);
    this.detached = full && kinds.includes(F.Detached) ? new Uint8Array(this.cap) : undefined;
  }

  private growAll(): void {
    const cap = this.cap * 2;
    this.id = grow(this.id, cap);
    if (!this.idsOnly) {
      this.type = grow(this.type, cap);
      this.name = grow(this.name, cap);
      this.self = grow(this.self, cap);
      this.edges = grow(this.edges, cap + 1);
      if (this.detached) this.detached = grow(this.detached, cap);
    }
    this.cap = cap;
  }

  push(v: number): void {
    const o = this.ord;
    if (o >= this.cap) this.growAll();
    switch (this.kinds[this.pos]) {
      case F.Id:
        this.id[o] = v;
        break;
      case F.Type:
        if (this.idsOnly) break;
        if (v > 255) this.fail(`node ${o} has type ${v}, not a known node type`);
        this.type[o] = v;
        break;
      case F.Name:
        if (!this.idsOnly) this.name[o] = v;
        break;
      case F.Self:
        if (!this.idsOnly) this.self[o] = v;
        break;
      case F.EdgeCount:
        if (!this.idsOnly) this.edges[o + 1] = v;
        break;
      case F.Detached:
        if (this.detached) this.detached[o] = v > 2 ? 0 : v;
        break;
    }
    this.count++;
    if (++this.pos === this.kinds.length) {
      this.pos = 0;
      this.ord++;
    }
  }
}

class EdgeSink implements NumberSink {
  count = 0;
  ord = 0;
  pos = 0;
  cap: number;
  type: Uint8Array;
  name: Uint32Array;
  to: Uint32Array;

  constructor(
    private readonly kinds: F[],
    private readonly nodeFieldCount: number,
    readonly expected: number | undefined,
    fileSize: number,
    private readonly fail: Fail,
  ) {
    this.cap = capacity(expected, fileSize, kinds.length);
    this.type = new Uint8Array(this.cap);
    this.name = new Uint32Array(this.cap);
    this.to = new Uint32Array(this.cap);
  }

  push(v: number): void {
    const o = this.ord;
    if (o >= this.cap) {
      this.cap *= 2;
      this.type = grow(this.type, this.cap);
      this.name = grow(this.name, this.cap);
      this.to = grow(this.to, this.cap);
    }
    switch (this.kinds[this.pos]) {
      case F.Type:
        if (v > 255) this.fail(`edge ${o} has type ${v}, not a known edge type`);
        this.type[o] = v;
        break;
      case F.Name:
        this.name[o] = v;
        break;
      case F.To:
        if (v % this.nodeFieldCount) this.fail(`edge ${o} points to index ${v}, which is not the start of a node`);
        this.to[o] = v / this.nodeFieldCount;
        break;
    }
    this.count++;
    if (++this.pos === this.kinds.length) {
      this.pos = 0;
      this.ord++;
    }
  }
}

class LocationSink implements NumberSink {
  count = 0;
  values: Uint32Array = new Uint32Array(4096);
  private n = 0;
  private pos = 0;
  private row = [0, 0, 0, 0];
  readonly expected = undefined;

  constructor(
    private readonly kinds: F[],
    private readonly nodeFieldCount: number,
    private readonly fail: Fail,
  ) {}

  push(v: number): void {
    switch (this.kinds[this.pos]) {
      case F.Object:
        if (v % this.nodeFieldCount) this.fail(`location ${this.count / this.kinds.length} points to index ${v}, which is not the start of a node`);
        this.row[0] = v / this.nodeFieldCount;
        break;
      case F.Script:
        this.row[1] = v;
        break;
      case F.Line:
        this.row[2] = v;
        break;
      case F.Column:
        this.row[3] = v;
        break;
    }
    this.count++;
    if (++this.pos === this.kinds.length) {
      this.pos = 0;
      if (this.n + 4 > this.values.length) this.values = grow(this.values, this.values.length * 2);
      this.values.set(this.row, this.n);
      this.n += 4;
    }
  }

  take(): Uint32Array {
    return this.values.subarray(0, this.n);
  }
}

/** The sinks of one snapshot, and the final consistency check. */
export function createSinks(meta: SnapshotMeta, fileSize: number, idsOnly: boolean, fail: Fail) {
  const nodeKinds = meta.nodeFields.map((f) =>
    f === 'type' ? F.Type : f === 'name' ? F.Name : f === 'id' ? F.Id : f === 'self_size' ? F.Self : f === 'edge_count' ? F.EdgeCount : f === 'detachedness' ? F.Detached : F.Skip,
  );
  const edgeKinds = meta.edgeFields.map((f) => (f === 'type' ? F.Type : f === 'name_or_index' ? F.Name : f === 'to_node' ? F.To : F.Skip));
  const locKinds = meta.locationFields.map((f) => (f === 'object_index' ? F.Object : f === 'script_id' ? F.Script : f === 'line' ? F.Line : f === 'column' ? F.Column : F.Skip));
  const nf = meta.nodeFields.length;
  const ef = meta.edgeFields.length;
  const nodes = new NodeSink(nodeKinds, meta.nodeCount === undefined ? undefined : meta.nodeCount * nf, fileSize, idsOnly, fail);
  const edges = idsOnly ? undefined : new EdgeSink(edgeKinds, nf, meta.edgeCount === undefined ? undefined : meta.edgeCount * ef, fileSize, fail);
  const locations = idsOnly || !locKinds.includes(F.Object) ? undefined : new LocationSink(locKinds, nf, fail);

  function finish(strings: string[]): ParsedSnapshot {
    if (nodes.count % nf) fail(`"nodes" has ${nodes.count} values, not a multiple of the ${nf} node fields`);
    const nodeCount = nodes.ord;
    if (meta.nodeCount !== undefined && nodeCount !== meta.nodeCount) fail(`"nodes" holds ${nodeCount} nodes but the header says node_count ${meta.nodeCount}`);
    if (nodeCount === 0) fail('the snapshot has no nodes');
    if (meta.rootOrdinal >= nodeCount) fail(`"snapshot.root_index" points past the last node`);
    const parsed: ParsedSnapshot = {
      meta,
      nodeCount,
      edgeCount: 0,
      nodeType: nodes.type.subarray(0, idsOnly ? 0 : nodeCount),
      nodeName: nodes.name.subarray(0, idsOnly ? 0 : nodeCount),
      nodeId: nodes.id.subarray(0, nodeCount),
      selfSize: nodes.self.subarray(0, idsOnly ? 0 : nodeCount),
      firstEdge: nodes.edges.subarray(0, idsOnly ? 0 : nodeCount + 1),
      detachedness: nodes.detached?.subarray(0, nodeCount),
      edgeType: new Uint8Array(0),
      edgeName: new Uint32Array(0),
      edgeTo: new Uint32Array(0),
      locations: locations?.take() ?? new Uint32Array(0),
      strings,
    };
    if (idsOnly || !edges) return parsed;

    if (edges.count % ef) fail(`"edges" has ${edges.count} values, not a multiple of the ${ef} edge fields`);
    const edgeCount = edges.ord;
    if (meta.edgeCount !== undefined && edgeCount !== meta.edgeCount) fail(`"edges" holds ${edgeCount} edges but the header says edge_count ${meta.edgeCount}`);
    const firstEdge = parsed.firstEdge;
    let sum = 0;
    for (let i = 1; i <= nodeCount; i++) {
      sum += firstEdge[i]!;
      if (sum > edgeCount) fail(`the nodes' edge counts add up to more than the ${edgeCount} edges in "edges" (at node ${i - 1})`);
      firstEdge[i] = sum;
    }
    if (sum !== edgeCount) fail(`the nodes' edge counts add up to ${sum} but "edges" holds ${edgeCount} edges`);

    const nodeTypes = meta.nodeTypes.length;
    const stringCount = strings.length;
    const { type, name } = nodes;
    for (let i = 0; i < nodeCount; i++) {
      if (type[i]! >= nodeTypes) fail(`node ${i} has type ${type[i]}, but there are only ${nodeTypes} node types`);
      if (name[i]! >= stringCount) fail(`node ${i} has name #${name[i]}, but "strings" holds only ${stringCount} strings`);
    }
    const edgeTypes = meta.edgeTypes.length - 1;
    const element = meta.edgeTypes.indexOf('element');
    const hidden = meta.edgeTypes.indexOf('hidden');
    const et = edges.type;
    const en = edges.name;
    const to = edges.to;
    for (let e = 0; e < edgeCount; e++) {
      const t = et[e]!;
      if (t >= edgeTypes) fail(`edge ${e} has type ${t}, but there are only ${edgeTypes} edge types`);
      if (to[e]! >= nodeCount) fail(`edge ${e} points to node ${to[e]}, past the last of ${nodeCount} nodes`);
      if (t !== element && t !== hidden && en[e]! >= stringCount) fail(`edge ${e} has name #${en[e]}, but "strings" holds only ${stringCount} strings`);
    }
    const locs = parsed.locations;
    for (let i = 0; i < locs.length; i += 4) if (locs[i]! >= nodeCount) fail(`location ${i / 4} points past the last node`);
    parsed.edgeCount = edgeCount;
    parsed.edgeType = et.subarray(0, edgeCount);
    parsed.edgeName = en.subarray(0, edgeCount);
    parsed.edgeTo = to.subarray(0, edgeCount);
    return parsed;
  }

  return { nodes, edges, locations, finish };
}
