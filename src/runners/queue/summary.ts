/**
 * What a BullMQ run reports: its operations, the headline result and the catalog metrics, from
 * the recorders of its mode (PerfLab's own worker, ./modes.ts, or the app's, ./appWorkers.ts).
 */
import type { BullmqProfile } from '../../core/config';
import type { OperationResult } from '../../core/runRecord';
import { errorRate, latencyMetrics } from '../../core/stats';
import type { RunnerOutcome } from '../types';
import type { ModeOutput, SweepStep } from './modes';

/** Operations, the headline result and the catalog metrics of what was measured. */
export function summarize(profile: BullmqProfile, out: ModeOutput): Pick<RunnerOutcome, 'overall' | 'operations' | 'metrics' | 'samples'> {
  const operations = out.recorders.filter((r) => r.count > 0).map((r) => r.result());
  const metrics: Record<string, number> = {};
  if (out.producer) {
    const overall: OperationResult = { ...out.producer.result(), distribution: out.producer.distribution() };
    if (overall.count) {
      metrics['add.rate'] = overall.rate;
      metrics['errors.rate'] = errorRate(overall);
    }
    const samples = { 'add.': out.producer.samples(), '': { count: overall.count, errors: overall.errors } };
    return { operations, metrics, ...(overall.count ? { overall, samples } : {}) };
  }

  const measured = out.steps.filter((s) => s.main.count > 0);
  const best = pickBest(profile, measured);
  if (!best) return { operations, metrics };
  const result = best.main.result();
  const overall: OperationResult = {
    ...result,
    distribution: best.main.distribution(),
    name: out.steps.length > 1 || profile.workerConcurrency.length > 1
      ? `${result.name} (best of c=${measured.map((s) => s.concurrency).join(', ')})`
      : result.name,
  };
  if (profile.mode === 'e2e') Object.assign(metrics, latencyMetrics('e2e.', result.latency));
  metrics['drain.rate'] = result.rate;
  const producer = best.producer.result();
  if (producer.count) metrics['add.rate'] = producer.rate;
  const totals = measured.reduce((t, s) => ({ count: t.count + s.main.count, errors: t.errors + s.main.errors }), { count: 0, errors: 0 });
  metrics['jobs.failed'] = measured.reduce((n, s) => n + s.completions.failed, 0);
  metrics['errors.rate'] = errorRate(totals);
  const main = best.main.samples();
  const samples: NonNullable<RunnerOutcome['samples']> = { '': { count: totals.count, errors: totals.errors }, 'drain.': main, ...(profile.mode === 'e2e' ? { 'e2e.': main } : {}) };
  if (producer.count) samples['add.'] = best.producer.samples();
  return { operations, metrics, overall, samples };
}

/** drain: the highest completion rate; e2e: the lowest p99 among steps where jobs completed. */
function pickBest(profile: BullmqProfile, steps: SweepStep[]): SweepStep | undefined {
  if (profile.mode === 'e2e') {
    const completed = steps.filter((s) => s.completions.completed > 0);
    return (completed.length ? completed : steps).reduce<SweepStep | undefined>(
      (best, s) => (!best || s.main.latency.percentileMs(99) < best.main.latency.percentileMs(99) ? s : best),
      undefined,
    );
  }
  return steps.reduce<SweepStep | undefined>((best, s) => (!best || s.main.result().rate > best.main.result().rate ? s : best), undefined);
}
