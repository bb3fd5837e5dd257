/**
 * The live monitor: streaming charts of a process (event-loop delay, heap, RSS, CPU, GC pauses)
 * and of a run (rate, errors, p50 and p99), as the host sends their points (batched every
 * 250 ms); event-loop spikes listed as they happen. The charts are the run page's; the page only
 * appends what arrives and redraws. Nothing is kept after the panel closes: a process's monitor
 * is saved by the host as a timeline file when it stops.
 */
import './style.css';
import { formatMs, formatNumber } from '../../src/core/format';
import { appendPoint, emptySeries, type ProcessSeries } from '../../src/core/report/processSeries';
import type { TimelinePoint } from '../../src/core/runRecord';
import type { ToWebview } from '../../src/protocol';
import { processCharts, timelineCharts, updateProcessCharts, updateTimelineCharts } from '../run/charts';
import { button, errorBanner, h } from '../shared/dom';
import { forwardUncaughtErrors, log, onMessage, post } from '../shared/messaging';

/** An interval whose longest event-loop delay reaches this is a spike (as `perflab profile --under` marks them). */
const SPIKE_MS = 50;
/** Points kept per chart: 20 minutes of a process sampled every 250 ms. */
const MAX_POINTS = 4_800;

const app = document.getElementById('app') ?? document.body.appendChild(h('main', { attrs: { id: 'app' } }));

interface Shown {
  status: HTMLElement;
  stop: HTMLButtonElement;
  process?: { series: ProcessSeries; charts: HTMLElement[]; spikes: HTMLElement; note: HTMLElement; count: number };
  run?: { points: TimelinePoint[]; charts: HTMLElement[] };
}

let shown: Shown | undefined;

function section(id: string, title: string, body: (HTMLElement | null)[]): HTMLElement {
  return h('section', { className: 'section monitor-section', attrs: { id: `section-${id}`, 'aria-label': title } }, [h('h2', { text: title }), ...body]);
}

function start(message: Extract<ToWebview, { type: 'monitor.start' }>): void {
  const status = h('span', { className: 'badge badge-live', text: 'LIVE', attrs: { 'data-testid': 'monitor-status' } });
  const stop = button(message.run ? 'Stop Run' : 'Stop Monitor', () => {
    stop.disabled = true;
    post({ type: 'monitor.stop' });
  }, 'button button-secondary');
  const next: Shown = { status, stop };
  const parts: HTMLElement[] = [];
  if (message.run) {
    const charts = timelineCharts([], message.run.rateUnit);
    next.run = { points: [], charts };
    parts.push(section('run', `Run of ${message.run.profile}`, charts));
  }
  if (message.process) {
    const series = emptySeries(message.process);
    const charts = processCharts(series);
    const spikes = h('ul', { className: 'spikes', attrs: { 'data-testid': 'spikes' } });
    const note = h('p', { className: 'muted', text: `No event-loop spike of ${SPIKE_MS} ms or more yet.`, attrs: { 'data-testid': 'spikes-note' } });
    next.process = { series, charts, spikes, note, count: 0 };
    parts.push(section('process', message.process, [...charts, h('h3', { className: 'subheading', text: 'Event-loop spikes' }), note, spikes]));
  }
  app.replaceChildren(
    h('header', { className: 'run-header' }, [
      h('div', { className: 'title-row' }, [h('h1', { className: 'profile-name', text: message.title }), status, h('span', { className: 'spacer' }), stop]),
    ]),
    ...parts,
  );
  app.setAttribute('aria-busy', 'false');
  shown = next;
}

function append(message: Extract<ToWebview, { type: 'monitor.points' }>): void {
  if (!shown) return log('warn', 'The live monitor got points before it was told what it watches');
  const { run, process } = shown;
  if (run && message.run?.length) {
    run.points.push(...message.run);
    if (run.points.length > MAX_POINTS) run.points.splice(0, run.points.length - MAX_POINTS);
    updateTimelineCharts(run.charts, run.points);
  }
  if (process && message.process?.length) {
    for (const p of message.process) {
      appendPoint(process.series, p);
      if (p.lagMax >= SPIKE_MS) spike(process, p.t, p.lagMax);
    }
    const extra = process.series.t.length - MAX_POINTS;
    if (extra > 0) for (const key of ['t', 'heapUsed', 'rss', 'lagP99', 'lagMax', 'cpu', 'gcPauseMs'] as const) process.series[key].splice(0, extra);
    updateProcessCharts(process.charts, process.series);
  }
}

function spike(process: NonNullable<Shown['process']>, t: number, ms: number): void {
  process.count++;
  process.note.textContent = `${process.count} interval${process.count === 1 ? '' : 's'} with the event loop blocked ${SPIKE_MS} ms or more. Profile Under Load names the functions that ran in them.`;
  process.spikes.prepend(h('li', { text: `at ${formatNumber(t)} s: blocked up to ${formatMs(ms)}` }));
  // The newest 50.
  while (process.spikes.childElementCount > 50) process.spikes.lastElementChild?.remove();
}

function end(message: string): void {
  if (!shown) return;
  shown.status.textContent = 'STOPPED';
  shown.status.className = 'badge badge-cancelled';
  shown.stop.hidden = true;
  app.querySelector('.run-header')?.append(h('p', { className: 'muted', text: message, attrs: { 'data-testid': 'monitor-end' } }));
}

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'monitor.start':
      start(message);
      break;
    case 'monitor.points':
      append(message);
      break;
    case 'monitor.end':
      end(message.message);
      break;
    case 'error':
      app.replaceChildren(errorBanner('The live monitor stopped', message.message));
      app.setAttribute('aria-busy', 'false');
      break;
    default:
      log('warn', `The live monitor got a "${message.type}" message, which it does not show`);
  }
}

app.replaceChildren(h('p', { className: 'empty loading', text: 'Starting the monitor…' }));
app.setAttribute('aria-busy', 'true');
forwardUncaughtErrors();
onMessage(handle);
