import { describe, expect, it } from 'vitest';
import { RunHandle } from './types';
import { LiveFeed, mergedResult, Recorder, Window } from './recorder';

describe('Recorder', () => {
  it('counts successes and failures by kind, with the rate over its own measured interval', () => {
    const rec = new Recorder('get');
    rec.start(0);
    rec.start(500); // a later start keeps the first
    for (let i = 1; i <= 100; i++) rec.ok(i / 100);
    rec.fail('WRONGTYPE');
    rec.fail('timeout', 2, 3); // three at once, with a latency
    rec.stop(2_000);
    const result = rec.result();
    expect(result).toMatchObject({ name: 'get', count: 104, errors: 4, errorsByKind: { WRONGTYPE: 1, timeout: 3 }, rate: 52 });
    // 101 latencies: 0.01 … 1 ms and the timeout's 2 ms (the refused call has none).
    expect(result.latency.min).toBe(0.01);
    expect(result.latency.max).toBe(2);
    expect(result.latency.p50).toBeCloseTo(0.51, 2);
    expect(result.uncorrectedLatency).toBeUndefined();
  });

  it('keeps the latency from the actual send apart when asked, and an error status with its latency', () => {
    const rec = new Recorder('scenario', { uncorrected: true });
    rec.start(0);
    rec.record(10, 2, undefined);
    rec.record(20, 4, 'status:500');
    rec.stop(1_000);
    const result = rec.result();
    expect(result).toMatchObject({ count: 2, errors: 1, errorsByKind: { 'status:500': 1 }, rate: 2 });
    expect(result.latency).toMatchObject({ min: 10, max: 20 });
    expect(result.uncorrectedLatency).toMatchObject({ min: 2, max: 4 });
  });

  it('merges recorders: counts summed, histograms merged (not percentiles averaged), the rate over their intervals', () => {
    const fast = new Recorder('set');
    const slow = new Recorder('get');
    fast.start(0);
    for (let i = 0; i < 990; i++) fast.ok(1);
    fast.stop(1_000);
    slow.start(1_000);
    for (let i = 0; i < 10; i++) slow.ok(100);
    slow.fail('connection');
    slow.stop(2_000);
    const overall = mergedResult('overall', [fast, slow]);
    expect(overall).toMatchObject({ name: 'overall', count: 1_001, errors: 1, errorsByKind: { connection: 1 }, rate: 500.5 });
    // Of 1,000 latencies, 990 are 1 ms: the merged p99 is 1 ms (an average of the two p99s would be 50.5).
    expect(overall.latency.p99).toBe(1);
    expect(overall.latency.max).toBe(100);
  });
});

describe('Window', () => {
  it('gives the completions since it was last taken as one timeline point, then starts again', () => {
    const window = new Window(0);
    const a = new Recorder('a', { window });
    const b = new Recorder('b', { window });
    for (let i = 1; i <= 100; i++) a.ok(i / 10);
    b.fail('timeout');
    expect(window.pending).toBe(101);
    const point = window.take(500, 0, 'phase');
    expect(point).toMatchObject({ t: 0.5, phase: 'phase', rps: 202, errors: 1 });
    expect(point.p50).toBeCloseTo(5, 1);
    expect(point.p99).toBeCloseTo(9.9, 1);
    expect(window.pending).toBe(0);
    expect(window.since).toBe(500);
    expect(window.take(1_500, 0)).toMatchObject({ t: 1.5, rps: 0, p50: 0, p99: 0, errors: 0 });
  });
});

describe('LiveFeed', () => {
  it('samples the recorder it follows, once more when it follows another, and keeps the timeline', () => {
    const handle = new RunHandle(async () => ({ status: 'completed', target: 't', phases: [], operations: [], metrics: {} }));
    const samples: { phase?: string; total: number }[] = [];
    const progress: { fraction: number; phase?: string }[] = [];
    handle.on('sample', (s) => samples.push(s));
    handle.on('progress', (p) => progress.push(p));
    const feed = new LiveFeed(handle);
    const first = new Recorder('first');
    const second = new Recorder('second');
    feed.follow('one', first, () => 0.25);
    for (let i = 0; i < 5; i++) first.ok(1);
    feed.follow('two', second, () => 0.75);
    second.ok(2);
    second.fail('timeout');
    first.ok(1); // no longer followed: not in the live numbers
    feed.end();
    expect(samples).toEqual([
      expect.objectContaining({ phase: 'one', total: 5, errors: 0 }),
      expect.objectContaining({ phase: 'two', total: 7, errors: 1 }),
    ]);
    expect(feed.timeline.map((p) => p.phase)).toEqual(['one', 'two']);
    expect(progress.map((p) => [p.phase, p.fraction])).toEqual([['one', 0.25], ['two', 0.75], ['two', 0.75]]);
  });
});
