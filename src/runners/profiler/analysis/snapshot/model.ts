/** The in-memory form of a parsed heap snapshot: one typed array per field. */

export interface SnapshotMeta {
  nodeFields: string[];
  edgeFields: string[];
  nodeTypes: string[];
  /** From the file, plus DevTools' extra `invisible` type at the end. */
  edgeTypes: string[];
  locationFields: string[];
  /** As the header declares them (absent in some hand-made files). */
  nodeCount?: number;
  edgeCount?: number;
  rootOrdinal: number;
  extraNativeBytes: number;
}

/**
 * Nodes are addressed by ordinal (0..nodeCount-1), edges by ordinal (0..edgeCount-1). Node i's
 * edges are `firstEdge[i] .. firstEdge[i+1]-1`; `edgeTo` holds node ordinals, not raw indexes.
 */
export interface ParsedSnapshot {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array;
  selfSize: Uint32Array;
  firstEdge: Uint32Array;
  /** 0 unknown, 1 attached, 2 detached (DOM embedders only); undefined when the file has no such field. */
  detachedness: Uint8Array | undefined;
  edgeType: Uint8Array;
  edgeName: Uint32Array;
  edgeTo: Uint32Array;
  /** Per location: node ordinal, script id, line, column (0-based), 4 values each. */
  locations: Uint32Array;
  strings: string[];
}
