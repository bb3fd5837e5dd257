/** The run page's tables: thresholds, the comparison with a baseline, and per-phase / per-operation statistics. */
import type { OperationResult, PhaseResult, ThresholdVerdict } from '../../src/core/runRecord';
import type { CapacityStepRow } from '../../src/core/report/capacity';
import type { CommandRow, QueueRow, SlowlogRow } from '../../src/core/report/stack';
import type { GrowerRow } from '../../src/core/report/comparison';
import type { ComparisonRowView } from '../../src/protocol';
import { h } from '../shared/dom';
import { formatActual, formatCount, formatDuration, formatErrors, formatMs, formatRate, formatTally } from '../../src/core/format';

interface Column<R> {
  header: string;
  title?: string;
  numeric?: boolean;
  cell(row: R): string | Node;
  /** Extra class for the cell, e.g. to colour errors. */
  cellClass?(row: R): string | undefined;
  /** Tooltip of the cell. */
  cellTitle?(row: R): string | undefined;
}

function table<R>(columns: Column<R>[], rows: R[], rowClass?: (row: R) => string, caption?: string): HTMLElement {
  const head = h('thead', {}, [
    h(
      'tr',
      {},
      columns.map((c, i) =>
        h('th', { className: c.numeric ? 'num' : undefined, text: c.header, attrs: { scope: 'col', title: c.title, 'data-col': String(i) } }),
      ),
    ),
  ]);
  const body = h(
    'tbody',
    {},
    rows.map((row) =>
      h(
        'tr',
        { className: rowClass?.(row) },
        columns.map((c, i) => {
          const content = c.cell(row);
          const className = [c.numeric ? 'num' : '', c.cellClass?.(row) ?? ''].filter(Boolean).join(' ') || undefined;
          const attrs = { title: c.cellTitle?.(row) };
          // The first column names the row, for screen readers.
          return i === 0
            ? h('th', { className, attrs: { ...attrs, scope: 'row' } }, [content])
            : h('td', { className, attrs }, [content]);
        }),
      ),
    ),
  );
  return h('div', { className: 'table-scroll' }, [
    h('table', { className: 'data-table' }, [caption ? h('caption', { className: 'visually-hidden', text: caption }) : null, head, body]),
  ]);
}

/** Failures first, otherwise in config order. */
export function sortThresholds(verdicts: readonly ThresholdVerdict[]): ThresholdVerdict[] {
  return verdicts
    .map((v, i) => ({ v, i }))
    .sort((a, b) => Number(a.v.pass) - Number(b.v.pass) || a.i - b.i)
    .map(({ v }) => v);
}

export function thresholdTable(verdicts: readonly ThresholdVerdict[], rateUnit: string): HTMLElement {
  return table<ThresholdVerdict>(
    [
      {
        header: 'Result',
        cell: (v) =>
          h('span', { className: `verdict ${v.pass ? 'verdict-pass' : 'verdict-fail'}` }, [
            h('span', { className: 'glyph', text: v.pass ? '✓' : '✗', attrs: { 'aria-hidden': 'true' } }),
            v.pass ? 'pass' : 'fail',
          ]),
      },
      { header: 'Metric', cell: (v) => h('code', { text: v.metric }) },
      { header: 'Limit', cell: (v) => h('code', { text: v.limit }) },
      { header: 'Actual', numeric: true, cell: (v) => formatActual(v, rateUnit), cellClass: (v) => (v.pass ? undefined : 'bad') },
    ],
    sortThresholds(verdicts),
    (v) => (v.pass ? 'threshold-pass' : 'threshold-fail'),
    'Thresholds',
  );
}

const VERDICT_LOOK: Record<ComparisonRowView['kind'], { glyph: string; className: string }> = {
  regression: { glyph: '▲', className: 'verdict verdict-fail' },
  improvement: { glyph: '▼', className: 'verdict verdict-pass' },
  'within-allowance': { glyph: '≈', className: 'verdict verdict-neutral' },
  'no-significant-change': { glyph: '=', className: 'verdict verdict-neutral' },
};

/** The metrics of a comparison, as the host formatted them (regressions first); a regression's row is marked. */
export function comparisonTable(rows: readonly ComparisonRowView[]): HTMLElement {
  return table<ComparisonRowView>(
    [
      { header: 'Metric', cell: (r) => h('code', { text: r.metric }), cellTitle: (r) => `Rule ${r.rule}` },
      { header: 'Baseline', numeric: true, cell: (r) => r.baseline },
      { header: 'Now', numeric: true, cell: (r) => r.current },
      {
        header: 'Change',
        title: 'The change and its interval: a change the interval cannot tell from none is no significant change',
        numeric: true,
        cell: (r) => r.change,
        cellClass: (r) => (r.kind === 'regression' ? 'bad' : undefined),
      },
      {
        header: 'Verdict',
        cell: (r) =>
          h('span', { className: VERDICT_LOOK[r.kind].className }, [
            h('span', { className: 'glyph', text: VERDICT_LOOK[r.kind].glyph, attrs: { 'aria-hidden': 'true' } }),
            r.verdict,
          ]),
        cellTitle: (r) => `Rule ${r.rule}`,
      },
    ],
    [...rows],
    (r) => `comparison-row comparison-${r.kind}`,
    'Compared with baseline',
  );
}

/**
 * The functions that took a larger share of the CPU, most first. With `open`, a function's name
 * opens its source (the editor); without, it is text (an exported page).
 */
export function growersTable(rows: readonly GrowerRow[], open?: (row: GrowerRow) => void): HTMLElement {
  return table<GrowerRow>(
    [
      {
        header: 'Function',
        cell: (r) => (open && r.url ? linkButton(r.name, () => open(r), `Open ${r.where}`) : h('code', { text: r.name })),
        cellTitle: (r) => r.where || 'no source file (V8 or native code)',
      },
      { header: 'Where', cell: (r) => h('span', { className: 'muted', text: r.where || '—' }) },
      { header: 'Baseline', title: 'Share of the profile\'s self time', numeric: true, cell: (r) => r.before },
      { header: 'Now', title: 'Share of the profile\'s self time', numeric: true, cell: (r) => r.after },
      { header: 'Change', numeric: true, cell: (r) => r.change, cellClass: () => 'bad' },
    ],
    [...rows],
    () => 'grower-row',
    'Functions whose share of the CPU grew most',
  );
}

function linkButton(label: string, onClick: () => void, title: string): HTMLElement {
  const el = h('button', { className: 'link-button', text: label, attrs: { type: 'button', title } });
  el.addEventListener('click', onClick);
  return el;
}

/** A capacity search's steps in the order they ran, each failure with its reasons. */
export function capacityTable(rows: readonly CapacityStepRow[]): HTMLElement {
  return table<CapacityStepRow>(
    [
      { header: 'Step', numeric: true, cell: (r) => r.step },
      { header: 'Offered', numeric: true, cell: (r) => r.offered },
      { header: 'Achieved', numeric: true, cell: (r) => r.achieved },
      { header: 'Errors', numeric: true, cell: (r) => r.errors },
      { header: 'p50', numeric: true, cell: (r) => r.p50 },
      { header: 'p95', numeric: true, cell: (r) => r.p95 },
      { header: 'p99', numeric: true, cell: (r) => r.p99 },
      { header: 'Result', cell: (r) => r.verdict, cellClass: (r) => (r.pass ? 'good' : 'bad'), cellTitle: (r) => r.why || undefined },
      { header: 'Why', cell: (r) => h('span', { className: 'muted', text: r.why }) },
    ],
    [...rows],
    (r) => `capacity-step ${r.pass ? 'capacity-pass' : 'capacity-fail'}`,
    'Steps of the capacity search',
  );
}

/** The commands that took most of Redis's time during the run. */
export function commandsTable(rows: readonly CommandRow[]): HTMLElement {
  const columns: Column<CommandRow>[] = [
    { header: 'Command', cell: (r) => h('code', { text: r.command }) },
    { header: 'Calls', numeric: true, cell: (r) => r.calls },
    { header: 'Time', title: 'Redis\'s time executing it during the run (INFO commandstats usec)', numeric: true, cell: (r) => r.time },
    { header: 'Per call', numeric: true, cell: (r) => r.perCall },
    { header: 'Share', title: 'Of all the commands\' time during the run', numeric: true, cell: (r) => r.share },
  ];
  if (rows.some((r) => r.failed)) columns.push({ header: 'Failed', numeric: true, cell: (r) => r.failed || '0', cellClass: (r) => (r.failed ? 'bad' : undefined) });
  return table(columns, [...rows], () => 'stack-command', 'Redis commands during the run');
}

/** The slow log entries that appeared during the run. */
export function slowlogTable(rows: readonly SlowlogRow[]): HTMLElement {
  return table<SlowlogRow>(
    [
      { header: 'At', cell: (r) => r.at },
      { header: 'Duration', numeric: true, cell: (r) => r.duration },
      { header: 'Command', cell: (r) => h('code', { text: r.command }) },
      { header: 'Client', cell: (r) => h('span', { className: 'muted', text: r.client || '–' }) },
    ],
    [...rows],
    () => 'stack-slowlog',
    'Slow log entries of the run',
  );
}

/** Each BullMQ queue of the config over the run. */
export function queuesTable(rows: readonly QueueRow[]): HTMLElement {
  return table<QueueRow>(
    [
      { header: 'Queue', cell: (r) => h('code', { text: r.name }), cellTitle: (r) => r.note || undefined },
      { header: 'Waiting max', numeric: true, cell: (r) => r.waitingMax },
      { header: 'Active max', numeric: true, cell: (r) => r.activeMax },
      { header: 'Delayed max', numeric: true, cell: (r) => r.delayedMax },
      { header: 'Failed max', numeric: true, cell: (r) => r.failedMax },
      { header: 'Waiting', title: 'At the start → at the end', numeric: true, cell: (r) => r.waiting },
      { header: 'Trend', cell: (r) => r.trend },
      { header: 'Completed', title: 'Change over the run', numeric: true, cell: (r) => r.completed },
      { header: 'Failed', title: 'Change over the run', numeric: true, cell: (r) => r.failed, cellClass: (r) => (r.failed.startsWith('+') ? 'bad' : undefined) },
      { header: '', cell: (r) => h('span', { className: 'muted', text: r.note }) },
    ],
    [...rows],
    () => 'stack-queue',
    'BullMQ queues during the run',
  );
}

export interface StatsTableOptions {
  /** Header of the name column, e.g. `Scenario`. */
  nameHeader: string;
  /** Header of the count column, e.g. `Requests`. */
  countHeader: string;
  rateUnit: string;
  caption: string;
}

function statsColumns<R extends OperationResult>(rows: readonly R[], options: StatsTableOptions): Column<R>[] {
  const latency = (label: string, pick: (r: R) => number | undefined): Column<R> => ({
    header: label,
    numeric: true,
    cell: (r) => formatMs(pick(r)),
  });
  const columns: Column<R>[] = [
    { header: options.nameHeader, cell: (r) => r.name },
    { header: options.countHeader, numeric: true, cell: (r) => formatCount(r.count) },
    { header: 'Rate', numeric: true, cell: (r) => formatRate(r.rate, options.rateUnit) },
    {
      header: 'Errors',
      numeric: true,
      cell: (r) => formatErrors(r.errors, r.count),
      cellClass: (r) => (r.errors > 0 ? 'bad' : undefined),
      cellTitle: (r) => errorKindsText(r.errorsByKind),
    },
    latency('p50', (r) => r.latency.p50),
    latency('p90', (r) => r.latency.p90),
    latency('p95', (r) => r.latency.p95),
    latency('p99', (r) => r.latency.p99),
    latency('Max', (r) => r.latency.max),
  ];
  if (rows.some((r) => r.uncorrectedLatency)) {
    const title = 'Measured from the actual send instead of the intended send time';
    columns.push(
      { ...latency('Uncorr. p50', (r) => r.uncorrectedLatency?.p50), title },
      { ...latency('Uncorr. p99', (r) => r.uncorrectedLatency?.p99), title },
    );
  }
  return columns;
}

export function operationsTable(rows: readonly OperationResult[], options: StatsTableOptions): HTMLElement {
  return table(statsColumns(rows, options), [...rows], undefined, options.caption);
}

export function phasesTable(rows: readonly PhaseResult[], options: StatsTableOptions): HTMLElement {
  const [name, ...rest] = statsColumns(rows, options);
  const columns: Column<PhaseResult>[] = [
    name!,
    { header: 'Model', cell: (p) => (p.model === 'open' ? 'arrival rate' : p.model === 'closed' ? 'connections' : '–') },
    { header: 'Duration', numeric: true, cell: (p) => formatDuration(p.durationMs) },
    ...rest,
  ];
  return table(columns, [...rows], undefined, options.caption);
}

/** `status:500 × 12, timeout × 3`, largest first. */
export function errorKindsText(kinds: Record<string, number> | undefined): string | undefined {
  return kinds && Object.keys(kinds).length ? formatTally(kinds) : undefined;
}
