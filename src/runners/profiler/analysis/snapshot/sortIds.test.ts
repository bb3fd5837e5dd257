import { describe, expect, it } from 'vitest';
import { argsortU32, hasId } from './sortIds';

describe('argsortU32', () => {
  it('orders by key, stable, across the full 32-bit range', () => {
    const keys = Uint32Array.from([5, 0xffffffff, 3, 70000, 3, 0, 65536, 65535]);
    const order = Array.from(argsortU32(keys));
    expect(order.map((i) => keys[i])).toEqual([0, 3, 3, 5, 65535, 65536, 70000, 0xffffffff]);
    expect(order.indexOf(2)).toBeLessThan(order.indexOf(4));
  });

  it('finds ids by binary search', () => {
    const ids = Uint32Array.from([1, 3, 9, 27]);
    expect([1, 3, 9, 27].every((id) => hasId(ids, id))).toBe(true);
    expect([0, 2, 28].some((id) => hasId(ids, id))).toBe(false);
  });
});
