/**
 * The run's one-second timeline as charts (uPlot): the rate and the errors per second in one,
 * p50 and p99 latency in the other, on one time axis, with the phases (or, for Redis and BullMQ
 * runs, the operations and steps) as shaded bands. Colours come from the VS Code theme.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RunRecord, TimelinePoint } from '../../src/core/runRecord';
import { formatMs, formatNumber } from '../../src/core/format';
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

const CHART_HEIGHT = 180;

/** The charts of a timeline; each redraws at the width of its container. */
export function timelineCharts(record: RunRecord, rateUnit: string): HTMLElement[] {
  const points = record.timeline ?? [];
  const t = points.map((p) => p.t);
  const bands = phaseBands(points);
  return [
    chart('rate', `${rateUnit} and errors per second over time`, t, bands, [
      { label: rateUnit, color: ['--vscode-charts-blue', '#1a85ff'], values: points.map((p) => p.rps), format: (v) => formatNumber(v) },
      { label: 'errors/s', scale: 'errors', color: ['--vscode-charts-red', '#e51400'], values: points.map(errorsPerSecond(points)), format: (v) => formatNumber(v) },
    ]),
    chart('latency', 'p50 and p99 latency over time', t, bands, [
      { label: 'p50', color: ['--vscode-charts-green', '#388a34'], values: points.map((p) => p.p50), format: formatMs },
      { label: 'p99', color: ['--vscode-charts-orange', '#d18616'], values: points.map((p) => p.p99), format: formatMs, dash: [6, 3] },
    ]),
  ];
}

/** A point's errors are a count over its window: per second, as the rate is. */
function errorsPerSecond(points: readonly TimelinePoint[]): (p: TimelinePoint, i: number) => number {
  return (p, i) => {
    const seconds = p.t - (i > 0 ? points[i - 1]!.t : 0);
    return seconds > 0 ? p.errors / seconds : 0;
  };
}

function chart(id: string, label: string, t: number[], bands: Band[], series: SeriesSpec[]): HTMLElement {
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
    scales: { x: { time: false }, ...Object.fromEntries(right.map((s) => [s.scale!, { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(1, max)] }])) },
    axes: [
      axis((v) => `${formatNumber(v)} s`),
      axis(series[0]!.format, { size: 64 }),
      ...right.map((s) => axis(s.format, { scale: s.scale!, side: 1, size: 48, grid: { show: false } })),
    ],
    series: [
      { label: 'time', value: (_u, v) => (v === null ? '' : `${formatNumber(v)} s`) },
      ...series.map((s): uPlot.Series => ({
        label: s.label,
        ...(s.scale ? { scale: s.scale } : {}),
        stroke: color(s.color),
        width: 1.5,
        ...(s.dash ? { dash: s.dash } : {}),
        value: (_u, v) => (v === null ? '–' : s.format(v)),
      })),
    ],
    hooks: { drawClear: [(u) => drawBands(u, box, bands, fg)] },
  };
  const plot = new uPlot(options, [t, ...series.map((s) => s.values)], box);
  // The section may be closed or the panel narrow when the chart is built: follow the box's width.
  new ResizeObserver(() => {
    const width = box.clientWidth;
    if (width > 0 && width !== plot.width) plot.setSize({ width, height: CHART_HEIGHT });
  }).observe(box);
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
