import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCpu } from './analysis/cpu/cpuProfile';
import { validateCpuProfile } from './analysis/cpu/validate';
import { type CpuProfile, cpuProfileStats } from './cpu';

const FILE = path.resolve('test/fixtures/analysis/tiny.cpuprofile');

/** The tiny profile with the gaps of a sampler that falls behind now and then: mostly 1 ms, twice 10 ms. */
function irregular(): CpuProfile {
  const p = JSON.parse(readFileSync(FILE, 'utf8')) as CpuProfile;
  p.timeDeltas = [400, 1_000, 1_000, 10_000, 1_000, 10_000, 1_000, 1_000];
  // First sample at 1400 µs, last at 26400 µs; the profile ends 600 µs later.
  p.endTime = p.startTime + 26_000;
  return p;
}

describe('the achieved sampling interval', () => {
  it('is the sampled time divided by the samples, the same for the capture and the analysis', () => {
    const p = irregular();
    const stats = cpuProfileStats(p);
    const a = analyzeCpu('irregular.cpuprofile', validateCpuProfile('irregular.cpuprofile', p));
    // Independently: sampled from the first sample (1400 µs after start) to endTime.
    const sampledUs = 26_000 - 400;
    expect(a.durationMs).toBeCloseTo(sampledUs / 1000, 9);
    expect(stats.durationMs).toBeCloseTo(sampledUs / 1000, 9);
    expect(a.intervalUs).toBeCloseTo(sampledUs / 8, 9);
    expect(stats.intervalUs).toBe(a.intervalUs);
    expect(stats.sampleCount).toBe(8);
    // "8 samples every X ms (D ms sampled)" adds up.
    expect(a.sampleCount * a.intervalUs).toBeCloseTo(a.durationMs * 1000, 6);
    // The usual gap is reported under its own name: 1 ms, though two gaps were 10 ms.
    expect(a.medianGapUs).toBe(1_000);
    expect(stats.medianGapUs).toBe(1_000);
    expect(stats.wallMs).toBe(26);
  });
});
