/**
 * A comparison as the run page and the comparison page show it, every text from
 * core/report/comparison.ts, like the CLI's report. VS Code-free.
 */
import type { Comparison } from '../core/compare/compare';
import { comparisonBasis, comparisonRows, comparisonSides, comparisonVerdict, growerRows } from '../core/report/comparison';
import type { ComparisonView } from '../protocol';

/** `flameDiff`: both sides have a CPU profile, whose differential flame graph the page offers. */
export function comparisonView(c: Comparison, rateUnit: string, flameDiff = false): ComparisonView {
  const growers = growerRows(c);
  return {
    pass: c.pass,
    regressions: c.regressions,
    verdict: comparisonVerdict(c),
    sides: comparisonSides(c),
    basis: comparisonBasis(c),
    warnings: [...c.warnings],
    rows: comparisonRows(c, rateUnit).map(({ metric, baseline, current, change, verdict, rule, source }) => ({
      metric, baseline, current, change, verdict, rule, kind: source.verdict,
    })),
    baseline: c.baseline,
    current: c.current,
    ...(growers.length ? { growers } : {}),
    ...(flameDiff ? { flameDiff } : {}),
  };
}
