/**
 * What the flame view may ask of the profile it shows (src/protocol.ts, Requests): slices and
 * searches of the model the host keeps. VS Code-free; the panel adds `openSource`.
 */
import { FlameModel, type FlameSliceParams } from '../core/flame';
import type { RequestHandlers } from './requests';
import { v8MetaKind } from '../runners/profiler/analysis/cpu/v8Meta';
import type { FlameTree } from '../runners/profiler/analysis/types';

/** The model of an analyzed profile's tree (or of a comparison's, with its change per node), V8's pseudo-frames marked. */
export function flameModel(tree: FlameTree, delta?: ArrayLike<number>): FlameModel {
  return new FlameModel(tree, (name, url) => v8MetaKind(name, url) !== undefined, delta);
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function flameRequests(model: FlameModel): RequestHandlers {
  return {
    'flame.slice': (p) => {
      if (typeof p !== 'object' || p === null || !Number.isInteger(p.root) || typeof p.hideMeta !== 'boolean') throw new Error('a flame slice needs a root node and hideMeta');
      const params: FlameSliceParams = { root: p.root, hideMeta: p.hideMeta };
      if (finite(p.minMs)) params.minMs = p.minMs;
      if (finite(p.minShare)) params.minShare = p.minShare;
      if (finite(p.fromMs)) params.fromMs = p.fromMs;
      if (finite(p.toMs)) params.toMs = p.toMs;
      return model.slice(params);
    },
    'flame.search': (p) => {
      if (typeof p !== 'object' || p === null || typeof p.query !== 'string') throw new Error('a search needs a query');
      return model.search(p.query.slice(0, 500), p.hideMeta === true);
    },
  };
}
