import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { LOOP_DELAY_RESOLUTION_MS, loopDelayStats, netLoopDelayMs, netLoopDelayStats, type DelayHistogram } from './loopDelay';

/** A histogram of known values (ns), with percentiles by the nearest-rank rule. */
function histogramOf(valuesMs: number[]): DelayHistogram {
  const ns = valuesMs.map((v) => v * 1e6).sort((a, b) => a - b);
  return {
    count: ns.length,
    min: ns[0] ?? 0,
    max: ns[ns.length - 1] ?? 0,
    mean: ns.reduce((a, b) => a + b, 0) / (ns.length || 1),
    percentile: (p) => ns[Math.max(0, Math.ceil((p / 100) * ns.length) - 1)] ?? 0,
  };
}

describe('event-loop delay net of the timer resolution', () => {
  it('takes the resolution off each recorded value, never below 0', () => {
    expect(netLoopDelayMs(10.4)).toBeCloseTo(0.4, 9);
    expect(netLoopDelayMs(210)).toBe(200);
    expect(netLoopDelayMs(9.6)).toBe(0);
    expect(netLoopDelayMs(25, 20)).toBe(5);
  });

  it('shifts every statistic of a histogram by the resolution', () => {
    // 98 idle ticks and two 50 ms blocks.
    const values = [...Array.from({ length: 98 }, (_, i) => 10 + (i % 5) / 10), 60, 60];
    const s = loopDelayStats(histogramOf(values));
    expect(s).toMatchObject({ count: 100, min: 0, p50: expect.closeTo(0.2, 9), p99: 50, max: 50 });
    expect(s.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 100 - LOOP_DELAY_RESOLUTION_MS, 9);
    expect(loopDelayStats(histogramOf([]))).toEqual({ count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  });

  it('gives the same figures from values already in ms (the injected monitor) as from a histogram', () => {
    const h = histogramOf([10.1, 10.2, 10.3, 35, 10.05]);
    const ms = (ns: number) => ns / 1e6;
    const recorded = { count: h.count, min: ms(h.min), mean: ms(h.mean), p50: ms(h.percentile(50)), p90: ms(h.percentile(90)), p99: ms(h.percentile(99)), max: ms(h.max) };
    expect(netLoopDelayStats(recorded, LOOP_DELAY_RESOLUTION_MS)).toEqual(loopDelayStats(h));
  });

  it('reads a real idle loop as about 0, not as the resolution', async () => {
    const h = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    h.enable();
    await new Promise((r) => setTimeout(r, 300));
    h.disable();
    expect(h.percentile(50) / 1e6).toBeGreaterThan(LOOP_DELAY_RESOLUTION_MS - 1);
    expect(loopDelayStats(h).p50).toBeLessThan(1);
  });
});
