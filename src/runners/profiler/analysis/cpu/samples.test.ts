import { describe, expect, it } from 'vitest';
import { readSamples, samplingStats } from './samples';

const profile = (timeDeltas: number[], endTime: number) => ({ startTime: 1_000, endTime, samples: timeDeltas.map((_, i) => i + 1), timeDeltas });

describe('readSamples', () => {
  it('puts out-of-order samples in time order, with their nodes', () => {
    // Stamped at 1100, 2100, 1600, 3100: the third sample was taken before the second.
    const t = readSamples(profile([100, 1_000, -500, 1_500], 4_000));
    expect(Array.from(t.times)).toEqual([1_100, 1_600, 2_100, 3_100]);
    expect(t.nodes).toEqual([1, 3, 2, 4]);
    expect(Array.from(t.durations)).toEqual([500, 500, 1_000, 900]);
  });

  it('lets the last sample last until endTime, and not below zero when it is later', () => {
    expect(Array.from(readSamples(profile([100, 1_000], 5_000)).durations)).toEqual([1_000, 2_900]);
    expect(Array.from(readSamples(profile([100, 1_000], 1_500)).durations)).toEqual([1_000, 0]);
  });
});

describe('samplingStats', () => {
  it('spreads the sampled time over the samples and names the usual gap apart', () => {
    // Gaps of 1, 1 and 7 ms, the last sample 1 ms until endTime: 10 ms over 4 samples.
    const s = samplingStats(profile([0, 1_000, 1_000, 7_000], 11_000));
    expect(s).toEqual({ wallMs: 10, durationMs: 10, sampleCount: 4, intervalUs: 2_500, medianGapUs: 1_000 });
  });

  it('is all zeros but the wall time without samples', () => {
    expect(samplingStats(profile([], 3_000))).toEqual({ wallMs: 2, durationMs: 0, sampleCount: 0, intervalUs: 0, medianGapUs: 0 });
  });
});
