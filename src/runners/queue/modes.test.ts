import { describe, expect, it } from 'vitest';
import { sweepHealth } from './modes';

const health = (lateSends: number, lateSendMaxMs: number, generatorBound: boolean, lagP99Ms = 1) => ({ lagP99Ms, lateSends, lateSendMaxMs, generatorBound });

describe('sweepHealth (the schedule of an e2e sweep)', () => {
  it('adds up the steps and names, once, the ones that fell behind', () => {
    const h = sweepHealth([
      { concurrency: 1, sends: 1_500, health: health(27, 11, true, 9) },
      { concurrency: 4, sends: 1_500, health: health(3, 6, false, 2) },
      { concurrency: 16, sends: 1_500, health: health(58, 21.4, true, 4) },
    ]);
    expect(h).toMatchObject({ lagP99Ms: 9, lateSends: 88, lateSendMaxMs: 21.4, generatorBound: true });
    expect(h.message).toBe(
      "88 of 4500 adds (c=1: 27 of 1500, c=16: 58 of 1500) went out more than 5 ms after their scheduled time (worst 21 ms): " +
        "PerfLab's own process, which also runs the workers, could not keep the schedule; latencies include that delay.",
    );
  });

  it('says nothing when every step kept its schedule', () => {
    const h = sweepHealth([{ concurrency: 10, sends: 6_000, health: health(2, 7, false) }]);
    expect(h).toEqual({ lagP99Ms: 1, lateSends: 2, lateSendMaxMs: 7, generatorBound: false });
  });
});
