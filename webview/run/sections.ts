/** The parts of the run summary page, each built from the record alone. */
import type { KindDescription } from '../../src/core/kindDescription';
import type { ComparisonView } from '../../src/protocol';
import { latencyBasis } from '../../src/core/report/results';
import type { RunRecord } from '../../src/core/runRecord';
import { button, h, type Child } from '../shared/dom';
import {
  formatBytes,
  formatCount,
  formatDateTime,
  formatDuration,
  formatShare,
  formatLoadAverage,
  formatMs,
  formatRate,
} from '../../src/core/format';
import { comparisonBody, sideText } from './comparison';
import { capacityTable, errorKindsText, operationsTable, phasesTable, thresholdTable, type StatsTableOptions } from './tables';
import { capacityChart, distributionChart, processCharts, sweepChart, timelineCharts } from './charts';
import { capacityHeadline, capacityStepRows, capacityStopText, kneeText } from '../../src/core/report/capacity';
import type { ProcessSeries } from '../../src/core/report/processSeries';
import type { StackSeries } from '../../src/core/report/stackSeries';

export type SectionId = 'summary' | 'thresholds' | 'findings' | 'capacity' | 'comparison' | 'timeline' | 'distribution' | 'sweep' | 'process' | 'stack' | 'phases' | 'operations' | 'environment' | 'artifacts';

/** What the sections need from the page: UI state and the way back to the host. */
export interface RenderContext {
  /** The run's kind, as the host described it: its label and the words of its results. */
  kind: KindDescription;
  isCollapsed(id: SectionId): boolean;
  onToggle(id: SectionId, open: boolean): void;
  openFile(file: string): void;
  /** Opens the page of another run of the store (the baseline); absent in an exported page. */
  openRun?(id: string): void;
  /** The sampled process's timeline, from the run's `timeline` artifact (the host reads it). */
  processTimeline(file: string): Promise<ProcessSeries>;
  /** The stack's memory, clients and queue counts over the run, from the run's `stack` artifact (the host reads it). */
  stackSeries(file: string): Promise<StackSeries>;
  /** Opens a source file at a line in the editor; resolves with why it could not. Absent in an exported page. */
  openSource?(url: string, line: number): Promise<string | undefined>;
}

/** The verdict badge: a run that did not complete says so instead of PASS/FAIL. */
export function verdict(record: RunRecord): { label: string; className: string } {
  if (record.status === 'cancelled') return { label: 'CANCELLED', className: 'badge-cancelled' };
  if (record.status === 'failed') return { label: 'FAILED', className: 'badge-fail' };
  return record.pass ? { label: 'PASS', className: 'badge-pass' } : { label: 'FAIL', className: 'badge-fail' };
}

function metaItem(label: string, value: string, title?: string): HTMLElement {
  return h('div', { className: 'meta-item' }, [h('dt', { text: label }), h('dd', { text: value, attrs: { title } })]);
}

export function header(record: RunRecord, ctx: RenderContext): HTMLElement {
  const v = verdict(record);
  const failed = record.thresholds.filter((t) => !t.pass).length;
  const regressions = record.comparison?.regressions ?? 0;
  const badgeTitle = (record.thresholds.length
    ? `${record.thresholds.length - failed} of ${record.thresholds.length} thresholds passed`
    : 'No thresholds') + (record.comparison ? `; ${regressions ? `${regressions} regression${regressions === 1 ? '' : 's'}` : 'no regression'} vs baseline` : '');
  return h('header', { className: 'run-header' }, [
    h('div', { className: 'title-row' }, [
      h('h1', { className: 'profile-name', text: record.profile }),
      h('span', { className: `badge ${v.className}`, text: v.label, attrs: { title: badgeTitle, 'data-testid': 'verdict' } }),
      h('span', { className: 'spacer' }),
      button('Open run.json', () => ctx.openFile('run.json'), 'button button-secondary'),
    ]),
    h('dl', { className: 'run-meta' }, [
      metaItem('Type', ctx.kind.label),
      metaItem('Started', formatDateTime(record.startedAt), record.startedAt),
      metaItem('Duration', formatDuration(record.durationMs)),
      metaItem('Run', record.id),
      record.target ? metaItem('Target', record.target) : null,
    ]),
  ]);
}

/** Banners above the numbers: why the run failed, and whether the generator was the limit. */
export function banners(record: RunRecord): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (record.error) {
    out.push(
      h('div', { className: 'banner banner-error', attrs: { role: 'alert' } }, [
        h('strong', { text: record.status === 'failed' ? 'The run failed' : 'Error' }),
        h('span', { className: 'banner-text', text: record.error }),
      ]),
    );
  }
  const g = record.generator;
  if (g?.generatorBound) {
    const details =
      `event-loop lag p99 ${formatMs(g.lagP99Ms)}, ${formatCount(g.lateSends)} late sends ` +
      `(up to ${formatMs(g.lateSendMaxMs)} late)`;
    out.push(
      h('div', { className: 'banner banner-warning', attrs: { role: 'status' } }, [
        h('strong', { text: 'The load generator was the bottleneck' }),
        h('span', {
          className: 'banner-text',
          text: `${g.message ?? 'These numbers describe PerfLab’s own limits more than the target’s.'} (${details})`,
        }),
      ]),
    );
  }
  return out;
}

/** A collapsible section whose open state survives the panel being hidden. */
export function section(id: SectionId, title: string, ctx: RenderContext, body: Child[], note?: string): HTMLElement {
  const details = h('details', { className: 'section', attrs: { id: `section-${id}` } }, [
    h('summary', {}, [h('h2', { text: title }), note ? h('span', { className: 'section-note', text: note }) : null]),
    h('div', { className: 'section-body' }, body),
  ]);
  details.open = !ctx.isCollapsed(id);
  details.addEventListener('toggle', () => ctx.onToggle(id, details.open));
  return details;
}

export function empty(text: string): HTMLElement {
  return h('p', { className: 'empty', text });
}

function tile(label: string, value: string, note?: string, className?: string): HTMLElement {
  return h('div', { className: ['tile', className].filter(Boolean).join(' ') }, [
    h('div', { className: 'tile-label', text: label }),
    h('div', { className: 'tile-value', text: value }),
    note ? h('div', { className: 'tile-note', text: note }) : null,
  ]);
}

export function summary(record: RunRecord, ctx: RenderContext): HTMLElement {
  const o = record.overall;
  const words = ctx.kind.words;
  if (!o) return section('summary', 'Summary', ctx, [empty('No results: the run ended before anything completed.')]);
  const uncorrected = o.uncorrectedLatency;
  const basis = latencyBasis(record);
  const kinds = errorKindsText(o.errorsByKind);
  return section('summary', 'Summary', ctx, [
    h('div', { className: 'tiles' }, [
      tile(words.count, formatCount(o.count)),
      tile('Throughput', formatRate(o.rate, words.rateUnit)),
      tile('Errors', formatCount(o.errors), `${formatShare(o.errors, o.count)} error rate`, o.errors > 0 ? 'tile-bad' : undefined),
      tile('p50', formatMs(o.latency.p50), uncorrected ? `uncorrected ${formatMs(uncorrected.p50)}` : undefined),
      tile('p95', formatMs(o.latency.p95), uncorrected ? `uncorrected ${formatMs(uncorrected.p95)}` : undefined),
      tile('p99', formatMs(o.latency.p99), uncorrected ? `uncorrected ${formatMs(uncorrected.p99)}` : undefined),
      tile('Max', formatMs(o.latency.max), uncorrected ? `uncorrected ${formatMs(uncorrected.max)}` : undefined),
    ]),
    kinds ? h('p', { className: 'error-kinds' }, [h('span', { className: 'muted', text: 'Errors by kind: ' }), kinds]) : null,
    basis
      ? h('p', {
          className: 'muted footnote',
          text: `${basis.text[0]!.toUpperCase()}${basis.text.slice(1)}${uncorrected && basis.uncorrectedFrom ? `; “uncorrected” from ${basis.uncorrectedFrom}` : ''}.`,
        })
      : null,
  ]);
}

export function thresholds(record: RunRecord, ctx: RenderContext): HTMLElement {
  const list = record.thresholds;
  const failed = list.filter((t) => !t.pass).length;
  const note = !list.length
    ? undefined
    : failed
      ? `${failed} of ${list.length} failed`
      : list.length === 1
        ? 'passed'
        : `all ${list.length} passed`;
  return section('thresholds', 'Thresholds', ctx, [list.length ? thresholdTable(list, ctx.kind.words.rateUnit) : empty('No thresholds are set for this profile.')], note);
}

/** A capacity search: the rate found, why the search stopped, the curve and the steps. */
export function capacitySection(record: RunRecord, ctx: RenderContext): HTMLElement | null {
  const c = record.capacity;
  if (!c) return null;
  const unit = ctx.kind.words.rateUnit;
  const knee = kneeText(c, unit);
  const chart = capacityChart(c, unit);
  return section('capacity', 'Capacity', ctx, [
    h('p', { className: `comparison-verdict ${c.rate !== undefined ? 'verdict-pass' : 'verdict-fail'}`, attrs: { 'data-testid': 'capacity-headline' } }, [
      h('span', { className: 'glyph', text: c.rate !== undefined ? '✓' : '✗', attrs: { 'aria-hidden': 'true' } }),
      upperFirst(capacityHeadline(c, unit)),
    ]),
    c.firstFailing ? h('p', { attrs: { 'data-testid': 'capacity-first-failing' }, text: `At ${formatRate(c.firstFailing.rate, unit)}: ${c.firstFailing.failed.join('; ')}.` }) : null,
    h('p', { className: 'muted', attrs: { 'data-testid': 'capacity-stop' }, text: `${upperFirst(capacityStopText(c, unit))}.${knee ? ` ${upperFirst(knee)}.` : ''}` }),
    chart ?? null,
    capacityTable(capacityStepRows(c, unit)),
    h('p', { className: 'muted footnote', text: 'Each step offered one arrival rate; it passed when every threshold it measures held, no more than 1% of requests failed (unless the profile has its own errors threshold) and the service answered at least 95% of the rate offered. The figures above the steps are those of the capacity step.' }),
  ], c.rate !== undefined ? formatRate(c.rate, unit) : 'not found');
}

const upperFirst = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}`;

export function timeline(record: RunRecord, ctx: RenderContext): HTMLElement {
  const points = record.timeline ?? [];
  const body = points.length >= 2
    ? timelineCharts(points, ctx.kind.words.rateUnit)
    : [empty(points.length ? 'The run lasted about a second: there is one point, nothing to draw over time.' : 'This run recorded no timeline.')];
  return section('timeline', 'Timeline', ctx, body, points.length >= 2 ? formatDuration(points[points.length - 1]!.t * 1000) : undefined);
}

export function distribution(record: RunRecord, ctx: RenderContext): HTMLElement | null {
  const chart = record.overall ? distributionChart(record.overall) : undefined;
  if (!chart) return null;
  const uncorrected = record.overall?.distribution?.uncorrected !== undefined;
  return section('distribution', 'Latency distribution', ctx, [
    chart,
    h('p', {
      className: 'muted footnote',
      text: `Latency at each percentile of the whole run, from its merged histogram${uncorrected ? '; “uncorrected” is measured from the actual send' : ''}.`,
    }),
  ]);
}

export function sweep(record: RunRecord, ctx: RenderContext): HTMLElement | null {
  const chart = sweepChart(record, ctx.kind.words.rateUnit);
  if (!chart) return null;
  return section('sweep', 'Worker concurrency', ctx, [
    chart,
    h('p', { className: 'muted footnote', text: 'Each step of the sweep ran a worker at one concurrency; its throughput and its p99 latency.' }),
  ]);
}

/**
 * The process a run sampled (its target's, or one named with --attach): heap, RSS, event-loop
 * delay and CPU over the run, from the timeline artifact, which the host reads when asked.
 */
export function processSection(record: RunRecord, ctx: RenderContext): HTMLElement | null {
  const artifact = record.artifacts.find((a) => a.kind === 'timeline');
  if (!artifact) return null;
  const body = h('div', { className: 'process-charts', attrs: { 'aria-busy': 'true' } }, [h('p', { className: 'muted', text: 'Reading the timeline…' })]);
  ctx.processTimeline(artifact.file).then(
    (series) => {
      body.replaceChildren(
        ...(series.t.length >= 2 ? processCharts(series) : [empty('The process was sampled for less than two intervals: nothing to draw over time.')]),
        h('p', { className: 'muted footnote', text: `Sampled in ${series.target} once per monitor interval: the highest heap used and RSS read in it, its event-loop delay net of the timer resolution, and its CPU as a share of one core.` }),
      );
      body.setAttribute('aria-busy', 'false');
    },
    (err: Error) => {
      body.replaceChildren(h('div', { className: 'banner banner-error', attrs: { role: 'alert' } }, [h('span', { className: 'banner-text', text: `Could not read ${artifact.file}: ${err.message}` })]));
      body.setAttribute('aria-busy', 'false');
    },
  );
  return section('process', 'Process', ctx, [body], record.process?.description);
}

function statsOptions(ctx: RenderContext, name: string, caption: string): StatsTableOptions {
  const words = ctx.kind.words;
  return { nameHeader: name, countHeader: words.countColumn, rateUnit: words.rateUnit, caption };
}

export function phases(record: RunRecord, ctx: RenderContext): HTMLElement {
  const body = record.phases.length
    ? phasesTable(record.phases, statsOptions(ctx, 'Phase', 'Phases'))
    : empty(record.type === 'http' ? 'This run recorded no phases.' : 'This run type has no load phases.');
  return section('phases', 'Phases', ctx, [body], record.phases.length ? String(record.phases.length) : undefined);
}

export function operations(record: RunRecord, ctx: RenderContext): HTMLElement {
  const words = ctx.kind.words;
  const body = record.operations.length
    ? operationsTable(record.operations, statsOptions(ctx, words.item, words.items))
    : empty(`This run recorded no ${words.items.toLowerCase()}.`);
  return section('operations', words.items, ctx, [body], record.operations.length ? String(record.operations.length) : undefined);
}

export function environment(record: RunRecord, ctx: RenderContext): HTMLElement {
  const e = record.environment;
  const g = record.generator;
  return section('environment', 'Environment', ctx, [
    h('dl', { className: 'facts' }, [
      metaItem('PerfLab', e.perflabVersion),
      metaItem('Node.js', e.node),
      metaItem('Platform', `${e.platform} ${e.release} (${e.arch})`),
      metaItem('CPUs', `${e.cpuCount} × ${e.cpuModel}`),
      metaItem('Memory', formatBytes(e.totalMemoryBytes)),
      metaItem('Load average', formatLoadAverage(e.loadAverage), '1, 5 and 15 minutes, at the start of the run'),
      g
        ? metaItem(
            'Generator',
            `lag p99 ${formatMs(g.lagP99Ms)}, ${formatCount(g.lateSends)} late sends` + (g.generatorBound ? ' — bottleneck' : ''),
          )
        : null,
      metaItem('Config hash', record.configHash.slice(0, 12), record.configHash),
    ]),
  ]);
}

export function artifacts(record: RunRecord, runDir: string, ctx: RenderContext): HTMLElement {
  const items = record.artifacts.map((a) =>
    h('li', { className: 'artifact' }, [
      h('span', { className: 'artifact-name', text: a.label ?? a.file }),
      h('span', { className: 'chip', text: a.kind }),
      a.label ? h('code', { className: 'muted', text: a.file }) : null,
      h('span', { className: 'spacer' }),
      (() => {
        const b = button('Open', () => ctx.openFile(a.file), 'button button-secondary', a.file);
        b.setAttribute('aria-label', `Open ${a.file}`);
        return b;
      })(),
    ]),
  );
  return section('artifacts', 'Artifacts', ctx, [
    items.length ? h('ul', { className: 'artifacts' }, items) : empty('This run produced no files besides run.json.'),
    runDir ? h('p', { className: 'muted footnote' }, ['Folder: ', h('code', { text: runDir })]) : null,
  ], items.length ? String(items.length) : undefined);
}

/** The run page's "Compared with baseline" section, with a way to the baseline's own page. */
export function comparisonSection(c: ComparisonView, ctx: RenderContext): HTMLElement {
  const baselineId = c.baseline.runs[c.baseline.runs.length - 1]!;
  const note = c.regressions ? `${c.regressions} regression${c.regressions === 1 ? '' : 's'}` : 'no regression';
  return section('comparison', 'Compared with baseline', ctx, [
    h('div', { className: 'comparison-sides' }, [
      h('span', { className: 'muted', text: 'Baseline: ' }),
      h('span', { text: sideText(c.baseline), attrs: { title: c.baseline.runs.join('\n') } }),
      h('span', { className: 'spacer' }),
      ctx.openRun ? button('Open Baseline Run', () => ctx.openRun?.(baselineId), 'button button-secondary', baselineId) : null,
    ]),
    ...comparisonBody(c),
  ], note);
}
