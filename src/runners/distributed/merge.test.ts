import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../core/stats';
import type { PhaseData } from '../http/protocol';
import { buildOutcome } from '../http/results';
import { LiveMerge } from './live';
import { mergePhases } from './merge';
import { checkSplit, peakShareRate, shardProfile } from './plan';
import type { HttpProfile } from '../../core/config/types';

function phaseOf(latencies: number[], over: Partial<PhaseData['health']> = {}): PhaseData {
  const h = LatencyHistogram.create();
  for (const ms of latencies) h.recordMs(ms);
  return {
    index: 0, name: 'steady', model: 'open', durationMs: 1_000, stopped: false,
    scenarios: [{ name: 'root', count: latencies.length, errors: 0, errorsByKind: {}, latency: h.serialize(), uncorrected: h.serialize() }],
    health: { lagP99Ms: 1, lateSends: 0, lateSendMaxMs: 0, sent: latencies.length, planned: latencies.length, generatorBound: false, ...over },
  };
}

describe('mergePhases', () => {
  it('gives the percentiles of the union of the agents\' latencies, not an average of theirs', () => {
    const a = Array.from({ length: 900 }, (_, i) => 1 + (i % 10));
    const b = Array.from({ length: 100 }, (_, i) => 200 + i);
    const merged = buildOutcome({ status: 'completed', target: 't', phases: mergePhases([{ agent: 'a', phases: [phaseOf(a)] }, { agent: 'b', phases: [phaseOf(b)] }]), timeline: [] });
    const union = LatencyHistogram.create();
    for (const ms of [...a, ...b]) union.recordMs(ms);
    expect(merged.overall!.count).toBe(1_000);
    expect(merged.overall!.latency).toEqual(union.summary());
    // The mean of the two p99s would be about 150 ms; the union's p99 is in b's tail.
    expect(merged.overall!.latency.p99).toBeGreaterThan(280);
  });

  it('survives JSON (a BullMQ return value), empty histograms included', () => {
    const empty = JSON.parse(JSON.stringify(phaseOf([]))) as PhaseData;
    const some = JSON.parse(JSON.stringify(phaseOf([5, 6, 7]))) as PhaseData;
    const [p] = mergePhases([{ agent: 'a', phases: [empty] }, { agent: 'b', phases: [some] }]);
    const h = LatencyHistogram.deserialize(p!.scenarios[0]!.latency);
    expect(h.count).toBe(3);
    expect(h.summary().min).toBe(5);
  });

  it('keeps each agent\'s generator verdict: one bound agent makes the run generator-bound, named', () => {
    const [p] = mergePhases([
      { agent: 'a', phases: [phaseOf([1])] },
      { agent: 'b', phases: [phaseOf([1], { generatorBound: true, message: 'the load generator was the limit', lateSends: 7 })] },
    ]);
    expect(p!.health.generatorBound).toBe(true);
    expect(p!.health.lateSends).toBe(7);
    expect(p!.health.sent).toBe(2);
    expect(p!.health.message).toBe('agent b: the load generator was the limit');
  });
});

describe('plan', () => {
  const profile = (phases: HttpProfile['phases']): HttpProfile => ({
    name: 'p', type: 'http', target: 'api', scale: 1, phases, scenarios: [], timeoutMs: 1_000, thresholds: [], source: { line: 1, column: 1 }, distributed: { agents: 3, joinTimeoutMs: 1 },
  });
  const closed = (connections: number) => ({ name: 'c', model: 'closed' as const, connections, pipelining: 1, durationMs: 1_000, duration: '1s' });
  const open = { name: 'o', model: 'open' as const, arrivalRate: 4500, rampTo: 6000, durationMs: 1_000, duration: '1s' };

  it('deals out connections, keeps arrival rates (each agent sends its share of the schedule)', () => {
    const p = profile([closed(10), open]);
    const shards = [0, 1, 2].map((i) => shardProfile(p, i, 3));
    expect(shards.map((s) => (s.phases[0] as ReturnType<typeof closed>).connections)).toEqual([4, 3, 3]);
    expect(shards[0]!.phases[1]).toEqual(open);
    expect(shards[0]!.distributed).toBeUndefined();
    expect(peakShareRate(p, 3)).toBe(2000);
  });

  it('refuses a split that leaves an agent without a connection', () => {
    expect(() => checkSplit(profile([closed(2)]), 3)).toThrow(/phase "c" \(2\) has fewer connections than agents/);
  });
});

describe('LiveMerge', () => {
  it('emits one point per window position once every running agent sent its window, rates added, percentiles merged', () => {
    const out: { rps: number; p99: number; total: number }[] = [];
    const live = new LiveMerge((s) => out.push(s));
    const h = (ms: number) => {
      const x = LatencyHistogram.create();
      x.recordMs(ms);
      return x.serialize();
    };
    const running = new Set(['a', 'b']);
    live.add('a', { t: 1, phase: 'steady#0', rps: 100, p50: 1, p99: 1, errors: 0 }, 100, h(1), running, 0);
    expect(out).toHaveLength(0);
    live.add('b', { t: 1.001, phase: 'steady#0', rps: 150, p50: 9, p99: 9, errors: 1 }, 150, h(9), running, 10);
    expect(out).toEqual([expect.objectContaining({ rps: 250, p99: 9, total: 250, errors: 1, phase: 'steady', t: 1.001 })]);
    live.add('a', { t: 2, phase: 'steady#1', rps: 100, p50: 1, p99: 1, errors: 0 }, 200, h(1), running, 1_000);
    live.flush(running, 3_000);
    expect(out).toHaveLength(2);
  });
});

describe('reports of a distributed run', () => {
  it('show the per-agent breakdown in text and Markdown', async () => {
    const { textReport } = await import('../../core/report/text');
    const { markdownReport } = await import('../../core/report/markdown');
    const overall = { name: 'overall', count: 100, errors: 0, rate: 10, latency: { min: 1, mean: 2, p50: 2, p90: 3, p95: 3, p99: 4, max: 5 } };
    const record = {
      version: 1, id: 'r', profile: 'p', type: 'http', status: 'failed', startedAt: '', endedAt: '', durationMs: 1, configHash: '', pass: false,
      environment: {} as never, phases: [], operations: [], thresholds: [], artifacts: [], overall,
      distributed: {
        requested: 2, redis: 'redis://127.0.0.1:6379/0', partial: true, missing: ['b'],
        agents: [
          { name: 'a', host: 'h', share: { index: 0, of: 2 }, status: 'stopped', clockOffsetMs: 0.25, clockUncertaintyMs: 0.1, overall, generator: { lagP99Ms: 1, lateSends: 0, lateSendMaxMs: 0, generatorBound: false } },
          { name: 'b', host: 'h', share: { index: 1, of: 2 }, status: 'lost', clockOffsetMs: -0.5, clockUncertaintyMs: 0.1 },
        ],
      },
    } as const;
    const text = textReport(record as never);
    expect(text).toMatch(/agents: 2 of 2 asked for, coordinated on redis:\/\/127\.0\.0\.1:6379\/0 — partial, missing b/);
    expect(text).toMatch(/^a\s+stopped\s+1\/2\s+\+0\.25 ms/m);
    expect(text).toMatch(/^b\s+lost\s+2\/2\s+−0\.50 ms.*—/m);
    expect(markdownReport(record as never)).toMatch(/\| a \| stopped \| 1\/2 \|/);
  });
});
