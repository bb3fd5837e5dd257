import { describe, expect, it } from 'vitest';
import { phaseBands } from '../../webview/run/bands';

const point = (t: number, phase?: string) => ({ t, ...(phase ? { phase } : {}), rps: 1, p50: 1, p99: 1, errors: 0 });

describe('phaseBands (the timeline chart of the run page)', () => {
  it('makes one band of the consecutive points of a phase, from the start of its first window to its last point', () => {
    expect(phaseBands([point(1, 'warm-up'), point(2, 'warm-up'), point(3, 'ramp'), point(3.4, 'ramp'), point(4.4, 'peak')])).toEqual([
      { name: 'warm-up', from: 0, to: 2 },
      { name: 'ramp', from: 2, to: 3.4 },
      { name: 'peak', from: 3.4, to: 4.4 },
    ]);
  });

  it('gives a phase that comes back (a sweep step run twice) a band each time, and none to points without a phase', () => {
    expect(phaseBands([point(1, 'a'), point(2, 'b'), point(3, 'a'), point(4)])).toEqual([
      { name: 'a', from: 0, to: 1 },
      { name: 'b', from: 1, to: 2 },
      { name: 'a', from: 2, to: 3 },
    ]);
    expect(phaseBands([])).toEqual([]);
  });
});
