/**
 * Threshold verdicts: each configured threshold against the metric values a runner produced.
 * A metric the run did not produce fails with "no value": a gate that cannot be checked must not pass.
 */
import type { Threshold } from './config';
import { compareThreshold } from './config/threshold';
import type { ThresholdVerdict } from './runRecord';

export function evaluateThresholds(thresholds: readonly Threshold[], metrics: Readonly<Record<string, number>>): ThresholdVerdict[] {
  return thresholds.map((t) => {
    const value = metrics[t.metric];
    const actual = typeof value === 'number' && Number.isFinite(value) ? value : null;
    return {
      metric: t.metric,
      limit: t.expression,
      actual,
      unit: t.unit,
      pass: actual !== null && compareThreshold(t.op, actual, t.value),
    };
  });
}
