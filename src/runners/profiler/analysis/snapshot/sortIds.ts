/** Indexes of `keys` in ascending key order (stable LSD radix sort, two 16-bit passes). */
export function argsortU32(keys: Uint32Array): Uint32Array {
  const n = keys.length;
  let from: Uint32Array = new Uint32Array(n);
  for (let i = 0; i < n; i++) from[i] = i;
  let to: Uint32Array = new Uint32Array(n);
  const counts = new Uint32Array(65537);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((keys[i]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 1; d <= 65536; d++) counts[d]! += counts[d - 1]!;
    for (let i = 0; i < n; i++) {
      const k = from[i]!;
      to[counts[(keys[k]! >>> shift) & 0xffff]!++] = k;
    }
    [from, to] = [to, from];
  }
  return from;
}

/** Whether sorted `ids` contains `id`. */
export function hasId(ids: Uint32Array, id: number): boolean {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid]!;
    if (v === id) return true;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
