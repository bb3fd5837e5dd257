/** Reads and checks the `"snapshot"` header: field layout, type names and declared counts. */
import { badFile } from '../errors';
import type { SnapshotMeta } from './model';

export function readMeta(file: string, header: unknown): SnapshotMeta {
  const fail = (what: string): never => {
    throw badFile(file, what);
  };
  const h = header as { meta?: Record<string, unknown>; node_count?: unknown; edge_count?: unknown; root_index?: unknown; extra_native_bytes?: unknown };
  const meta = h?.meta;
  if (!meta || typeof meta !== 'object') return fail('the "snapshot" header has no "meta"; not a V8 heap snapshot');
  const strings = (name: string, v: unknown): string[] => {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) return fail(`"snapshot.meta.${name}" is not a list of names`);
    return v as string[];
  };
  const nodeFields = strings('node_fields', meta.node_fields);
  const edgeFields = strings('edge_fields', meta.edge_fields);
  for (const f of ['type', 'name', 'id', 'self_size', 'edge_count']) if (!nodeFields.includes(f)) fail(`"snapshot.meta.node_fields" lacks "${f}"`);
  for (const f of ['type', 'name_or_index', 'to_node']) if (!edgeFields.includes(f)) fail(`"snapshot.meta.edge_fields" lacks "${f}"`);
  const nodeTypes = strings('node_types[type]', (meta.node_types as unknown[] | undefined)?.[nodeFields.indexOf('type')]);
  const edgeTypes = strings('edge_types[type]', (meta.edge_types as unknown[] | undefined)?.[edgeFields.indexOf('type')]);
  const locationFields = meta.location_fields === undefined ? [] : strings('location_fields', meta.location_fields);
  const count = (name: string, v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return fail(`"snapshot.${name}" is ${JSON.stringify(v)}, not a count`);
    return v;
  };
  const nodeCount = count('node_count', h.node_count);
  const edgeCount = count('edge_count', h.edge_count);
  const rootIndex = h.root_index === undefined ? 0 : h.root_index;
  if (typeof rootIndex !== 'number' || !Number.isInteger(rootIndex) || rootIndex < 0 || rootIndex % nodeFields.length) {
    fail(`"snapshot.root_index" is ${JSON.stringify(rootIndex)}, not a node index`);
  }
  const extra = h.extra_native_bytes;
  if (extra !== undefined && (typeof extra !== 'number' || !Number.isFinite(extra) || extra < 0)) fail(`"snapshot.extra_native_bytes" is ${JSON.stringify(extra)}, not a size`);
  return {
    nodeFields,
    edgeFields,
    nodeTypes,
    edgeTypes: [...edgeTypes, 'invisible'],
    locationFields,
    nodeCount,
    edgeCount,
    rootOrdinal: (rootIndex as number) / nodeFields.length,
    extraNativeBytes: (extra as number | undefined) ?? 0,
  };
}
