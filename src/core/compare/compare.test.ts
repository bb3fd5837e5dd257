import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../runRecord';
import { LatencyHistogram } from '../stats';
import { type ComparedRun, compareRuns, verdictOf } from './compare';
import { configuredRule, parseRule, ruleFor, settingsWith } from './rules';
import { splitMetric } from './samples';

function run(id: string, metrics: Record<string, number>, samples?: ComparedRun['samples'], over: Partial<RunRecord> = {}): ComparedRun {
  const record = {
    version: 1, id, profile: 'smoke', type: 'http', status: 'completed', startedAt: `2026-12-02T08:00:0${id.length % 10}Z`, endedAt: '', durationMs: 1000,
    configHash: 'h', environment: { perflabVersion: '0', node: 'v20', platform: 'linux', release: '', arch: 'x64', cpuCount: 2, cpuModel: 'cpu', totalMemoryBytes: 1, loadAverage: [] },
    phases: [], operations: [], thresholds: [], artifacts: [], pass: true, metrics, ...over,
  } as RunRecord;
  return { record, ...(samples ? { samples } : {}) };
}

/** A part with `n` latencies spread evenly from `from` to `to` ms. */
function part(n: number, from: number, to: number) {
  const h = LatencyHistogram.create();
  for (let i = 0; i < n; i++) h.recordMs(from + ((to - from) * i) / (n - 1));
  return { count: n, errors: 0, latency: h.serialize() };
}

describe('rules', () => {
  it('read a signed percentage or off, and say how to write one otherwise', () => {
    expect(parseRule('+10%')).toEqual({ ok: true, worse: 'up', allowance: 0.1 });
    expect(parseRule(' -5 % ')).toEqual({ ok: true, worse: 'down', allowance: 0.05 });
    expect(parseRule('off')).toMatchObject({ ok: true, worse: 'off' });
    expect(parseRule('< 10%')).toMatchObject({ ok: false, hint: expect.stringContaining('"+10%"') });
  });

  it('apply the most specific: a metric\'s own rule, else the longest matching tail', () => {
    const rules = settingsWith([configuredRule('scenario.health.latency.p99', 'off'), configuredRule('latency.p99', '+10%')]).rules;
    expect(ruleFor('scenario.health.latency.p99', rules)?.worse).toBe('off');
    expect(ruleFor('scenario.send.latency.p99', rules)?.expression).toBe('+10%');
    expect(ruleFor('scenario.send.errors.rate', rules)?.key).toBe('errors.rate');
    expect(ruleFor('op.get.rate', rules)?.key).toBe('rate');
    expect(ruleFor('latency.uncorrected.p99', rules)).toBeUndefined();
    expect(ruleFor('generator.lag.p99', rules)).toBeUndefined();
  });

  it('name the part of the run a metric reads', () => {
    expect(splitMetric('scenario.a.latency.p99')).toEqual({ prefix: 'scenario.a.', statistic: 'p99' });
    expect(splitMetric('latency.mean')).toEqual({ prefix: '', statistic: 'mean' });
    expect(splitMetric('op.get.rate')).toEqual({ prefix: 'op.get.', statistic: 'rate' });
    expect(splitMetric('rps')).toEqual({ prefix: '', statistic: 'rate' });
    expect(splitMetric('scenario.a.errors.rate')).toEqual({ prefix: 'scenario.a.', statistic: 'errors.rate' });
    expect(splitMetric('latency.uncorrected.p99')).toBeUndefined();
    expect(splitMetric('requests')).toBeUndefined();
  });
});

describe('verdicts', () => {
  const up = configuredRule('latency.p99', '+3%');
  const down = configuredRule('rps', '-3%');
  const basis = 'assumed-noise' as const;
  it('a regression lies wholly on the worse side, beyond the allowance', () => {
    expect(verdictOf({ estimate: 0.2, low: 0.1, high: 0.3, basis }, up)).toBe('regression');
    expect(verdictOf({ estimate: 0.02, low: 0.01, high: 0.03, basis }, up)).toBe('within-allowance');
    expect(verdictOf({ estimate: 0.2, low: -0.01, high: 0.4, basis }, up)).toBe('no-significant-change');
    expect(verdictOf({ estimate: -0.2, low: -0.3, high: -0.1, basis }, up)).toBe('improvement');
  });
  it('for a throughput, lower is worse', () => {
    expect(verdictOf({ estimate: -0.2, low: -0.3, high: -0.1, basis }, down)).toBe('regression');
    expect(verdictOf({ estimate: 0.2, low: 0.1, high: 0.3, basis }, down)).toBe('improvement');
  });
});

describe('compareRuns', () => {
  const settings = settingsWith();

  it('flags the scenario that slowed down, and only it', () => {
    const base = run('a', { 'latency.p50': 3, 'scenario.slow.latency.p50': 2, 'scenario.other.latency.p50': 4, rps: 100 }, {
      version: 1, parts: { '': part(2000, 1, 6), 'scenario.slow.': part(1000, 1, 3), 'scenario.other.': part(1000, 3, 5) },
    });
    const now = run('bb', { 'latency.p50': 3.1, 'scenario.slow.latency.p50': 22, 'scenario.other.latency.p50': 4.05, rps: 99 }, {
      version: 1, parts: { '': part(2000, 1, 26), 'scenario.slow.': part(1000, 21, 23), 'scenario.other.': part(1000, 3, 5.1) },
    });
    const c = compareRuns([base], [now], settings);
    const verdict = (m: string) => c.metrics.find((x) => x.metric === m)?.verdict;
    expect(verdict('scenario.slow.latency.p50')).toBe('regression');
    expect(verdict('scenario.other.latency.p50')).toBe('no-significant-change');
    expect(verdict('rps')).toBe('no-significant-change');
    expect(c.regressions).toBe(1);
    expect(c.pass).toBe(false);
    // Four metrics compared: each interval at 1 − 2 × 0.05/4, its worse tail 1.25 %, so the four together hold 95 %.
    expect(c.confidence).toBeCloseTo(0.975, 12);
    expect(c.metrics.find((x) => x.metric === 'scenario.slow.latency.p50')?.change.estimate).toBeCloseTo(10, 10);
  });

  it('leaves out the one scenario or phase of a profile that has one: it is the whole run again', () => {
    const m = { 'latency.p50': 3, 'scenario.only.latency.p50': 3, 'phase.a.latency.p50': 3, 'phase.b.latency.p50': 3 };
    const c = compareRuns([run('a', m)], [run('bb', m)], settings);
    expect(c.metrics.map((x) => x.metric)).toEqual(['latency.p50', 'phase.a.latency.p50', 'phase.b.latency.p50']);
  });

  it('takes the spread between runs from earlier runs of the same profile when there are enough', () => {
    const earlier = [3, 3.1, 2.9, 3.05, 2.95].map((v, i) => run(`h${i}xx`, { 'latency.p50': v }));
    const c = compareRuns([run('a', { 'latency.p50': 3 })], [run('bb', { 'latency.p50': 3.6 })], settings, earlier);
    expect(c.metrics[0]!.change.basis).toBe('history');
    expect(c.metrics[0]!.verdict).toBe('regression');
    // Without them, the assumed 15 % spread of a median cannot tell +20 % from noise.
    expect(compareRuns([run('a', { 'latency.p50': 3 })], [run('bb', { 'latency.p50': 3.6 })], settings).metrics[0]!.verdict).toBe('no-significant-change');
  });

  it('warns when the runs come from different machines or different loads, and leaves unfinished runs out', () => {
    const base = run('a', { 'latency.p99': 3 });
    const env = { ...base.record.environment, cpuCount: 8 };
    const other = run('bb', { 'latency.p99': 3 }, undefined, { environment: env, configHash: 'other' });
    const cancelled = run('ccc', { 'latency.p99': 30 }, undefined, { status: 'cancelled' });
    const c = compareRuns([base], [other, cancelled], settings);
    expect(c.warnings.join('\n')).toMatch(/CPU count differs: 2 in the baseline, 8 now/);
    expect(c.warnings.join('\n')).toMatch(/profile changed/);
    expect(c.warnings.join('\n')).toMatch(/left out ccc \(cancelled\)/);
    expect(c.current.runs).toEqual(['bb']);
  });

  it('refuses runs of different profiles and runs without metrics', () => {
    expect(() => compareRuns([run('a', {})], [run('b', {}, undefined, { profile: 'load' })], settings)).toThrow(/different profiles/);
    expect(() => compareRuns([run('a', {}, undefined, { metrics: undefined })], [run('b', {})], settings)).toThrow(/older PerfLab/);
  });
});
