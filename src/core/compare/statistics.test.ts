import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../stats';
import { change, meanLogVariance, percentileLogVariance, proportionVariance } from './statistics';

/** A small seeded generator (mulberry32), so every run of the test sees the same values. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latencies like a service's: log-normal around 5 ms with a long right tail. */
function latencies(n: number, seed: number): number[] {
  const rnd = random(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    out.push(5 * Math.exp(0.5 * z));
  }
  return out;
}

/** The variance of the log of a percentile over bootstrap resamples of the raw values: the independent reference. */
function bootstrapLogVariance(values: readonly number[], p: number, rounds: number, seed: number): number {
  const rnd = random(seed);
  const n = values.length;
  const logs: number[] = [];
  const resample = new Float64Array(n);
  for (let b = 0; b < rounds; b++) {
    for (let i = 0; i < n; i++) resample[i] = values[Math.floor(rnd() * n)]!;
    resample.sort();
    logs.push(Math.log(resample[Math.max(0, Math.ceil((p / 100) * n) - 1)]!));
  }
  const mean = logs.reduce((s, x) => s + x, 0) / rounds;
  return logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (rounds - 1);
}

function histogramOf(values: readonly number[]): LatencyHistogram {
  const h = LatencyHistogram.create();
  for (const v of values) h.recordMs(v);
  return h;
}

describe('the sampling uncertainty of one run', () => {
  const values = latencies(4000, 7);
  const histogram = histogramOf(values);

  for (const p of [50, 95, 99]) {
    it(`of p${p} matches a bootstrap of the raw values (within 30 %)`, () => {
      const reference = bootstrapLogVariance(values, p, 1500, p);
      const ours = percentileLogVariance(histogram, p);
      expect(ours / reference).toBeGreaterThan(0.7);
      expect(ours / reference).toBeLessThan(1.3);
    });
  }

  it('of the mean is the spread over the count, as for any mean', () => {
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    // The histogram keeps three significant digits: its moments agree with the raw values to about 0.1 %.
    expect(meanLogVariance(histogram)).toBeCloseTo((sd / mean) ** 2 / values.length, 7);
  });

  it('is nothing for an empty histogram, and shrinks as the run grows', () => {
    expect(percentileLogVariance(LatencyHistogram.create(), 99)).toBe(0);
    const small = percentileLogVariance(histogramOf(latencies(500, 3)), 99);
    const large = percentileLogVariance(histogramOf(latencies(50_000, 3)), 99);
    expect(large).toBeLessThan(small / 20);
  });

  it('of a proportion with no errors is still above zero', () => {
    expect(proportionVariance(0, 1000)).toBeGreaterThan(0);
    // (1+1)/(100+2) = 0.0196…; p(1-p)/(n+2)
    expect(proportionVariance(1, 100)).toBeCloseTo((2 / 102) * (100 / 102) / 102, 12);
  });
});

describe('the change between two sets of runs', () => {
  it('from repeated runs is the pooled Student t interval on the logs', () => {
    const a = [10, 10.4, 9.8, 10.1, 10.2];
    const b = [10.9, 11.2, 10.8, 11.0, 11.3];
    const logs = (xs: number[]) => xs.map(Math.log);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const ss = (xs: number[]) => xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0);
    const pooled = (ss(logs(a)) + ss(logs(b))) / 8;
    const half = 2.306004135 * Math.sqrt(pooled * (2 / 5)); // t(0.975, 8)
    const diff = mean(logs(b)) - mean(logs(a));
    const c = change(a.map((value) => ({ value, samplingVariance: 0 })), b.map((value) => ({ value, samplingVariance: 0 })), 'log', { assumed: 0.05 })!;
    expect(c.basis).toBe('repeats');
    expect(c.estimate).toBeCloseTo(Math.expm1(diff), 10);
    expect(c.low).toBeCloseTo(Math.expm1(diff - half), 8);
    expect(c.high).toBeCloseTo(Math.expm1(diff + half), 8);
  });

  it('of single runs adds the assumed noise to each run\'s sampling, with a normal interval', () => {
    const c = change([{ value: 10, samplingVariance: 0.0004 }], [{ value: 12, samplingVariance: 0.0009 }], 'log', { assumed: 0.05 })!;
    const half = 1.959963985 * Math.sqrt(0.0004 + 0.0009 + 2 * 0.05 ** 2);
    expect(c.basis).toBe('assumed-noise');
    expect(c.estimate).toBeCloseTo(0.2, 10);
    expect(c.low).toBeCloseTo(Math.expm1(Math.log(1.2) - half), 8);
    expect(c.high).toBeCloseTo(Math.expm1(Math.log(1.2) + half), 8);
  });

  it('of proportions is a difference, not a ratio', () => {
    const c = change([{ value: 0, samplingVariance: proportionVariance(0, 1000) }], [{ value: 0.05, samplingVariance: proportionVariance(50, 1000) }], 'linear', { assumed: 0 })!;
    expect(c.estimate).toBeCloseTo(0.05, 12);
    expect(c.low).toBeGreaterThan(0.03);
  });

  it('never narrows below the runs\' own sampling when repeats happen to agree', () => {
    const same = [{ value: 10, samplingVariance: 0.01 }, { value: 10, samplingVariance: 0.01 }];
    const c = change(same, same, 'log', { assumed: 0 })!;
    expect(c.high - c.low).toBeGreaterThan(0.1);
  });

  it('of single runs takes the spread of earlier runs when there is one, with their degrees of freedom', () => {
    const c = change([{ value: 10, samplingVariance: 0 }], [{ value: 11, samplingVariance: 0 }], 'log', { assumed: 0.3, history: { variance: 0.0004, df: 6 } })!;
    const half = 2.446911851 * Math.sqrt(0.0004 * 2); // t(0.975, 6)
    expect(c.basis).toBe('history');
    expect(c.low).toBeCloseTo(Math.expm1(Math.log(1.1) - half), 8);
  });

  it('widens with the confidence asked for', () => {
    const one = [{ value: 10, samplingVariance: 0 }];
    const wide = change(one, [{ value: 12, samplingVariance: 0 }], 'log', { assumed: 0.05 }, 0.999)!;
    const half = 3.290526731 * Math.sqrt(2 * 0.05 ** 2); // normal, 0.9995
    expect(wide.high).toBeCloseTo(Math.expm1(Math.log(1.2) + half), 8);
  });

  it('is undefined when one side has no value', () => {
    expect(change([], [{ value: 1, samplingVariance: 0 }], 'log', { assumed: 0.05 })).toBeUndefined();
    expect(change([{ value: 0, samplingVariance: 0 }], [{ value: 1, samplingVariance: 0 }], 'log', { assumed: 0.05 })).toBeUndefined();
  });
});
