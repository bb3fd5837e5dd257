/**
 * Node id → array index. Profiles number nodes 1..n, so a typed array is the usual fast path; a Map
 * covers sparse or huge ids.
 */
export class IdIndex {
  private readonly dense: Int32Array | undefined;
  private readonly sparse: Map<number, number> | undefined;

  constructor(ids: ArrayLike<number>) {
    let max = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i]! > max) max = ids[i]!;
    if (max <= 4 * ids.length + 1024) {
      this.dense = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < ids.length; i++) this.dense[ids[i]!] = i;
    } else {
      this.sparse = new Map();
      for (let i = 0; i < ids.length; i++) this.sparse.set(ids[i]!, i);
    }
  }

  /** Index of `id`, or -1. */
  get(id: number): number {
    if (this.dense) return id >= 0 && id < this.dense.length ? this.dense[id]! : -1;
    return this.sparse!.get(id) ?? -1;
  }
}
