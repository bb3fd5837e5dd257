import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../core/stats';
import { TargetLiveness } from './liveness';
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
    const recorder = new PhaseRecorder(['x', 'y'], true, { count: 0, liveness: new TargetLiveness() });
    a.forEach((v) => recorder.response(0, v / 1000, v / 2000, undefined));
    b.forEach((v) => recorder.response(1, v / 1000, v / 2000, undefined));
    const out = buildOutcome({
      status: 'completed', target: 'http://127.0.0.1:1', timeline: [],
      phases: [phase('one', 'open', recorder.finish()), phase('two', 'closed', [scenarioData('x', c)])],
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
    const closed = phase('saturate', 'closed', [
      scenarioData('send', [4_000, 6_000], undefined, { ECONNRESET: 1 }),
      scenarioData('read', [1_000], undefined, { ECONNRESET: 1 }),
    ], 1000);
    const out = buildOutcome({ status: 'completed', target: 't', timeline: [], phases: [open, closed], lagP99Ms: 3.5 });

    expect(out.phases.map((p) => [p.name, p.model, p.count, p.errors, p.rate])).toEqual([
      ['warm-up', 'open', 4, 1, 2],
      ['saturate', 'closed', 3, 2, 3],
    ]);
    expect(out.phases[0]!.uncorrectedLatency?.max).toBe(3);
    expect(out.phases[1]!.uncorrectedLatency).toBeUndefined();
    expect(out.overall).toMatchObject({ count: 7, errors: 3, errorsByKind: { 'status:500': 1, ECONNRESET: 2 }, rate: 2.33 });
    expect(out.overall!.uncorrectedLatency?.max).toBe(6); // closed-loop latency counts as uncorrected too
    expect(out.generator).toEqual({ lagP99Ms: 3.5, lateSends: 4, lateSendMaxMs: 7, generatorBound: false });

    const m = out.metrics;
    expect(m['latency.max']).toBe(30);
    expect(m['latency.uncorrected.p50']).toBeGreaterThan(0);
    expect(m.rps).toBe(2.33);
    expect(m.requests).toBe(7);
    expect(m['errors.count']).toBe(3);
    expect(m['errors.rate']).toBeCloseTo(3 / 7);
    expect(m['scenario.send.errors.rate']).toBeCloseTo(2 / 5);
    expect(m['scenario.read.errors.rate']).toBeCloseTo(1 / 2);
    expect(m['scenario.read.rps']).toBeCloseTo(0.67);
    expect(m['scenario.send.latency.p99']).toBeCloseTo(30, 1); // HDR: three significant digits
    expect(m['phase.saturate.rps']).toBe(3);
    expect(m['phase.warm-up.latency.max']).toBe(30);
    expect(m['generator.lag.p99']).toBe(3.5);
    expect(m['generator.late']).toBe(4);
  });

  it('counts every failure once in its scenario, its phase and the run, as the recorder saw it', () => {
    const run = { count: 0, liveness: new TargetLiveness() };
    const truth = { heavy: { count: 0, errors: 0 }, light: { count: 0, errors: 0 } };
    const kinds = ['ECONNREFUSED', 'ECONNRESET', 'timeout', 'invalid-request'];
    const phases = (['open', 'closed'] as const).map((model, k) => {
      const recorder = new PhaseRecorder(['heavy', 'light'], model === 'open', run);
      for (let i = 0; i < 1_000; i++) {
        const s = i % 10 < 7 ? 0 : 1;
        const t = s === 0 ? truth.heavy : truth.light;
        t.count++;
        if ((i * 7 + k) % 3 === 0) {
          recorder.failure(s, kinds[i % kinds.length]!);
          t.errors++;
        } else {
          recorder.response(s, 1 + i / 1000, 0.5 + i / 1000, i % 50 === 0 ? 'status:500' : undefined);
          if (i % 50 === 0) t.errors++;
        }
      }
      return phase(model, model, recorder.finish());
    });
    const out = buildOutcome({ status: 'completed', target: 't', timeline: [], phases });
    const heavy = out.operations.find((o) => o.name === 'heavy')!;
    const light = out.operations.find((o) => o.name === 'light')!;
    expect({ count: heavy.count, errors: heavy.errors }).toEqual(truth.heavy);
    expect({ count: light.count, errors: light.errors }).toEqual(truth.light);
    const sum = (rows: { count: number; errors: number }[]) => rows.reduce((a, r) => ({ count: a.count + r.count, errors: a.errors + r.errors }), { count: 0, errors: 0 });
    expect(sum(out.phases)).toEqual({ count: out.overall!.count, errors: out.overall!.errors });
    expect(sum(out.operations)).toEqual({ count: out.overall!.count, errors: out.overall!.errors });
    expect(out.overall!.count).toBe(run.count);
    expect(out.overall!.errors).toBe(truth.heavy.errors + truth.light.errors);
  });

  it('merges the connection wait of every request across open phases', () => {
    const a = latencies(8_000, 4).map((v) => (v % 5 === 0 ? v : 0));
    const b = latencies(2_000, 5);
    const waits = (us: number[]) => {
      const h = LatencyHistogram.create();
      for (const v of us) h.recordMicros(v);
      return h.serialize();
    };
    const one = phase('one', 'open', [scenarioData('s', [1_000], [1_000])]);
    one.connectionWait = waits(a);
    const two = phase('two', 'open', [scenarioData('s', [1_000], [1_000])]);
    two.connectionWait = waits(b);
    const closed = phase('three', 'closed', [scenarioData('s', [1_000])]);
    const out = buildOutcome({ status: 'completed', target: 't', timeline: [], phases: [one, two, closed] });
    // Waits of 0 are recorded at the histogram's floor, 1 µs.
    const all = [...a, ...b].map((v) => Math.max(1, v)).sort((p, q) => p - q);
    const truth = exact(all, 99) / 1000;
    expect(Math.abs(out.generator!.connectionWait!.p99 - truth)).toBeLessThanOrEqual(truth * 0.001 + 0.001);
    expect(out.generator!.connectionWait!.max).toBe(all[all.length - 1]! / 1000);
    expect(buildOutcome({ status: 'completed', target: 't', timeline: [], phases: [closed] }).generator!.connectionWait).toBeUndefined();
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
