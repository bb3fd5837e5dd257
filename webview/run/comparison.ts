/**
 * A comparison with a baseline as the pages show it: the verdict, what may make it unfair (the
 * warnings), the table of metrics and how its intervals were found. The run page shows it as
 * its "Compared with baseline" section, the comparison page (webview/compare) as its body. The
 * host formatted every text (src/views/comparisonView.ts).
 */
import { formatDateTime } from '../../src/core/format';
import type { ComparisonView } from '../../src/protocol';
import type { GrowerRow } from '../../src/core/report/comparison';
import { button, h } from '../shared/dom';
import { comparisonTable, growersTable } from './tables';

/** What the page can do from a comparison (the editor can; an exported page cannot). */
export interface ComparisonActions {
  /** Open a function's source; resolves with the error to show, if any. */
  openSource?: (row: GrowerRow) => Promise<string | undefined>;
  /** Open the differential flame graph of the two runs' CPU profiles. */
  openFlameDiff?: () => void;
}

/** The verdict line, the warnings, the table and its footnote; the CPU growers when both sides were profiled. */
export function comparisonBody(c: ComparisonView, actions: ComparisonActions = {}): HTMLElement[] {
  const out: HTMLElement[] = [
    h('p', { className: `comparison-verdict ${c.pass ? 'verdict-pass' : 'verdict-fail'}`, attrs: { 'data-testid': 'comparison-verdict' } }, [
      h('span', { className: 'glyph', text: c.pass ? '✓' : '✗', attrs: { 'aria-hidden': 'true' } }),
      `${c.verdict[0]!.toUpperCase()}${c.verdict.slice(1)}`,
    ]),
  ];
  if (c.warnings.length) {
    out.push(
      h('div', { className: 'banner banner-warning comparison-warnings', attrs: { role: 'status', 'data-testid': 'comparison-warnings' } }, [
        h('strong', { text: c.warnings.length === 1 ? 'Read this comparison with care' : `Read this comparison with care (${c.warnings.length} notes)` }),
        h('ul', { className: 'banner-list' }, c.warnings.map((w) => h('li', { className: 'banner-text', text: w }))),
      ]),
    );
  }
  out.push(
    c.rows.length
      ? comparisonTable(c.rows)
      : h('p', { className: 'empty', text: 'No metric of this run is covered by a regression rule and measured on both sides.' }),
    h('p', { className: 'muted footnote', text: `${c.sides}; ${c.basis}.` }),
  );
  if (c.growers?.length || (c.flameDiff && actions.openFlameDiff)) out.push(growersPart(c, actions));
  return out;
}

/** "Where the CPU time went": the growers' table and the way to the differential flame graph. */
function growersPart(c: ComparisonView, actions: ComparisonActions): HTMLElement {
  const error = h('p', { className: 'inline-error', attrs: { role: 'alert', 'data-testid': 'growers-error' } });
  error.hidden = true;
  const open = actions.openSource;
  const onOpen = open
    ? (row: GrowerRow) =>
        void open(row).then((message) => {
          error.textContent = message ?? '';
          error.hidden = !message;
        })
    : undefined;
  return h('div', { className: 'comparison-growers', attrs: { 'data-testid': 'comparison-growers' } }, [
    h('div', { className: 'comparison-sides' }, [
      h('h3', { className: 'subheading', text: 'Where the CPU time went' }),
      h('span', { className: 'spacer' }),
      c.flameDiff && actions.openFlameDiff ? button('Open Differential Flame Graph', actions.openFlameDiff, 'button button-secondary') : null,
    ]),
    c.growers?.length
      ? growersTable(c.growers, onOpen)
      : h('p', { className: 'empty', text: 'No function took a larger share of the CPU in this run than in the baseline.' }),
    error,
  ]);
}

/** When a side ran: its start, or how many runs from when (a repeated set). */
export function sideText(side: ComparisonView['baseline']): string {
  return side.runs.length === 1 ? `${formatDateTime(side.startedAt)}` : `${side.runs.length} runs from ${formatDateTime(side.startedAt)}`;
}
