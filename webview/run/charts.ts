/**
 * The run page's charts (uPlot). The timeline: the rate and the errors per second in one chart,
 * p50 and p99 latency in the other, on one time axis, with the phases (or, for Redis and BullMQ
 * runs, the operations and steps) as shaded bands. The latency distribution: latency by
 * percentile on a log axis of 1 / (1 − p), as HdrHistogram plots it, corrected and uncorrected.
 * A BullMQ sweep: throughput and p99 at each worker concurrency; a capacity search the same at
 * each offered rate. The sampled process: its heap
 * and RSS, and its event-loop delay with its CPU, per monitor interval. The stack: its Redis's
 * memory with its clients, and each queue's job counts, per reading. Colours come from the VS
 * Code theme.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { CapacityResult } from '../../src/core/capacity';
import type { DistributionPoint, OperationResult, RunRecord, TimelinePoint } from '../../src/core/runRecord';
import { formatBytes, formatMs, formatNumber, formatPercent } from '../../src/core/format';
import type { ProcessSeries } from '../../src/core/report/processSeries';
import type { StackSeries } from '../../src/core/report/stackSeries';
import { h } from '../shared/dom';
import { type Band, phaseBands } from './bands';

interface SeriesSpec {
  label: string;
  /** Its own y scale, drawn as an axis on the right (errors beside a rate thousands of times larger). */
  scale?: string;
  /** A `--vscode-*` colour and its fallback. */
  color: [string, string];
  values: number[];
  format: (v: number) => string;
  dash?: number[];
}

/** The x axis of a chart: its values, how they read, and where its ticks go. */
interface XAxis {
  values: number[];
  label: string;
  format: (v: number) => string;
  /** Logarithmic (base 10), with ticks at these values. */
  logTicks?: number[];
}

const CHART_HEIGHT = 180;

/** The charts of a run's timeline (its points, one a second); each redraws at the width of its container. */
export function timelineCharts(points: readonly TimelinePoint[], rateUnit: string): HTMLElement[] {
  const [t, rps, errors, p50, p99] = timelineData(points);
  const x: XAxis = { values: t, label: 'time', format: (v) => `${formatNumber(v)} s` };
  const bands = phaseBands(points);
  return [
    chart('rate', `${rateUnit} and errors per second over time`, x, bands, [
      { label: rateUnit, color: ['--vscode-charts-blue', '#1a85ff'], values: rps, format: (v) => formatNumber(v) },
      { label: 'errors/s', scale: 'errors', color: ['--vscode-charts-red', '#e51400'], values: errors, format: (v) => formatNumber(v) },
    ]),
    chart('latency', 'p50 and p99 latency over time', x, bands, [
      { label: 'p50', color: ['--vscode-charts-green', '#388a34'], values: p50, format: formatMs },
      { label: 'p99', color: ['--vscode-charts-orange', '#d18616'], values: p99, format: formatMs, dash: [6, 3] },
    ]),
  ];
}

/** Time, rate, errors per second, p50 and p99 of timeline points: the data of {@link timelineCharts}. */
function timelineData(points: readonly TimelinePoint[]): [number[], number[], number[], number[], number[]] {
  return [points.map((p) => p.t), points.map((p) => p.rps), points.map(errorsPerSecond(points)), points.map((p) => p.p50), points.map((p) => p.p99)];
}

/** New points for the charts {@link timelineCharts} made (the live monitor): the rate chart, then the latency chart. */
export function updateTimelineCharts(charts: readonly HTMLElement[], points: readonly TimelinePoint[]): void {
  const [t, rps, errors, p50, p99] = timelineData(points);
  setChartData(charts[0], [t, rps, errors], phaseBands(points));
  setChartData(charts[1], [t, p50, p99], phaseBands(points));
}

/** New data for the charts {@link processCharts} made (the live monitor): memory, then event loop and CPU. */
export function updateProcessCharts(charts: readonly HTMLElement[], p: ProcessSeries): void {
  setChartData(charts[0], [p.t, p.heapUsed, p.rss]);
  setChartData(charts[1], [p.t, p.lagP99, p.lagMax, p.gcPauseMs, p.cpu]);
}

/** The plot of each chart box, so new data can be given to it. */
const plots = new WeakMap<HTMLElement, { plot: uPlot; bands: Band[] }>();

function setChartData(box: HTMLElement | undefined, data: number[][], bands?: Band[]): void {
  const entry = box && plots.get(box);
  if (!entry) return;
  if (bands) entry.bands = bands;
  entry.plot.setData(data as uPlot.AlignedData);
  box.dataset.points = String(data[0]?.length ?? 0);
}

/**
 * Latency by percentile of the whole run. A percentile p sits at 1 / (1 − p) on a log axis, so
 * 90 %, 99 % and 99.9 % are evenly spaced; the maximum sits where the count's resolution ends
 * (1 / (1 − (1 − 1/count)) = count).
 */
export function distributionChart(overall: OperationResult): HTMLElement | undefined {
  const d = overall.distribution;
  if (!d || d.latency.length < 2) return undefined;
  const x = d.latency.map((q) => (q.p >= 100 ? Math.max(overall.count, 1) : 1 / (1 - q.p / 100)));
  const ticks = [1, 2, 10, 100, 1_000, 10_000, 100_000, 1_000_000].filter((v) => v <= x[x.length - 1]!);
  const series: SeriesSpec[] = [{ label: 'latency', color: ['--vscode-charts-blue', '#1a85ff'], values: d.latency.map((q) => q.ms), format: formatMs }];
  if (d.uncorrected) {
    series.push({ label: 'uncorrected', color: ['--vscode-charts-purple', '#8e44ad'], values: valuesAt(d.latency, d.uncorrected), format: formatMs, dash: [6, 3] });
  }
  const axis: XAxis = { values: x, label: 'percentile', format: (v) => percentileLabel(v, overall.count), logTicks: ticks };
  return chart('distribution', 'latency by percentile', axis, [], series);
}

/** A BullMQ sweep's steps (`drain.c10`, `e2e.c4`): the concurrency and the step's result, by concurrency. */
export function sweepSteps(record: RunRecord): { concurrency: number; result: OperationResult }[] {
  if (record.type !== 'bullmq') return [];
  return record.operations
    .map((result) => ({ result, m: /^(?:drain|e2e)\.c(\d+)$/.exec(result.name) }))
    .filter((s): s is { result: OperationResult; m: RegExpExecArray } => s.m !== null)
    .map(({ result, m }) => ({ concurrency: Number(m[1]), result }))
    .sort((a, b) => a.concurrency - b.concurrency);
}

/** Throughput and p99 latency at each worker concurrency of a sweep (two steps or more). */
export function sweepChart(record: RunRecord, rateUnit: string): HTMLElement | undefined {
  const steps = sweepSteps(record);
  if (steps.length < 2) return undefined;
  const x: XAxis = {
    values: steps.map((s) => s.concurrency),
    label: 'concurrency',
    format: (v) => `c=${formatNumber(v)}`,
    logTicks: steps.map((s) => s.concurrency),
  };
  return chart('sweep', `${rateUnit} and p99 latency at each worker concurrency`, x, [], [
    { label: rateUnit, color: ['--vscode-charts-blue', '#1a85ff'], values: steps.map((s) => s.result.rate), format: (v) => formatNumber(v) },
    { label: 'p99', scale: 'p99', color: ['--vscode-charts-orange', '#d18616'], values: steps.map((s) => s.result.latency.p99), format: formatMs, dash: [6, 3] },
  ]);
}

/** A capacity search: what each offered rate achieved, and its p50 and p99, by rate (two steps or more). */
export function capacityChart(c: CapacityResult, rateUnit: string): HTMLElement | undefined {
  const steps = [...c.steps].filter((s) => !s.generatorBound).sort((a, b) => a.rate - b.rate);
  if (steps.length < 2) return undefined;
  // A linear axis: bisection puts several steps close together, whose labels a log axis would pile up.
  const x: XAxis = { values: steps.map((s) => s.rate), label: 'offered', format: (v) => `${formatNumber(v)}/s` };
  return chart('capacity', `achieved ${rateUnit}, p50 and p99 latency at each offered rate`, x, [], [
    { label: `achieved ${rateUnit}`, color: ['--vscode-charts-blue', '#1a85ff'], values: steps.map((s) => s.achieved), format: (v) => formatNumber(v) },
    { label: 'p50', scale: 'ms', color: ['--vscode-charts-green', '#388a34'], values: steps.map((s) => s.p50), format: formatMs },
    { label: 'p99', scale: 'ms', color: ['--vscode-charts-orange', '#d18616'], values: steps.map((s) => s.p99), format: formatMs, dash: [6, 3] },
  ]);
}

/** The sampled process over the run: peak heap used and RSS; event-loop delay (p99, max) and GC pause time per interval, with CPU on its own axis. */
export function processCharts(p: ProcessSeries): HTMLElement[] {
  const t: XAxis = { values: p.t, label: 'time', format: (v) => `${formatNumber(v)} s` };
  return [
    chart('memory', `heap used and RSS of ${p.target} over time`, t, [], [
      { label: 'heap used', color: ['--vscode-charts-blue', '#1a85ff'], values: p.heapUsed, format: formatBytes },
      { label: 'RSS', color: ['--vscode-charts-purple', '#8e44ad'], values: p.rss, format: formatBytes, dash: [6, 3] },
    ]),
    chart('event-loop', `event-loop delay, GC pauses and CPU of ${p.target} over time`, t, [], [
      { label: 'lag p99', color: ['--vscode-charts-orange', '#d18616'], values: p.lagP99, format: formatMs },
      { label: 'lag max', color: ['--vscode-charts-red', '#e51400'], values: p.lagMax, format: formatMs, dash: [6, 3] },
      { label: 'GC pause', color: ['--vscode-charts-purple', '#8e44ad'], values: p.gcPauseMs, format: formatMs, dash: [2, 2] },
      { label: 'CPU', scale: 'cpu', color: ['--vscode-charts-green', '#388a34'], values: p.cpu, format: formatPercent },
    ]),
  ];
}

/** The stack over the run: its Redis's memory with its clients on their own axis, and each queue's job counts (completed on its own axis). */
export function stackCharts(s: StackSeries): HTMLElement[] {
  const t: XAxis = { values: s.t, label: 'time', format: (v) => `${formatNumber(v)} s` };
  const count = (v: number) => formatNumber(v);
  const titled = (title: string, box: HTMLElement) => [h('h3', { className: 'chart-title', text: title }), box];
  return [
    ...titled('Memory and clients', chart('redis-memory', `memory and clients of ${s.target} over time`, t, [], [
      { label: 'used memory', color: ['--vscode-charts-blue', '#1a85ff'], values: s.memory, format: formatBytes },
      { label: 'clients', scale: 'clients', color: ['--vscode-charts-purple', '#8e44ad'], values: s.clients, format: count, dash: [6, 3] },
    ])),
    ...s.queues.flatMap((q) => titled(`Queue ${q.name}`, chart(`queue-${q.name}`, `job counts of queue ${q.name} over time`, t, [], [
      { label: 'waiting', color: ['--vscode-charts-blue', '#1a85ff'], values: q.waiting, format: count },
      { label: 'active', color: ['--vscode-charts-green', '#388a34'], values: q.active, format: count },
      { label: 'delayed', color: ['--vscode-charts-yellow', '#bf8803'], values: q.delayed, format: count, dash: [2, 2] },
      { label: 'failed', color: ['--vscode-charts-red', '#e51400'], values: q.failed, format: count },
      { label: 'completed', scale: 'completed', color: ['--vscode-charts-purple', '#8e44ad'], values: q.completed, format: count, dash: [6, 3] },
    ]))),
  ];
}

/** The latency of `of` at each percentile of `at` (the two lists come from one count, so they match). */
function valuesAt(at: readonly DistributionPoint[], of: readonly DistributionPoint[]): number[] {
  return at.map((q) => of.find((o) => o.p === q.p)?.ms ?? Number.NaN);
}

/** 1 / (1 − p) back to the percentile it stands for: 10 → "90%", 1000 → "99.9%"; the count's end is the max. */
function percentileLabel(x: number, count: number): string {
  if (x >= count && count > 1) return 'max';
  const p = 100 * (1 - 1 / x);
  return `${Number(p.toPrecision(6))}%`;
}

/** A point's errors are a count over its window: per second, as the rate is. */
function errorsPerSecond(points: readonly TimelinePoint[]): (p: TimelinePoint, i: number) => number {
  return (p, i) => {
    const seconds = p.t - (i > 0 ? points[i - 1]!.t : 0);
    return seconds > 0 ? p.errors / seconds : 0;
  };
}

function chart(id: string, label: string, x: XAxis, bands: Band[], series: SeriesSpec[]): HTMLElement {
  const box = h('div', {
    className: 'chart',
    attrs: { 'data-chart': id, 'data-series': String(series.length), 'data-bands': String(bands.length), role: 'img', 'aria-label': label },
  });
  const style = getComputedStyle(document.body);
  const color = ([variable, fallback]: [string, string]) => style.getPropertyValue(variable).trim() || fallback;
  const fg = color(['--vscode-foreground', '#3b3b3b']);
  const grid = color(['--vscode-panel-border', '#e5e5e5']);
  const axis = (format: (v: number) => string, more: uPlot.Axis = {}): uPlot.Axis => ({
    stroke: fg,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    values: (_u, values) => values.map((v) => (v === null ? '' : format(v))),
    ...more,
  });
  const right = series.filter((s) => s.scale !== undefined);
  const options: uPlot.Options = {
    width: 600,
    height: CHART_HEIGHT,
    // A log axis ends at the last value, not at the next power of ten past it.
    scales: { x: { time: false, ...(x.logTicks ? { distr: 3, log: 10, range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => [min, max] } : {}) }, ...Object.fromEntries(right.map((s) => [s.scale!, { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(1, max)] }])) },
    axes: [
      // uPlot labels only some ticks of a log axis (1, 10, 100…); these are all worth a label.
      axis(x.format, x.logTicks ? { splits: () => x.logTicks!, filter: (_u, splits) => splits } : {}),
      axis(series[0]!.format, { size: 64 }),
      // One axis per scale: series that share one (p50 and p99) share its axis.
      ...right.filter((s, i) => right.findIndex((o) => o.scale === s.scale) === i).map((s) => axis(s.format, { scale: s.scale!, side: 1, size: 64, grid: { show: false } })),
    ],
    series: [
      { label: x.label, value: (_u, v) => (v === null ? '' : x.format(v)) },
      ...series.map((s): uPlot.Series => ({
        label: s.label,
        ...(s.scale ? { scale: s.scale } : {}),
        stroke: color(s.color),
        width: 1.5,
        ...(s.dash ? { dash: s.dash } : {}),
        value: (_u, v) => (v === null ? '–' : s.format(v)),
      })),
    ],
    hooks: { drawClear: [(u) => drawBands(u, box, plots.get(box)?.bands ?? bands, fg)] },
  };
  const plot = new uPlot(options, [x.values, ...series.map((s) => s.values)], box);
  plots.set(box, { plot, bands });
  box.dataset.points = String(x.values.length);
  // The section may be closed or the panel narrow when the chart is built: follow the box's width.
  // Resized in the next frame: resizing inside the observer's callback can change the layout it
  // observes (a legend wrapping, a scrollbar coming), which the browser reports as an error.
  new ResizeObserver(() => requestAnimationFrame(() => {
    const width = box.clientWidth;
    if (width > 0 && width !== plot.width) plot.setSize({ width, height: CHART_HEIGHT });
  })).observe(box);
  return box;
}

/**
 * Shades every other phase (the theme's foreground, faint, so it reads in light, dark and
 * high-contrast themes alike) and names each at the top of the plot, inside the plot area. The box
 * lists the bands it drew (`data-drawn-bands`), for the tests and for anyone inspecting the page.
 */
function drawBands(u: uPlot, box: HTMLElement, bands: Band[], fg: string): void {
  const { ctx, bbox } = u;
  const drawn: string[] = [];
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  ctx.font = `${Math.round(11 * devicePixelRatio)}px sans-serif`;
  ctx.textBaseline = 'top';
  bands.forEach((b, i) => {
    const x0 = Math.max(bbox.left, u.valToPos(b.from, 'x', true));
    const x1 = Math.min(bbox.left + bbox.width, u.valToPos(b.to, 'x', true));
    if (x1 <= x0) return;
    drawn.push(b.name);
    ctx.fillStyle = fg;
    if (i % 2 === 0) {
      ctx.globalAlpha = 0.08;
      ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
    }
    ctx.globalAlpha = 0.75;
    ctx.fillText(b.name, x0 + 4 * devicePixelRatio, bbox.top + 2 * devicePixelRatio, Math.max(0, x1 - x0 - 8 * devicePixelRatio));
    ctx.globalAlpha = 1;
  });
  ctx.restore();
  box.dataset.drawnBands = drawn.join('|');
}
