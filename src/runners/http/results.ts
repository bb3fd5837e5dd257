/**
 * Turns what the worker reported into the runner's outcome: per-phase, per-scenario and overall
 * results from merged HDR histograms (percentiles are never averaged), the generator's health
 * and every metric under its catalog name.
 */
import type { GeneratorHealth, OperationResult, PhaseResult, RunStatus, TimelinePoint } from '../../core/runRecord';
import { errorRate, LatencyHistogram, latencyMetrics } from '../../core/stats';
import type { PartSamples } from '../../core/compare/samples';
import type { RunnerOutcome } from '../types';
import type { Counts, PhaseData } from './protocol';

export interface CollectedRun {
  status: RunStatus;
  /** Target URL without credentials. */
  target: string;
  phases: PhaseData[];
  timeline: TimelinePoint[];
  /** The generator's event-loop lag p99 over the whole run, when it reported one. */
  lagP99Ms?: number;
  error?: string;
}

interface Tally extends Counts {
  latency: LatencyHistogram;
  uncorrected: LatencyHistogram;
}

const newTally = (): Tally => ({ count: 0, errors: 0, errorsByKind: {}, latency: LatencyHistogram.create(), uncorrected: LatencyHistogram.create() });

function addCounts(into: Counts, from: Counts): void {
  into.count += from.count;
  into.errors += from.errors;
  for (const [kind, n] of Object.entries(from.errorsByKind)) into.errorsByKind[kind] = (into.errorsByKind[kind] ?? 0) + n;
}

const perSecond = (count: number, ms: number) => (ms > 0 ? Math.round((count / (ms / 1000)) * 100) / 100 : 0);

function result(name: string, t: Tally, ms: number, withUncorrected: boolean): OperationResult {
  return {
    name,
    count: t.count,
    errors: t.errors,
    errorsByKind: t.errorsByKind,
    rate: perSecond(t.count, ms),
    latency: t.latency.summary(),
    ...(withUncorrected ? { uncorrectedLatency: t.uncorrected.summary() } : {}),
  };
}

export function buildOutcome(run: CollectedRun): RunnerOutcome {
  const anyOpen = run.phases.some((p) => p.model === 'open');
  const overall = newTally();
  const scenarios = new Map<string, Tally>();
  const phases: PhaseResult[] = [];
  const phaseTallies: [string, Tally][] = [];
  let measuredMs = 0;

  for (const p of run.phases) {
    const phase = newTally();
    for (const s of p.scenarios) {
      const latency = LatencyHistogram.deserialize(s.latency);
      // In a closed loop every request is sent the moment it may be: both latencies are the same.
      const uncorrected = s.uncorrected ? LatencyHistogram.deserialize(s.uncorrected) : latency;
      let scenario = scenarios.get(s.name);
      if (!scenario) scenarios.set(s.name, (scenario = newTally()));
      for (const t of [phase, scenario, overall]) {
        addCounts(t, s);
        t.latency.add(latency);
        t.uncorrected.add(uncorrected);
      }
    }
    measuredMs += p.durationMs;
    phaseTallies.push([p.name, phase]);
    phases.push({ ...result(p.name, phase, p.durationMs, p.model === 'open'), durationMs: Math.round(p.durationMs), model: p.model });
  }

  const overallResult: OperationResult = {
    ...result('overall', overall, measuredMs, anyOpen),
    distribution: { latency: overall.latency.distribution(), ...(anyOpen ? { uncorrected: overall.uncorrected.distribution() } : {}) },
  };
  const operations = [...scenarios].map(([name, t]) => result(name, t, measuredMs, anyOpen));
  const samples: NonNullable<RunnerOutcome['samples']> = { '': partSamples(overall) };
  for (const [name, t] of scenarios) samples[`scenario.${name}.`] = partSamples(t);
  for (const [name, t] of phaseTallies) samples[`phase.${name}.`] = partSamples(t);
  const generator = generatorHealth(run);
  const outcome: RunnerOutcome = {
    status: run.status,
    target: run.target,
    phases,
    operations,
    timeline: run.timeline,
    metrics: {},
    ...(run.phases.length ? { overall: overallResult, generator } : {}),
    ...(run.error !== undefined ? { error: run.error } : {}),
  };
  if (run.phases.length) {
    outcome.metrics = metricsOf(overallResult, operations, phases, generator);
    outcome.samples = samples;
  }
  return outcome;
}

function partSamples(t: Tally): PartSamples {
  return { count: t.count, errors: t.errors, latency: t.latency.serialize() };
}

function generatorHealth(run: CollectedRun): GeneratorHealth {
  const health = run.phases.map((p) => p.health);
  const messages = health.map((h) => h.message).filter((m): m is string => m !== undefined);
  const out: GeneratorHealth = {
    lagP99Ms: round(run.lagP99Ms ?? Math.max(0, ...health.map((h) => h.lagP99Ms))),
    lateSends: health.reduce((n, h) => n + h.lateSends, 0),
    lateSendMaxMs: round(Math.max(0, ...health.map((h) => h.lateSendMaxMs))),
    generatorBound: health.some((h) => h.generatorBound),
    ...(messages.length ? { message: messages.join('\n') } : {}),
  };
  // Every request's wait, merged across the open phases: a percentile of the run, not of phases.
  const waits = run.phases.filter((p) => p.connectionWait !== undefined);
  if (waits.length) {
    const merged = LatencyHistogram.create();
    for (const p of waits) merged.add(LatencyHistogram.deserialize(p.connectionWait!));
    const { p99, max } = merged.summary();
    out.connectionWait = { p99, max };
  }
  return out;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Every metric of an http run under its catalog name (src/core/config/metrics.ts). */
export function metricsOf(overall: OperationResult, scenarios: OperationResult[], phases: PhaseResult[], generator: GeneratorHealth): Record<string, number> {
  const m: Record<string, number> = {
    ...latencyMetrics('', overall.latency),
    rps: overall.rate,
    requests: overall.count,
    'errors.count': overall.errors,
    'errors.rate': errorRate(overall),
    'generator.lag.p99': generator.lagP99Ms,
    'generator.late': generator.lateSends,
  };
  if (overall.uncorrectedLatency) Object.assign(m, prefixed('latency.uncorrected.', overall.uncorrectedLatency));
  for (const s of scenarios) {
    Object.assign(m, latencyMetrics(`scenario.${s.name}.`, s.latency));
    m[`scenario.${s.name}.errors.rate`] = errorRate(s);
    m[`scenario.${s.name}.rps`] = s.rate;
  }
  for (const p of phases) {
    Object.assign(m, latencyMetrics(`phase.${p.name}.`, p.latency));
    m[`phase.${p.name}.rps`] = p.rate;
  }
  return m;
}

/** `latency.uncorrected.<stat>`: the catalog puts `uncorrected` between `latency` and the stat. */
function prefixed(prefix: string, summary: OperationResult['latency']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(summary)) out[`${prefix}${k}`] = v;
  return out;
}
