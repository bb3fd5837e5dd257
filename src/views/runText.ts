/**
 * The words the editor shows for a run in its trees, pickers and notifications, from the one
 * formatting module (core/format.ts). No `vscode` here, so the unit tier checks them next to the
 * CLI's reports.
 */
import type { MetricComparison } from '../core/compare/compare';
import { formatAgo, formatDuration, formatRate } from '../core/format';
import { capacityHeadline } from '../core/report/capacity';
import type { RunRecord } from '../core/runRecord';
import { kindOf } from '../runners/registry';

/** `5 min ago · 1m 05s`: a run's row in the Runs tree and in the run pickers; `· baseline` on its profile's saved baseline. */
export function runDescription(run: RunRecord, now?: number, baseline = false): string {
  return `${formatAgo(run.startedAt, now)} · ${formatDuration(run.durationMs)}${baseline ? ' · baseline' : ''}`;
}

/** How many regressed metrics a notification names before it says "…". */
const NAMED_REGRESSIONS = 3;

/** `no regression vs baseline`, `2 regressions vs baseline (latency.p99, rps)`. */
export function comparisonOutcome(c: { regressions: number; metrics: readonly Pick<MetricComparison, 'metric' | 'verdict'>[] }): string {
  if (!c.regressions) return 'no regression vs baseline';
  const names = c.metrics.filter((m) => m.verdict === 'regression').map((m) => m.metric);
  const shown = names.slice(0, NAMED_REGRESSIONS).join(', ') + (names.length > NAMED_REGRESSIONS ? ', …' : '');
  return `${c.regressions} regression${c.regressions === 1 ? '' : 's'} vs baseline (${shown})`;
}

/** The notification at the end of a run started in the editor: how loud, and what it says. */
export function runOutcomeText(record: RunRecord): { level: 'info' | 'warning' | 'error'; text: string } {
  const name = record.profile;
  if (record.status === 'failed') return { level: 'error', text: `PerfLab: ${name} failed: ${record.error ?? 'see the run page'}` };
  if (record.status === 'cancelled') return { level: 'warning', text: `PerfLab: ${name} was stopped; what was measured is saved.` };
  if (record.capacity) {
    const { rateUnit } = kindOf(record.type).words;
    const failing = record.capacity.firstFailing ? `; at ${formatRate(record.capacity.firstFailing.rate, rateUnit)}: ${record.capacity.firstFailing.failed[0]}` : '';
    return { level: record.capacity.rate !== undefined ? 'info' : 'warning', text: `PerfLab: ${name} ${capacityHeadline(record.capacity, rateUnit)}${failing}.` };
  }
  const total = record.thresholds.length;
  const failed = record.thresholds.filter((t) => !t.pass).length;
  const c = record.comparison;
  // The diagnosis's top finding, when it is more than worth knowing: the run page has the rest.
  const top = record.diagnosis?.findings[0];
  const finding = top && top.severity !== 'info' ? ` ${top.severity === 'critical' ? 'Critical' : 'Warning'}: ${top.title}.` : '';
  if (failed || (c && !c.pass)) {
    const parts = [
      ...(failed ? [`${failed} of ${total} thresholds failed`] : []),
      ...(c && !c.pass ? [comparisonOutcome(c)] : []),
    ];
    return { level: 'warning', text: `PerfLab: ${name} FAIL: ${parts.join('; ')}.${finding}` };
  }
  const thresholds = total ? ` (${total} threshold${total === 1 ? '' : 's'})` : '';
  return { level: top?.severity === 'critical' ? 'warning' : 'info', text: `PerfLab: ${name} PASS${thresholds}${c ? ` — ${comparisonOutcome(c)}` : ''}.${finding}` };
}
