import { describe, expect, it } from 'vitest';
import type { CpuProfile } from './cpu';
import { attributeLagSpikes } from './spikes';
import type { MonitorSample } from './types';

const START = 5_000_000; // µs on the target's monotonic clock

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });

/** 1 ms samples for `ms` milliseconds; `at(t)` names the node sampled at millisecond t. */
function profile(ms: number, at: (t: number) => number): CpuProfile {
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  for (let t = 0; t < ms; t++) {
    samples.push(at(t));
    timeDeltas.push(1_000);
  }
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3, 5, 6] },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('renderPreview', 'file:///repo/examples/hot.js', 28), children: [4] },
      // Time in Node's own code is charged to the application frame that called it.
      { id: 4, callFrame: frame('update', 'node:internal/crypto/hash', 100) },
      { id: 5, callFrame: frame('handler', 'file:///repo/server.js', 10) },
      { id: 6, callFrame: frame('(garbage collector)') },
    ],
    startTime: START,
    endTime: START + ms * 1_000,
    samples,
    timeDeltas,
  };
}

function sample(endMs: number, maxDelay: number): MonitorSample {
  return {
    t: endMs / 1000,
    at: 0,
    monoUs: START + endMs * 1_000,
    intervalMs: 500,
    loopDelay: { count: 50, min: 0, mean: 1, p50: 1, p90: 1, p99: maxDelay, max: maxDelay },
    heapUsed: 1,
    heapTotal: 1,
    rss: 1,
    external: 0,
    arrayBuffers: 0,
    peak: { heapUsed: 1, rss: 1 },
    cpu: { user: 0, system: 0 },
    gc: { count: 0, pauseMs: 0, maxPauseMs: 0, afterMajor: [] },
  };
}

describe('attributeLagSpikes', () => {
  // Idle, except a 240 ms block from 1300 ms: 90 % renderPreview (half of it inside crypto), 10 % handler.
  const p = profile(2_000, (t) => {
    if (t < 1_300 || t >= 1_540) return t % 50 === 0 ? 5 : 2;
    const k = t - 1_300;
    if (k % 10 === 0) return 5;
    return k % 2 ? 3 : 4;
  });

  it('names the function that owned the samples of the block', () => {
    const timeline = [sample(500, 2), sample(1_000, 3), sample(1_500, 235), sample(2_000, 4)];
    const spikes = attributeLagSpikes(p, timeline, { cwd: '/repo', startMonoUs: START });
    expect(spikes).toHaveLength(1);
    const [spike] = spikes;
    expect(spike!.atS).toBeCloseTo(1.3, 2);
    expect(spike!.busyMs).toBeCloseTo(239, 0);
    expect(spike!.culprits[0]).toMatchObject({ name: 'renderPreview', line: 29 });
    expect(spike!.culprits[0]!.share).toBeCloseTo(0.9, 2);
    expect(spike!.culprits[1]).toMatchObject({ name: 'handler', url: 'file:///repo/server.js', line: 11 });
    expect(spike!.message).toBe('during the 235 ms spike at 1.3 s, 90.0% of samples were in `renderPreview` (examples/hot.js:29)');
  });

  it('reports one spike when two intervals see the same block', () => {
    const timeline = [sample(500, 2), sample(1_000, 3), sample(1_500, 235), sample(2_000, 120)];
    expect(attributeLagSpikes(p, timeline, { startMonoUs: START })).toHaveLength(1);
  });

  it('ignores intervals below the threshold', () => {
    const timeline = [sample(500, 2), sample(1_000, 3), sample(1_500, 45), sample(2_000, 4)];
    expect(attributeLagSpikes(p, timeline)).toEqual([]);
    expect(attributeLagSpikes(p, timeline, { thresholdMs: 40 })).toHaveLength(1);
  });

  it('reads samples in time order when V8 stamped some out of order', () => {
    // The same profile, except that one sample inside the block was stamped 500 ms late (its
    // delta +500 ms, the next one's -499 ms): in time order it belongs near the end. Read in array
    // order, the block looks cut at 1.4 s.
    const late = structuredClone(p);
    const k = 1_400;
    late.timeDeltas![k] = 501_000;
    late.timeDeltas![k + 1] = 1_000 - 500_000;
    const timeline = [sample(500, 2), sample(1_000, 3), sample(1_500, 235), sample(2_000, 4)];
    const [spike] = attributeLagSpikes(late, timeline, { cwd: '/repo', startMonoUs: START });
    expect(spike!.atS).toBeCloseTo(1.3, 2);
    expect(spike!.busyMs).toBeCloseTo(239, 0);
    expect(spike!.culprits[0]).toMatchObject({ name: 'renderPreview', line: 29 });
    expect(spike!.culprits[0]!.share).toBeCloseTo(0.9, 2);
  });

  it('measures the longest unbroken call: one long block, against many short calls of the same share', () => {
    // 0.8–0.92 s: one call of renderPreview (a GC sample every 20 ms inside it does not end it).
    // 1.3–1.54 s: renderPreview 5 ms, then handler 1 ms, over and over (a busy CPU, no block).
    const q = profile(2_000, (t) => {
      if (t >= 800 && t < 920) return t % 20 === 10 ? 6 : 3;
      if (t >= 1_300 && t < 1_540) return (t - 1_300) % 6 === 5 ? 5 : 3;
      return 2;
    });
    const timeline = [sample(500, 2), sample(1_000, 118), sample(1_500, 235), sample(2_000, 4)];
    const [block, busy] = attributeLagSpikes(q, timeline, { startMonoUs: START });
    expect(block!.culprits[0]).toMatchObject({ name: 'renderPreview' });
    // Samples 800..919, each lasting 1 ms: 120 ms, the GC samples inside included.
    expect(block!.culprits[0]!.longestMs).toBeCloseTo(120, 6);
    expect(busy!.culprits[0]).toMatchObject({ name: 'renderPreview' });
    expect(busy!.culprits[0]!.share).toBeCloseTo(200 / 240, 6);
    expect(busy!.culprits[0]!.longestMs).toBeCloseTo(5, 6);
    expect(busy!.culprits[1]).toMatchObject({ name: 'handler', longestMs: 1 });
  });

  it('says so when the profile has no samples for a spike', () => {
    const idle = profile(2_000, () => 2);
    const [spike] = attributeLagSpikes(idle, [sample(500, 300)], { startMonoUs: START });
    expect(spike!.samples).toBe(0);
    expect(spike!.message).toMatch(/no samples/);
  });
});
