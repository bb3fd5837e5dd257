import { describe, expect, it } from 'vitest';
import { errorRate, LatencyHistogram, latencyMetrics } from './stats';

/** Nearest-rank percentile of raw values: the independent reference the histogram must match. */
function exactPercentile(sorted: number[], p: number): number {
  // The rank in decimal, not binary, arithmetic: 0.999 × 20,000 is 19,980, not 19,980.000000000004.
  const rank = Math.ceil(Number(((p / 100) * sorted.length).toFixed(6)));
  return sorted[Math.max(0, rank - 1)]!;
}

/** A deterministic pseudo-random sequence (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const distributions: Record<string, (r: () => number) => number> = {
  uniform: (r) => 0.2 + r() * 50,
  lognormal: (r) => Math.exp(1 + 0.9 * Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r())),
  bimodal: (r) => (r() < 0.97 ? 1 + r() * 3 : 180 + r() * 30),
};

describe('LatencyHistogram', () => {
  it.each(Object.keys(distributions))('percentiles of %s latencies equal the exact ones within histogram precision', (name) => {
    const next = rng(42);
    const values = Array.from({ length: 50_000 }, () => Math.round(distributions[name]!(next) * 1000) / 1000);
    const h = LatencyHistogram.create();
    for (const v of values) h.recordMs(v);
    const sorted = [...values].sort((a, b) => a - b);
    const s = h.summary();
    // Three significant digits: a reported value is within 0.1% (+1 µs of rounding) of the exact one.
    const close = (actual: number, exact: number) => expect(Math.abs(actual - exact)).toBeLessThanOrEqual(exact * 0.001 + 0.001);
    close(s.p50, exactPercentile(sorted, 50));
    close(s.p90, exactPercentile(sorted, 90));
    close(s.p95, exactPercentile(sorted, 95));
    close(s.p99, exactPercentile(sorted, 99));
    close(s.max, sorted[sorted.length - 1]!);
    close(s.min, sorted[0]!);
    close(s.mean, values.reduce((a, b) => a + b, 0) / values.length);
    expect(h.count).toBe(values.length);
  });

  it.each(Object.keys(distributions))('the distribution of %s latencies: each percentile the count resolves, equal to the exact one, then the max', (name) => {
    const next = rng(7);
    const values = Array.from({ length: 20_000 }, () => Math.round(distributions[name]!(next) * 1000) / 1000);
    const h = LatencyHistogram.create();
    for (const v of values) h.recordMs(v);
    const sorted = [...values].sort((a, b) => a - b);
    const points = h.distribution();
    // 20,000 values resolve percentiles up to 99.995 (one value above it); 99.999 and beyond would be the max again.
    expect(points.map((q) => q.p)).toEqual([0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 100]);
    for (const { p, ms } of points) {
      const exact = p === 0 ? sorted[0]! : exactPercentile(sorted, p);
      expect(Math.abs(ms - exact), `p${p}`).toBeLessThanOrEqual(exact * 0.001 + 0.001);
    }
    expect(points.at(-1)!.ms).toBe(sorted.at(-1));
    expect(points.every((q, i) => i === 0 || q.ms >= points[i - 1]!.ms)).toBe(true);
    expect(LatencyHistogram.create().distribution()).toEqual([]);
  });

  it('merges across histograms and threads exactly as if recorded in one', () => {
    const next = rng(7);
    const all = LatencyHistogram.create();
    const parts = [LatencyHistogram.create(), LatencyHistogram.create(), LatencyHistogram.create()];
    for (let i = 0; i < 30_000; i++) {
      const v = distributions.lognormal!(next);
      all.recordMs(v);
      parts[i % 3]!.recordMs(v);
    }
    const merged = LatencyHistogram.create();
    for (const p of parts) merged.add(LatencyHistogram.deserialize(JSON.parse(JSON.stringify(p.serialize()))));
    expect(merged.summary()).toEqual(all.summary());
    expect(merged.count).toBe(30_000);
  });

  it('never reports a percentile above the maximum or below the minimum', () => {
    const h = LatencyHistogram.create();
    for (let i = 0; i < 100; i++) h.recordMicros(3290);
    const s = h.summary();
    expect([s.p50, s.p90, s.p99, s.max]).toEqual([3.29, 3.29, 3.29, 3.29]);
  });

  it('reports zeros when empty and clamps values outside the trackable range', () => {
    expect(LatencyHistogram.create().summary()).toEqual({ min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 });
    const h = LatencyHistogram.create();
    h.recordMs(0);
    h.recordMs(10 * 3_600_000);
    expect(h.summary().min).toBe(0.001);
    expect(h.summary().max).toBe(3_600_000);
  });

  it('names metrics by the catalog and computes error rates', () => {
    const m = latencyMetrics('scenario.a.', { min: 1, mean: 2, p50: 3, p90: 4, p95: 5, p99: 6, max: 7 });
    expect(m['scenario.a.latency.p99']).toBe(6);
    expect(errorRate({ count: 200, errors: 1 })).toBe(0.005);
    expect(errorRate({ count: 0, errors: 0 })).toBe(0);
  });
});
