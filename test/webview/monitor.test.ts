// The live monitor in real Chromium: a run of the demo that sampled its server, replayed as the
// host streams it (its seconds and its process's samples, in batches), then a spike, Stop, and
// the end. The points are a real run's: its run.json timeline and its timeline.json samples.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMs, formatNumber } from '../../src/core/format';
import { processPoint } from '../../src/core/report/processSeries';
import type { RunRecord } from '../../src/core/runRecord';
import { ROOT, useWebviewPages, type WebviewPage } from './harness';

const RUN = join(ROOT, 'test/fixtures/runs/20261201T211641Z-smoke-ed5a17');
const HOSTILE = '<img src=x onerror=alert(1)>';

const openPage = useWebviewPages('monitor');

const record = JSON.parse(readFileSync(join(RUN, 'run.json'), 'utf8')) as RunRecord;
const samples = (JSON.parse(readFileSync(join(RUN, 'timeline.json'), 'utf8')) as { samples: unknown[] }).samples.map((s) => processPoint(s)!);

async function monitor(theme?: 'dark'): Promise<WebviewPage> {
  return openPage({ entry: 'monitor', ...(theme ? { theme } : {}) });
}

const points = (view: WebviewPage, chart: string) => view.page.locator(`[data-chart="${chart}"]`).getAttribute('data-points');

describe('the live monitor', () => {
  it('draws a run and its process as their points arrive, lists a spike, stops on request and says it ended', async () => {
    const view = await monitor('dark');
    expect(await view.page.locator('#app').innerText()).toBe('Starting the monitor…');
    await view.send({ type: 'monitor.start', title: 'Live: smoke', process: 'pid 4242 (node server.js)', run: { profile: 'smoke', rateUnit: 'req/s' } });
    await view.page.locator('.run-header').waitFor();
    expect(await view.page.getByTestId('monitor-status').innerText()).toBe('LIVE');
    expect(await view.page.locator('h2').allInnerTexts()).toEqual(['Run of smoke', 'pid 4242 (node server.js)']);
    // Charts of both, empty until points come.
    for (const chart of ['rate', 'latency', 'memory', 'event-loop']) expect(await points(view, chart)).toBe('0');

    // The host's batches: half, then the rest.
    const seconds = record.timeline!;
    const half = Math.floor(samples.length / 2);
    await view.send({ type: 'monitor.points', run: seconds.slice(0, 5), process: samples.slice(0, half) });
    await expect.poll(() => points(view, 'rate')).toBe('5');
    await expect.poll(() => points(view, 'memory')).toBe(String(half));
    await view.send({ type: 'monitor.points', run: seconds.slice(5), process: samples.slice(half) });
    await expect.poll(() => points(view, 'latency')).toBe(String(seconds.length));
    await expect.poll(() => points(view, 'event-loop')).toBe(String(samples.length));
    expect(await view.page.locator('[data-chart="memory"] .u-legend .u-series th').allInnerTexts()).toEqual(['time', 'heap used', 'RSS']);
    // This run had no spike; a blocked interval of 180 ms is listed when it comes.
    expect(await view.page.getByTestId('spikes-note').innerText()).toBe('No event-loop spike of 50 ms or more yet.');
    const last = samples.at(-1)!;
    await view.send({ type: 'monitor.points', process: [{ ...last, t: last.t + 0.25, lagMax: 180, lagP99: 180 }] });
    await expect.poll(() => view.page.getByTestId('spikes').locator('li').allInnerTexts()).toEqual([`at ${formatNumber(last.t + 0.25)} s: blocked up to ${formatMs(180)}`]);
    expect(await view.page.getByTestId('spikes-note').innerText()).toMatch(/^1 interval with the event loop blocked 50 ms or more/);

    await view.page.getByRole('button', { name: 'Stop Run' }).click();
    await expect.poll(async () => (await view.posted()).at(-1)).toEqual({ type: 'monitor.stop' });
    await view.send({ type: 'monitor.end', message: 'smoke was stopped; what was measured is saved.' });
    await expect.poll(() => view.page.getByTestId('monitor-status').innerText()).toBe('STOPPED');
    expect(await view.page.getByTestId('monitor-end').innerText()).toBe('smoke was stopped; what was measured is saved.');
    expect(await view.page.getByRole('button', { name: 'Stop Run' }).isHidden()).toBe(true);
    await view.screenshot('live-monitor-dark');
    expect(await view.problems()).toEqual([]);
  });

  it('watches a process alone, offers Stop Monitor, and shows names as text', async () => {
    const view = await monitor();
    await view.send({ type: 'monitor.start', title: HOSTILE, process: HOSTILE });
    await view.page.locator('.run-header').waitFor();
    expect(await view.page.locator('h1').innerText()).toBe(HOSTILE);
    expect(await view.page.locator('#section-run').count()).toBe(0);
    await view.send({ type: 'monitor.points', process: samples });
    await expect.poll(() => points(view, 'memory')).toBe(String(samples.length));
    await view.page.getByRole('button', { name: 'Stop Monitor' }).click();
    await expect.poll(async () => (await view.posted()).at(-1)).toEqual({ type: 'monitor.stop' });
    expect(await view.page.locator('#app img').count()).toBe(0);
    // A message the page has no use for is reported to the host.
    await view.send({ type: 'flame', info: {} });
    await expect.poll(async () => (await view.posted()).at(-1)).toEqual({ type: 'log', level: 'warn', message: 'The live monitor got a "flame" message, which it does not show' });
    expect(await view.problems()).toEqual([]);
  });
});
