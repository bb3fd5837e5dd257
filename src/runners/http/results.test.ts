import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../core/stats';
import type { PhaseData, ScenarioData } from './protocol';
import { PhaseRecorder } from './recorder';
import { buildOutcome } from './results';

/** Exact percentile, the same definition as HDR: the smallest value with ≥ p % at or below it. */
function exact(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function scenarioData(name: string, latenciesUs: number[], uncorrectedUs?: number[], errors: Record<string, number> = {}): ScenarioData {
  const h = LatencyHistogram.create();
  for (const v of latenciesUs) h.recordMicros(v);
  const out: ScenarioData = {
    name,
    count: latenciesUs.length,
    errors: Object.values(errors).reduce((a, b) => a + b, 0),
    errorsByKind: errors,
    latency: h.serialize(),
  };
  if (uncorrectedUs) {
    const u = LatencyHistogram.create();
    for (const v of uncorrectedUs) u.recordMicros(v);
    out.uncorrected = u.serialize();
  }
  return out;
}

function phase(name: string, model: 'open' | 'closed', scenarios: ScenarioData[], durationMs = 1000): PhaseData {
  return {
    index: 0, name, model, durationMs, stopped: false, scenarios,
    unattributed: { count: 0, errors: 0, errorsByKind: {} },
    health: { lagP99Ms: 1, lateSends: 2, lateSendMaxMs: 7, generatorBound: false },
  };
}

/** Deterministic, skewed latencies in µs (a long tail, like real ones). */
function latencies(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const u = x / 2 ** 31;
    return Math.round(200 + 50_000 * u ** 6);
  });
}

describe('buildOutcome', () => {
  it('percentile truth: merged HDR percentiles equal the exact percentiles of the raw latencies', () => {
    const a = latencies(30_000, 1);
    const b = latencies(20_000, 2);
    const c = latencies(5_000, 3).map((v) => v * 3);
    // Phase one goes through the worker's recorder exactly as a run records it.
    const recorder = new PhaseRecorder(['x', 'y'], true, { count: 0 });
    a.forEach((v) => recorder.response(0, v, v / 2, undefined));
    b.forEach((v) => recorder.response(1, v, v / 2, undefined));
    const out = buildOutcome({
      status: 'completed', target: 'http://127.0.0.1:1', timeline: [],
      phases: [phase('one', 'open', recorder.finish().scenarios), phase('two', 'closed', [scenarioData('x', c)])],
    });
    const all = [...a, ...b, ...c].sort((p, q) => p - q);
    const o = out.overall!;
    expect(o.count).toBe(all.length);
    for (const [stat, p] of [['p50', 50], ['p90', 90], ['p95', 95], ['p99', 99]] as const) {
      const truth = exact(all, p) / 1000;
      // Three significant digits: within 0.1 % (plus rounding to whole µs).
      expect(Math.abs(o.latency[stat] - truth)).toBeLessThanOrEqual(truth * 0.001 + 0.001);
    }
    expect(o.latency.max).toBe(all[all.length - 1]! / 1000);
    expect(o.latency.min).toBe(all[0]! / 1000);
    // Per scenario, merged across phases.
    const x = [...a, ...c].sort((p, q) => p - q);
    const sx = out.operations.find((s) => s.name === 'x')!;
    expect(sx.count).toBe(x.length);
    expect(Math.abs(sx.latency.p99 - exact(x, 99) / 1000)).toBeLessThanOrEqual(exact(x, 99) / 1000 * 0.001 + 0.001);
  });

  it('reports per phase and scenario, uncorrected latency where an arrival rate was set, and every catalog metric', () => {
    const open = phase('warm-up', 'open', [
      scenarioData('send', [10_000, 20_000, 30_000], [1_000, 2_000, 3_000], { 'status:500': 1 }),
      scenarioData('read', [5_000], [500]),
    ], 2000);
    const closed = phase('saturate', 'closed', [scenarioData('send', [4_000, 6_000]), scenarioData('read', [])], 1000);
    closed.unattributed = { count: 2, errors: 2, errorsByKind: { ECONNRESET: 2 } };
    const out = buildOutcome({ status: 'completed', target: 't', timeline: [], phases: [open, closed], lagP99Ms: 3.5 });

    expect(out.phases.map((p) => [p.name, p.model, p.count, p.errors, p.rate])).toEqual([
      ['warm-up', 'open', 4, 1, 2],
      ['saturate', 'closed', 4, 2, 4],
    ]);
    expect(out.phases[0]!.uncorrectedLatency?.max).toBe(3);
    expect(out.phases[1]!.uncorrectedLatency).toBeUndefined();
    expect(out.overall).toMatchObject({ count: 8, errors: 3, errorsByKind: { 'status:500': 1, ECONNRESET: 2 }, rate: 2.67 });
    expect(out.overall!.uncorrectedLatency?.max).toBe(6); // closed-loop latency counts as uncorrected too
    expect(out.generator).toEqual({ lagP99Ms: 3.5, lateSends: 4, lateSendMaxMs: 7, generatorBound: false });

    const m = out.metrics;
    expect(m['latency.max']).toBe(30);
    expect(m['latency.uncorrected.p50']).toBeGreaterThan(0);
    expect(m.rps).toBe(2.67);
    expect(m.requests).toBe(8);
    expect(m['errors.count']).toBe(3);
    expect(m['errors.rate']).toBeCloseTo(3 / 8);
    expect(m['scenario.send.errors.rate']).toBeCloseTo(1 / 5);
    expect(m['scenario.read.rps']).toBeCloseTo(0.33);
    expect(m['scenario.send.latency.p99']).toBeCloseTo(30, 1); // HDR: three significant digits
    expect(m['phase.saturate.rps']).toBe(4);
    expect(m['phase.warm-up.latency.max']).toBe(30);
    expect(m['generator.lag.p99']).toBe(3.5);
    expect(m['generator.late']).toBe(4);
  });

  it('has no overall or metrics when nothing ran', () => {
    const out = buildOutcome({ status: 'cancelled', target: 't', phases: [], timeline: [] });
    expect(out).toMatchObject({ status: 'cancelled', phases: [], operations: [], metrics: {} });
    expect(out.overall).toBeUndefined();
  });

  it('carries the generator-bound verdict and its message', () => {
    const p = phase('p', 'open', [scenarioData('s', [1000], [1000])]);
    p.health = { ...p.health, generatorBound: true, message: 'phase "p": the load generator was the limit' };
    const out = buildOutcome({ status: 'completed', target: 't', phases: [p], timeline: [] });
    expect(out.generator).toMatchObject({ generatorBound: true, message: 'phase "p": the load generator was the limit' });
  });
});
