/** The run page's tables: thresholds, and per-phase / per-operation statistics. */
import type { OperationResult, PhaseResult, ThresholdVerdict } from '../../src/core/runRecord';
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
