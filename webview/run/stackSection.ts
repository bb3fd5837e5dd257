/**
 * The run page's "Redis and queues" section: what the config's stack Redis and its BullMQ queues
 * did during the run (record.stack), its words and figures from core/report/stack.ts, and the
 * memory, clients and job counts over time from the run's `stack` artifact, which the host reads
 * when asked.
 */
import type { RunRecord } from '../../src/core/runRecord';
import { commandRows, commandTotalsText, gaugeText, HISTOGRAM_HEADING, histogramTexts, latencyText, queueRow, slowlogRow, slowlogText, stackHeadline } from '../../src/core/report/stack';
import { h } from '../shared/dom';
import { stackCharts } from './charts';
import { empty, type RenderContext, section } from './sections';
import { commandsTable, queuesTable, slowlogTable } from './tables';

const upperFirst = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}`;

export function stackSection(record: RunRecord, ctx: RenderContext): HTMLElement | null {
  const e = record.stack;
  if (!e) return null;
  const note = (text: string | undefined, testid: string) => (text ? h('p', { text: upperFirst(text), attrs: { 'data-testid': testid } }) : null);
  const commands = commandRows(e);
  const slow = e.slowlog?.entries.map(slowlogRow) ?? [];
  const histograms = histogramTexts(e);
  const artifact = record.artifacts.find((a) => a.kind === 'stack');
  const charts = h('div', { className: 'stack-charts', attrs: { 'aria-busy': artifact ? 'true' : 'false' } }, [
    artifact ? h('p', { className: 'muted', text: 'Reading the series…' }) : empty('No reading of memory, clients or queues succeeded: nothing to draw over time.'),
  ]);
  if (artifact) {
    ctx.stackSeries(artifact.file).then(
      (series) => {
        charts.replaceChildren(...(series.t.length >= 2 ? stackCharts(series) : [empty('The stack was read fewer than two times: nothing to draw over time.')]));
        charts.setAttribute('aria-busy', 'false');
      },
      (err: Error) => {
        charts.replaceChildren(h('div', { className: 'banner banner-error', attrs: { role: 'alert' } }, [h('span', { className: 'banner-text', text: `Could not read ${artifact.file}: ${err.message}` })]));
        charts.setAttribute('aria-busy', 'false');
      },
    );
  }
  return section('stack', 'Redis and queues', ctx, [
    h('p', { className: 'muted', text: stackHeadline(e), attrs: { 'data-testid': 'stack-headline' } }),
    e.unavailable.length
      ? h('div', { className: 'banner banner-warning', attrs: { role: 'status', 'data-testid': 'stack-unavailable' } }, [
          h('strong', { text: 'Not read' }),
          h('ul', { className: 'banner-text' }, e.unavailable.map((u) => h('li', { text: u }))),
        ])
      : null,
    commands.length ? commandsTable(commands) : null,
    note(commandTotalsText(e), 'stack-commands'),
    note(slowlogText(e), 'stack-slowlog'),
    slow.length ? slowlogTable(slow) : null,
    note(latencyText(e), 'stack-latency'),
    histograms.length ? h('p', { text: `${upperFirst(HISTOGRAM_HEADING)}:` }) : null,
    histograms.length ? h('ul', { className: 'stack-histograms', attrs: { 'data-testid': 'stack-histograms' } }, histograms.map((t) => h('li', { text: t }))) : null,
    note(gaugeText(e), 'stack-gauges'),
    e.queues.length ? queuesTable(e.queues.map(queueRow)) : null,
    charts,
    h('p', { className: 'muted footnote', text: 'Read-only, on a connection of PerfLab’s own: INFO commandstats and SLOWLOG at the start and the end (never reset: the run’s share is the end minus the start), LATENCY LATEST and LATENCY HISTOGRAM at the end, INFO memory and clients and each queue’s job counts about once a second.' }),
  ], e.target);
}
