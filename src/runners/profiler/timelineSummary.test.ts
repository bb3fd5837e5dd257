import { describe, expect, it } from 'vitest';
import type { LoopDelaySummary } from '../../core/runRecord';
import { processMetrics, slopePerMinute, summarizeTimeline } from './timelineSummary';
import type { MonitorSample } from './types';

const MIN_US = 60e6;
const delay = (p99: number, max: number): LoopDelaySummary => ({ count: 50, min: 0, mean: 0.1, p50: 0.1, p90: 0.2, p99, max });

function sample(i: number, over: Partial<MonitorSample> = {}): MonitorSample {
  return {
    t: (i + 1) * 0.5, at: 0, monoUs: (i + 1) * 500_000, intervalMs: 500, loopDelay: delay(0.2, 0.3),
    heapUsed: 10e6, heapTotal: 20e6, rss: 50e6, external: 0, arrayBuffers: 0, peak: { heapUsed: 12e6, rss: 50e6 },
    cpu: { user: 0.1, system: 0.05 }, gc: { count: 1, pauseMs: 2, maxPauseMs: 2, afterMajor: [] },
    ...over,
  };
}

describe('slopePerMinute', () => {
  it('is the least-squares slope, in bytes per minute', () => {
    // y = 5 MB + 2 MB/min · t, with symmetric noise that leaves the fit unchanged.
    const points = [0, 1, 2, 3, 4].map((m, i) => [m * MIN_US, 5e6 + 2e6 * m + (i % 2 ? 1e5 : -1e5) * (i === 4 ? 0 : 1)] as const);
    // Independent: the normal equations on minutes.
    const xs = points.map(([t]) => t / MIN_US);
    const ys = points.map(([, y]) => y);
    const n = xs.length;
    const sx = xs.reduce((a, b) => a + b, 0);
    const sy = ys.reduce((a, b) => a + b, 0);
    const sxy = xs.reduce((a, x, i) => a + x * ys[i]!, 0);
    const sxx = xs.reduce((a, x) => a + x * x, 0);
    expect(slopePerMinute(points)).toBeCloseTo((n * sxy - sx * sy) / (n * sxx - sx * sx), 6);
    expect(slopePerMinute([[0, 1], [MIN_US, 3]])).toBeCloseTo(2, 9);
  });

  it('has no value without two points at different times', () => {
    expect(slopePerMinute([])).toBeUndefined();
    expect(slopePerMinute([[5, 100]])).toBeUndefined();
    expect(slopePerMinute([[5, 100], [5, 200]])).toBeUndefined();
  });
});

describe('summarizeTimeline', () => {
  it('takes peaks over the samples, percentiles from the window, and growth from post-GC heap points', () => {
    const samples = [
      sample(0, { heapUsed: 30e6, rss: 70e6, peak: { heapUsed: 31e6, rss: 71e6 }, cpu: { user: 0.5, system: 0.2 }, gc: { count: 2, pauseMs: 5, maxPauseMs: 4, afterMajor: [{ monoUs: 400_000, heapUsed: 8e6 }] } }),
      sample(1, { loopDelay: delay(40, 45), cpu: { user: 0.9, system: 0.3 } }),
      sample(2, { gc: { count: 3, pauseMs: 9, maxPauseMs: 6, afterMajor: [{ monoUs: 400_000 + 30e6, heapUsed: 9e6 }] } }),
    ];
    const window = delay(12.5, 45);
    const s = summarizeTimeline({ samples, loopDelay: window });
    expect(s).toMatchObject({
      samples: 3, coveredS: 1.5, loopDelay: window, heapUsedMax: 31e6, rssMax: 71e6, majorGcs: 2,
      gc: { count: 6, pauseMs: 16, maxPauseMs: 6 },
    });
    expect(s.cpu.max).toBeCloseTo(1.2, 9);
    expect(s.cpu.mean).toBeCloseTo((0.7 + 1.2 + 0.15) / 3, 9);
    // 1 MB more after major GCs half a minute apart: 2 MB per minute.
    expect(s.heapGrowthPerMin).toBeCloseTo(2e6, 3);
    expect(processMetrics(s)).toEqual({
      'memory.rss.max': 71e6, 'memory.heapUsed.max': 31e6, 'memory.heapUsed.growth': s.heapGrowthPerMin,
      'eventLoop.lag.p99': 12.5, 'eventLoop.lag.max': 45, 'cpu.max': s.cpu.max,
    });
  });

  it('gives no growth with fewer than two major GCs', () => {
    const s = summarizeTimeline({ samples: [sample(0), sample(1)], loopDelay: delay(0.2, 0.3) });
    expect(s.heapGrowthPerMin).toBeUndefined();
    expect(processMetrics(s)).not.toHaveProperty('memory.heapUsed.growth');
  });

  it('adds the live heap read after forced GCs around the run to the post-GC points', () => {
    const samples = [sample(0, { gc: { count: 1, pauseMs: 1, maxPauseMs: 1, afterMajor: [{ monoUs: 30e6, heapUsed: 7e6 }] } })];
    // Before (t = 0: 6 MB), one natural major GC (t = 0.5 min: 7 MB), after (t = 1 min: 8 MB): 2 MB/min.
    const s = summarizeTimeline({ samples, loopDelay: delay(0.2, 0.3) }, [{ monoUs: 60e6, heapUsed: 8e6 }, { monoUs: 0, heapUsed: 6e6 }]);
    expect(s.heapGrowthPerMin).toBeCloseTo(2e6, 3);
    expect(s.majorGcs).toBe(1);
  });
});
