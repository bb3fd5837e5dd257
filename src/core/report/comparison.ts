/**
 * What every output shows of a comparison with a baseline, decided once for the text report, the
 * Markdown summary, JUnit and the editor: the verdict line, the rows (regressions first) and how
 * each cell reads.
 */
import { type Comparison, type MetricComparison, VERDICT_LABELS } from '../compare/compare';
import { formatChange, formatChangeInterval, formatMetricValue, formatPercent } from '../format';

/** The texts of one compared metric, as every output (and the pages, by the protocol) shows them. */
export interface ComparisonCells {
  metric: string;
  baseline: string;
  current: string;
  /** `+12.3% (+5.1% to +19.9%)`. */
  change: string;
  /** `regression`, `within allowance`, …, as every output words it. */
  verdict: string;
  /** `+3% (latency.p99)`: the rule that applied. */
  rule: string;
}

export interface ComparisonRow extends ComparisonCells {
  regression: boolean;
  source: MetricComparison;
}

const ORDER: Record<MetricComparison['verdict'], number> = { regression: 0, improvement: 1, 'within-allowance': 2, 'no-significant-change': 3 };

/** The rows, regressions first, then improvements, then the rest, each group in the run's metric order. */
export function comparisonRows(c: Comparison, rateUnit: string): ComparisonRow[] {
  return c.metrics
    .map((m, i) => ({ m, i }))
    .sort((x, y) => ORDER[x.m.verdict] - ORDER[y.m.verdict] || x.i - y.i)
    .map(({ m }) => ({
      metric: m.metric,
      baseline: formatMetricValue(m.baseline, m.unit, rateUnit),
      current: formatMetricValue(m.current, m.unit, rateUnit),
      change: formatChangeInterval(m.change, m.scale),
      verdict: VERDICT_LABELS[m.verdict],
      rule: `${m.rule.expression} (${m.rule.key})`,
      regression: m.verdict === 'regression',
      source: m,
    }));
}

/** A function that took a larger share of the CPU: `renderPreview (examples/demo-stack/hot.js:29)  2.1% → 38.4% of self time`. */
export interface GrowerRow {
  name: string;
  /** `file:line`, as the profile names it (a file URL or path). */
  where: string;
  /** The profile's url and 1-based line of the function, to open its source. */
  url: string;
  line: number;
  before: string;
  after: string;
  change: string;
}

export function growerRows(c: Comparison): GrowerRow[] {
  return (c.functions ?? []).map((g) => ({
    name: g.name || '(anonymous)',
    where: g.url ? `${g.url.replace(/^file:\/\//, '')}:${g.line}` : '',
    url: g.url,
    line: g.line,
    before: formatPercent(g.before),
    after: formatPercent(g.after),
    change: formatChange(g.after - g.before, 'points'),
  }));
}

/** `2 regressions, 1 improvement, 14 metrics without a significant change`: the verdict line. */
export function comparisonVerdict(c: Comparison): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const unchanged = c.metrics.length - c.regressions - c.improvements;
  const parts = [
    c.regressions ? n(c.regressions, 'regression', 'regressions') : 'no regression',
    ...(c.improvements ? [n(c.improvements, 'improvement', 'improvements')] : []),
    `${n(unchanged, 'metric', 'metrics')} without a change beyond its rule`,
  ];
  return parts.join(', ');
}

/** `baseline 20261202T…-smoke-ab12cd (1 run) vs this run (5 runs)`. */
export function comparisonSides(c: Comparison): string {
  const side = (runs: string[]) => (runs.length === 1 ? runs[0]! : `${runs[0]} and ${runs.length - 1} more (${runs.length} runs)`);
  return `baseline ${side(c.baseline.runs)}, compared with ${side(c.current.runs)}`;
}

/** How the intervals were found, in one sentence. */
export function comparisonBasis(c: Comparison): string {
  const bases = new Set(c.metrics.filter((m) => m.scale === 'relative').map((m) => m.change.basis));
  const how = bases.has('repeats')
    ? 'from the spread of the repeated runs'
    : bases.has('history')
      ? 'from each run\'s own samples and the spread of earlier runs of the profile on this machine'
      : 'from each run\'s own samples plus an assumed spread between runs (one run per side cannot measure it: use --repeat)';
  const each = `, each at ${formatPercent(c.confidence)} so that an unchanged build shows a regression in ${c.metrics.length > 1 ? `any of the ${c.metrics.length} metrics` : 'it'} at most 5% of the time`;
  return `intervals ${how}${each}`;
}
