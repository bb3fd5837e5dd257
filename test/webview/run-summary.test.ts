import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/runRecord';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes, formatDateTime, formatMs, formatNumber, formatPercent } from '../../src/core/format';
import { processSeries } from '../../src/core/report/processSeries';
import { runMessage, runRequests } from '../../src/views/runMessage';
import { EXPECTED, sameValuesRecord } from '../helpers/sameValues';
import { loadFixture, ROOT, type OpenOptions, type WebviewPage, useWebviewPages } from './harness';

const PASSING = '20251127-101502-smoke-3f9c';
const FAILED = '20251127-143310-checkout-stress-9b1e';
const REDIS = '20251127-160045-redis-ops-c4d2';
/** A real arrival-rate run, recorded with the latency distribution. */
const WITH_DISTRIBUTION = '20261201T182954Z-smoke-f157b6';
/** A real BullMQ e2e sweep over worker concurrencies 1, 4 and 16. */
const SWEEP = '20261201T183246Z-queue-sweep-63cd04';
const HOSTILE = '<img src=x onerror=alert(1)>';
/** `perflab capacity work --start-rate 60 --step 4s` against a service that spends 4 ms of CPU per request. */
const CAPACITY = '20261202T163418Z-work-b5e600';
/** A real smoke run against the demo with its server process sampled (timeline.json beside run.json). */
const WITH_PROCESS = '20261201T211641Z-smoke-ed5a17';

const openPage = useWebviewPages('run');
const openRunPage = (options: Partial<OpenOptions> = {}): Promise<WebviewPage> => openPage({ entry: 'run', ...options });

async function showRun(view: WebviewPage, record: RunRecord): Promise<void> {
  await view.send(runMessage(record, `/work/demo/.perflab/runs/${record.id}`));
  await view.page.locator('.run-header').waitFor();
}

/** The text of each body row's cells, as a user reads the table. */
async function rows(view: WebviewPage, section: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const row of await view.page.locator(`#section-${section} tbody tr`).all()) {
    out.push(await row.locator('th, td').allTextContents());
  }
  return out;
}

function headers(view: WebviewPage, section: string): Promise<string[]> {
  return view.page.locator(`#section-${section} thead th`).allTextContents();
}

function text(view: WebviewPage, selector: string): Promise<string> {
  return view.page.locator(selector).innerText();
}

describe('run summary webview', () => {
  it('says ready once, then shows a passing HTTP run', async () => {
    const view = await openRunPage({ theme: 'dark' });
    expect(await view.posted()).toEqual([{ type: 'ready' }]);
    expect(await text(view, '#app')).toBe('Loading run…');

    const record = loadFixture(PASSING);
    await showRun(view, record);

    expect(await text(view, 'h1')).toBe('smoke');
    expect(await text(view, '[data-testid=verdict]')).toBe('PASS');
    const meta = await text(view, '.run-meta');
    for (const part of ['HTTP load test', formatDateTime(record.startedAt), '40.3 s', record.id, 'http://127.0.0.1:3000']) {
      expect(meta).toContain(part);
    }
    expect(await view.page.locator('.banner').count()).toBe(0);

    const tiles = await view.page.locator('#section-summary .tile').allInnerTexts();
    expect(tiles.map((t) => t.split('\n').slice(0, 2))).toEqual([
      ['Requests', '19,212'],
      ['Throughput', '477 req/s'],
      ['Errors', '5'],
      ['p50', '39.6 ms'],
      ['p95', '71.8 ms'],
      ['p99', '84.3 ms'],
      ['Max', '196 ms'],
    ]);
    expect(await text(view, '#section-summary')).toContain('0.03% error rate');
    expect(await text(view, '#section-summary')).toContain('status:503 × 3, timeout × 2');

    expect(await headers(view, 'thresholds')).toEqual(['Result', 'Metric', 'Limit', 'Actual']);
    expect(await rows(view, 'thresholds')).toEqual([
      ['✓pass', 'latency.p99', '< 100ms', '84.3 ms'],
      ['✓pass', 'scenario.metrics.latency.p95', '< 25ms', '18.7 ms'],
      ['✓pass', 'errors.rate', '< 0.1%', '0.03%'],
      ['✓pass', 'rps', '>= 40', '477 req/s'],
    ]);
    expect(await text(view, '#section-thresholds summary')).toContain('all 4 passed');

    expect(await headers(view, 'phases')).toEqual([
      'Phase', 'Model', 'Duration', 'Requests', 'Rate', 'Errors', 'p50', 'p90', 'p95', 'p99', 'Max', 'Uncorr. p50', 'Uncorr. p99',
    ]);
    const phases = await rows(view, 'phases');
    expect(phases.map((r) => r.slice(0, 6))).toEqual([
      ['warm-up', 'arrival rate', '10.0 s', '100', '10.0 req/s', '0'],
      ['ramp-up', 'arrival rate', '20.0 s', '600', '30.0 req/s', '0'],
      ['saturate', 'connections', '10.0 s', '18,512', '1,851 req/s', '5 (0.03%)'],
    ]);
    expect(phases[2]!.slice(11)).toEqual(['–', '–']);

    expect(await view.page.locator('#section-operations h2').innerText()).toBe('Scenarios');
    expect(await rows(view, 'operations')).toEqual([
      ['send-text', '13,448', '334 req/s', '5 (0.04%)', '44.8 ms', '66.9 ms', '75.2 ms', '88.1 ms', '196 ms', '44.0 ms', '83.4 ms'],
      ['metrics', '5,764', '143 req/s', '0', '8.90 ms', '15.2 ms', '18.7 ms', '27.4 ms', '61.2 ms', '8.70 ms', '25.8 ms'],
    ]);

    const env = await text(view, '#section-environment');
    for (const part of ['v20.19.2', 'linux 6.8.0-49-generic (x64)', '8 × AMD Ryzen 7 5800U', '15.4 GB', '0.84, 0.61, 0.52']) {
      expect(env).toContain(part);
    }
    expect(await view.page.locator('.artifact-name').allTextContents()).toEqual(['Markdown report', 'JUnit report']);

    await view.screenshot('run-pass-dark');
    expect(await view.problems()).toEqual([]);
  });

  it('shows a failed run: FAILED, the error, the generator warning and failed thresholds first', async () => {
    const view = await openRunPage({ theme: 'light' });
    await showRun(view, loadFixture(FAILED));

    expect(await text(view, 'h1')).toBe('checkout-stress');
    expect(await text(view, '[data-testid=verdict]')).toBe('FAILED');
    const error = await text(view, '.banner-error');
    expect(error).toContain('The run failed');
    expect(error).toContain('1,204 requests to 127.0.0.1:3000 failed with ECONNREFUSED');
    const warning = await text(view, '.banner-warning');
    expect(warning).toContain('The load generator was the bottleneck');
    expect(warning).toContain('event-loop lag p99 212 ms, 1,873 late sends (up to 846 ms late)');

    expect(await rows(view, 'thresholds')).toEqual([
      ['✗fail', 'latency.p99', '< 100ms', '413 ms'],
      ['✗fail', 'errors.rate', '< 1%', '42.7%'],
      ['✗fail', 'scenario.checkout.latency.p99', '< 300ms', 'no value'],
      ['✓pass', 'scenario.browse.latency.p95', '< 250ms', '188 ms'],
      ['✓pass', 'rps', '>= 100', '154 req/s'],
    ]);
    const rowClasses = await view.page.locator('#section-thresholds tbody tr').evaluateAll((trs) => trs.map((tr) => tr.className));
    expect(rowClasses).toEqual(['threshold-fail', 'threshold-fail', 'threshold-fail', 'threshold-pass', 'threshold-pass']);
    expect(await text(view, '#section-thresholds summary')).toContain('3 of 5 failed');
    expect(await view.page.locator('#section-operations td.bad').count()).toBe(3);
    expect(await view.page.locator('#section-operations td.bad').first().getAttribute('title')).toBe('ECONNREFUSED × 722');

    await view.screenshot('run-failed-light');
    expect(await view.problems()).toEqual([]);
  });

  it('shows a Redis run with operations and the empty states', async () => {
    const view = await openRunPage({ theme: 'dark' });
    await showRun(view, loadFixture(REDIS));

    expect(await text(view, 'h1')).toBe('redis-ops');
    expect(await text(view, '.run-meta')).toContain('Redis benchmark');
    expect(await rows(view, 'thresholds')).toEqual([['✓pass', 'op.get.rate', '>= 15000/s', '18,235 ops/s']]);
    expect(await text(view, '#section-thresholds .section-note')).toBe('passed');
    expect(await text(view, '#section-phases .empty')).toBe('This run type has no load phases.');
    expect(await text(view, '#section-artifacts .empty')).toBe('This run produced no files besides run.json.');
    expect(await view.page.locator('#section-operations h2').innerText()).toBe('Operations');
    expect(await headers(view, 'operations')).toEqual(['Operation', 'Count', 'Rate', 'Errors', 'p50', 'p90', 'p95', 'p99', 'Max']);
    const ops = await rows(view, 'operations');
    expect(ops.map((r) => r[0])).toEqual(['set', 'get', 'incr', 'lpush', 'zadd', 'pipeline']);
    expect(ops[1]!.slice(0, 5)).toEqual(['get', '10,000', '18,235 ops/s', '0', '2.48 ms']);

    await view.screenshot('run-redis-dark');
    expect(await view.problems()).toEqual([]);
  });

  it('shows the empty states of a run without results or thresholds', async () => {
    const view = await openRunPage();
    const record: RunRecord = {
      ...loadFixture(REDIS),
      status: 'cancelled',
      pass: false,
      overall: undefined,
      operations: [],
      thresholds: [],
    };
    await showRun(view, record);
    expect(await text(view, '[data-testid=verdict]')).toBe('CANCELLED');
    expect(await text(view, '#section-summary .empty')).toBe('No results: the run ended before anything completed.');
    expect(await text(view, '#section-thresholds .empty')).toBe('No thresholds are set for this profile.');
    expect(await text(view, '#section-operations .empty')).toBe('This run recorded no operations.');
    expect(await view.problems()).toEqual([]);
  });

  it('shows a duration, a size, a rate and a latency as the CLI and the reports do (test/unit/one-format.test.ts)', async () => {
    const view = await openRunPage();
    await showRun(view, sameValuesRecord());
    const page = await text(view, '#app');
    for (const part of Object.values(EXPECTED)) expect(page).toContain(part);
  });

  it('says FAIL for a completed run whose thresholds failed, and re-renders on a new record', async () => {
    const view = await openRunPage();
    const record = loadFixture(PASSING);
    await showRun(view, record);
    expect(await text(view, '[data-testid=verdict]')).toBe('PASS');

    const failing: RunRecord = {
      ...record,
      pass: false,
      thresholds: record.thresholds.map((t) => (t.metric === 'rps' ? { ...t, actual: 12.5, pass: false } : t)),
    };
    await view.send(runMessage(failing, '/runs/x'));
    await view.page.locator('[data-testid=verdict]', { hasText: 'FAIL' }).waitFor();
    expect((await rows(view, 'thresholds'))[0]).toEqual(['✗fail', 'rps', '>= 40', '12.5 req/s']);
    expect(await view.page.locator('.run-header').count()).toBe(1);
    expect(await view.problems()).toEqual([]);
  });

  it('shows hostile names as literal text and runs none of them', async () => {
    const view = await openRunPage();
    const record = loadFixture(FAILED);
    const hostile: RunRecord = {
      ...record,
      profile: HOSTILE,
      target: '<svg onload=alert(2)>',
      error: '<script>globalThis.__pwned = 1</script>',
      operations: record.operations.map((op, i) => (i === 0 ? { ...op, name: HOSTILE, errorsByKind: { '<b onmouseover=alert(3)>': 1 } } : op)),
      thresholds: [{ metric: '"><img src=x onerror=alert(4)>', limit: '< 1ms', actual: 2, unit: '<i>ms</i>' as never, pass: false }],
      artifacts: [{ file: '../../etc/passwd', kind: 'other', label: HOSTILE }],
    };
    await showRun(view, hostile);

    expect(await text(view, 'h1')).toBe(HOSTILE);
    expect(await text(view, '.run-meta')).toContain('<svg onload=alert(2)>');
    expect(await text(view, '.banner-error')).toContain('<script>globalThis.__pwned = 1</script>');
    expect((await rows(view, 'operations'))[0]![0]).toBe(HOSTILE);
    expect((await rows(view, 'thresholds'))[0]).toEqual(['✗fail', '"><img src=x onerror=alert(4)>', '< 1ms', '2 <i>ms</i>']);
    expect(await view.page.locator('.artifact-name').first().innerText()).toBe(HOSTILE);

    // Nothing was parsed as markup, so there is nothing to run, load or hover.
    expect(await view.page.locator('#app img, #app svg, #app script, #app b, #app i').count()).toBe(0);
    await view.page.locator('#section-operations tbody th').first().hover();
    expect(await view.page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await view.screenshot('run-hostile-light');
    expect(await view.problems()).toEqual([]);
  });

  it('asks the host to open artifacts and run.json', async () => {
    const view = await openRunPage();
    await showRun(view, loadFixture(FAILED));

    await view.page.getByRole('button', { name: 'Open cpu.cpuprofile' }).click();
    await view.page.getByRole('button', { name: 'Open timeline.json' }).click();
    await view.page.getByRole('button', { name: 'Open run.json' }).click();
    // (The page also asks for the process timeline of the run: see the process tests.)
    await expect.poll(async () => (await view.posted()).filter((m) => m.type === 'openFile')).toEqual([
      { type: 'openFile', file: 'cpu.cpuprofile' },
      { type: 'openFile', file: 'timeline.json' },
      { type: 'openFile', file: 'run.json' },
    ]);
    expect(await view.problems()).toEqual([]);
  });

  it('reports unknown and malformed messages to the host instead of ignoring them', async () => {
    const view = await openRunPage();
    await view.send({ type: 'refresh', id: 7 });
    await view.send('hello');
    await view.send({ type: 'run' });
    await view.page.waitForFunction(() => (globalThis as unknown as { __posted: unknown[] }).__posted.length >= 4);

    const logs = (await view.posted()).slice(1);
    expect(logs).toEqual([
      { type: 'log', level: 'warn', message: 'Unknown message from the host: {"type":"refresh","id":7}' },
      { type: 'log', level: 'warn', message: 'Unknown message from the host: "hello"' },
      { type: 'log', level: 'warn', message: 'Unknown message from the host: {"type":"run"}' },
    ]);
    expect(await text(view, '#app')).toBe('Loading run…');
    expect(await view.problems()).toEqual([]);
  });

  it('shows an error message from the host instead of the run', async () => {
    const view = await openRunPage();
    await showRun(view, loadFixture(PASSING));
    await view.send({ type: 'error', message: 'run.json: Unexpected token } in JSON at position 812' });
    await view.page.locator('.banner-error').waitFor();

    expect(await text(view, '.banner-error')).toContain('This run could not be shown');
    expect(await text(view, '.banner-error')).toContain('Unexpected token } in JSON at position 812');
    expect(await view.page.locator('.run-header').count()).toBe(0);
    expect(await view.problems()).toEqual([]);
  });

  it('says so when a record has an unexpected shape, and reports the details to the host', async () => {
    const view = await openRunPage();
    await view.send({ type: 'run', record: { id: 'half-written', profile: 'smoke' }, runDir: '/runs/x' });
    await view.page.locator('.banner-error').waitFor();

    expect(await text(view, '.banner-error')).toContain('run.json does not have the expected shape');
    const logs = (await view.posted()).slice(1);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ type: 'log', level: 'error' });
    expect(logs[0]!.type === 'log' && logs[0]!.message).toContain('Handling the "run" message failed');
    expect(await view.problems()).toEqual([]);
  });

  it('draws the timeline: rate and errors, p50 and p99, with the phases as bands', async () => {
    const view = await openRunPage();
    const record = loadFixture(PASSING);
    await showRun(view, record);
    const rate = view.page.locator('#section-timeline [data-chart="rate"]');
    const latency = view.page.locator('#section-timeline [data-chart="latency"]');
    // The legend names each series as the page does elsewhere; the x series (time) comes first.
    expect(await rate.locator('.u-legend .u-series th').allInnerTexts()).toEqual(['time', 'req/s', 'errors/s']);
    expect(await latency.locator('.u-legend .u-series th').allInnerTexts()).toEqual(['time', 'p50', 'p99']);
    // Every phase of the run is a band in both charts, in order.
    const phases = [...new Set(record.timeline!.map((p) => p.phase))].join('|');
    await expect.poll(() => rate.getAttribute('data-drawn-bands')).toBe(phases);
    await expect.poll(() => latency.getAttribute('data-drawn-bands')).toBe(phases);
    // The canvas holds the drawing, at the width of the section.
    type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }; getBoundingClientRect(): { width: number } };
    const drawn = await latency.locator('canvas').evaluate((element) => {
      const c = element as unknown as Canvas;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return { painted, width: c.getBoundingClientRect().width };
    });
    expect(drawn.painted).toBeGreaterThan(1_000);
    const sectionWidth = await view.page.locator('#section-timeline .section-body').evaluate((e) => e.clientWidth);
    expect(Math.abs(drawn.width - sectionWidth)).toBeLessThan(60);
    // Hovering a second shows its values, formatted as everywhere else.
    await latency.locator('.u-over').hover();
    await expect.poll(() => latency.locator('.u-legend .u-series').nth(2).locator('td').innerText()).toMatch(/^\d[\d.,]* (ms|s)$/);
    expect(await view.problems()).toEqual([]);
  });

  it('draws the latency distribution by percentile, corrected and uncorrected, up to the max', async () => {
    const view = await openRunPage();
    const record = loadFixture(WITH_DISTRIBUTION);
    await showRun(view, record);
    const chart = view.page.locator('#section-distribution [data-chart="distribution"]');
    expect(await chart.locator('.u-legend .u-series th').allInnerTexts()).toEqual(['percentile', 'latency', 'uncorrected']);
    // At the right end of the axis: the maximum, as the summary gives it.
    const box = (await chart.locator('.u-over').boundingBox())!;
    await chart.locator('.u-over').hover({ position: { x: box.width - 1, y: box.height / 2 } });
    const values = () => chart.locator('.u-legend .u-series td').allInnerTexts();
    await expect.poll(values).toEqual(['max', formatMs(record.overall!.latency.max), formatMs(record.overall!.uncorrectedLatency!.max)]);
    // Halfway along a log axis from 0 % to the max: a high percentile, not the median.
    await chart.locator('.u-over').hover({ position: { x: box.width / 2, y: box.height / 2 } });
    await expect.poll(async () => (await values())[0]).toMatch(/^9\d(\.\d+)?%$/);
    expect(await text(view, '#section-distribution .footnote')).toMatch(/merged histogram; “uncorrected” is measured from the actual send/);
    await view.screenshot('run-distribution-light');
    expect(await view.problems()).toEqual([]);
  });

  it('draws a BullMQ sweep: throughput and p99 at each worker concurrency', async () => {
    const view = await openRunPage({ theme: 'dark' });
    const record = loadFixture(SWEEP);
    await showRun(view, record);
    const chart = view.page.locator('#section-sweep [data-chart="sweep"]');
    expect(await text(view, '#section-sweep h2')).toBe('Worker concurrency');
    expect(await chart.locator('.u-legend .u-series th').allInnerTexts()).toEqual(['concurrency', 'jobs/s', 'p99']);
    // The first step (c=1) sits at the left end: its values, as the operations table gives them.
    const c1 = record.operations.find((o) => o.name === 'e2e.c1')!;
    const box = (await chart.locator('.u-over').boundingBox())!;
    await chart.locator('.u-over').hover({ position: { x: 1, y: box.height / 2 } });
    await expect.poll(() => chart.locator('.u-legend .u-series td').allInnerTexts()).toEqual(['c=1', formatNumber(c1.rate), formatMs(c1.latency.p99)]);
    // The timeline shows each step as a band.
    await expect.poll(() => view.page.locator('[data-chart="rate"]').getAttribute('data-drawn-bands')).toBe('e2e c=1|e2e c=4|e2e c=16');
    await view.screenshot('run-sweep-dark');
    expect(await view.problems()).toEqual([]);
  });

  it('shows a capacity search: the rate found, the first failing rate and why, the curve and the steps', async () => {
    const view = await openRunPage();
    const record = loadFixture(CAPACITY);
    const c = record.capacity!;
    await showRun(view, record);
    const section = view.page.locator('#section-capacity');
    expect(await text(view, '#section-capacity h2')).toBe('Capacity');
    expect(await text(view, '#section-capacity .section-note')).toBe(`${c.rate} req/s`);
    expect(await section.getByTestId('capacity-headline').innerText()).toBe(`✓Capacity: ${c.rate} req/s, every criterion met`);
    expect(await section.getByTestId('capacity-first-failing').innerText()).toBe(`At ${c.firstFailing!.rate} req/s: ${c.firstFailing!.failed.join('; ')}.`);
    expect(await section.getByTestId('capacity-stop').innerText()).toMatch(/^\d+ req\/s failed: the capacity is within 5% below it\./);
    // Right after the thresholds.
    const order = await view.page.locator('details.section').evaluateAll((els) => els.map((e) => e.id));
    expect(order.indexOf('section-capacity')).toBe(order.indexOf('section-thresholds') + 1);

    expect(await headers(view, 'capacity')).toEqual(['Step', 'Offered', 'Achieved', 'Errors', 'p50', 'p95', 'p99', 'Result', 'Why']);
    const shown: string[][] = [];
    for (const row of await section.locator('.data-table tbody tr').all()) shown.push(await row.locator('th, td').allTextContents());
    expect(shown.map((r) => r[1])).toEqual(c.steps.map((s) => `${formatNumber(s.rate)}${s.rate < 100 ? '.0' : ''} req/s`));
    expect(shown.map((r) => r[7])).toEqual(c.steps.map((s) => (s.pass ? 'pass' : 'FAIL')));
    expect(shown.map((r) => r[6])).toEqual(c.steps.map((s) => formatMs(s.p99)));
    expect(await section.locator('tbody tr.capacity-fail').count()).toBe(c.steps.filter((s) => !s.pass).length);

    // The curve, by offered rate: at its right end the highest rate tried and what it achieved.
    const chart = section.locator('[data-chart="capacity"]');
    expect(await chart.locator('.u-legend .u-series th').allInnerTexts()).toEqual(['offered', 'achieved req/s', 'p50', 'p99']);
    const top = [...c.steps].sort((a, b) => b.rate - a.rate)[0]!;
    const box = (await chart.locator('.u-over').boundingBox())!;
    await chart.locator('.u-over').hover({ position: { x: box.width - 1, y: box.height / 2 } });
    await expect.poll(() => chart.locator('.u-legend .u-series td').allInnerTexts()).toEqual([`${formatNumber(top.rate)}/s`, formatNumber(top.achieved), formatMs(top.p50), formatMs(top.p99)]);
    // The timeline shows each step as a band, in the order they ran, and the waits for the target to recover after a failed one.
    await expect.poll(async () => (await view.page.locator('[data-chart="rate"]').getAttribute('data-drawn-bands'))?.split('|').filter((b) => b !== 'recovering'))
      .toEqual(c.steps.map((s) => `${formatNumber(s.rate)}${s.rate < 100 ? '.0' : ''} req/s`));
    expect(await view.page.locator('[data-chart="rate"]').getAttribute('data-drawn-bands')).toContain('recovering');
    await view.screenshot('run-capacity');
    expect(await view.problems()).toEqual([]);
  });

  it('draws the sampled process: heap and RSS, event-loop delay and CPU, from the run\'s timeline artifact', async () => {
    const dir = join(ROOT, 'test/fixtures/runs', WITH_PROCESS);
    const view = await openRunPage({ host: runRequests(dir) });
    const record = loadFixture(WITH_PROCESS);
    await view.send(runMessage(record, dir));
    const memory = view.page.locator('#section-process [data-chart="memory"]');
    const loop = view.page.locator('#section-process [data-chart="event-loop"]');
    await memory.waitFor();
    expect(await memory.locator('.u-legend .u-series th').allInnerTexts()).toEqual(['time', 'heap used', 'RSS']);
    expect(await loop.locator('.u-legend .u-series th').allInnerTexts()).toEqual(['time', 'lag p99', 'lag max', 'GC pause', 'CPU']);
    // At the right end: the last interval, as the timeline file has it.
    const series = processSeries(JSON.parse(readFileSync(join(dir, 'timeline.json'), 'utf8')));
    const last = series.t.length - 1;
    const box = (await memory.locator('.u-over').boundingBox())!;
    await memory.locator('.u-over').hover({ position: { x: box.width - 1, y: box.height / 2 } });
    await expect.poll(() => memory.locator('.u-legend .u-series td').allInnerTexts())
      .toEqual([`${formatNumber(series.t[last]!)} s`, formatBytes(series.heapUsed[last]!), formatBytes(series.rss[last]!)]);
    const loopBox = (await loop.locator('.u-over').boundingBox())!;
    await view.page.mouse.move(loopBox.x + loopBox.width - 1, loopBox.y + loopBox.height / 2);
    await expect.poll(() => loop.locator('.u-legend .u-series td').allInnerTexts())
      .toEqual([`${formatNumber(series.t[last]!)} s`, formatMs(series.lagP99[last]!), formatMs(series.lagMax[last]!), formatMs(series.gcPauseMs[last]!), formatPercent(series.cpu[last]!)]);
    expect(await view.posted()).toContainEqual(expect.objectContaining({ type: 'request', method: 'run.processTimeline', params: { file: 'timeline.json' } }));
    await view.screenshot('run-process-light');
    expect(await view.problems()).toEqual([]);
  });

  it('says what is wrong when the process timeline cannot be read', async () => {
    const view = await openRunPage({ host: runRequests(join(ROOT, 'test/fixtures/runs', FAILED)) });
    await showRun(view, loadFixture(FAILED));
    await view.page.locator('#section-process .banner-error').waitFor();
    expect(await text(view, '#section-process .banner-error')).toBe('Could not read timeline.json: the file is missing from the run folder');
  });

  it('renders in the high-contrast theme', async () => {
    const view = await openRunPage({ theme: 'hc' });
    await showRun(view, loadFixture(FAILED));
    expect(await view.page.evaluate(() => (globalThis as unknown as { document: { body: { className: string } } }).document.body.className)).toContain('vscode-high-contrast');
    await view.screenshot('run-failed-hc');
    expect(await view.problems()).toEqual([]);
  });

  it('leaves the distribution out of a record that has none (an older run)', async () => {
    const view = await openRunPage();
    await showRun(view, loadFixture(PASSING));
    expect(await view.page.locator('#section-distribution').count()).toBe(0);
  });

  it('says so when there is no timeline to draw', async () => {
    const view = await openRunPage();
    await showRun(view, loadFixture(REDIS));
    expect(await text(view, '#section-timeline .empty')).toBe('This run recorded no timeline.');
  });

  it('keeps collapsed sections in the webview state', async () => {
    const view = await openRunPage();
    const record = loadFixture(PASSING);
    await showRun(view, record);

    await view.page.locator('#section-environment > summary').click();
    await view.page.locator('#section-phases > summary').click();
    // <details> fires `toggle` asynchronously: wait for the state the page saves, never read it at once.
    await expect.poll(() => view.state()).toEqual({ collapsed: ['environment', 'phases'], runId: record.id });
    expect(await view.page.locator('#section-environment').getAttribute('open')).toBeNull();
    await view.page.locator('#section-phases > summary').click();
    await expect.poll(() => view.state()).toEqual({ collapsed: ['environment'], runId: record.id });

    // Shown again later: VS Code hands the saved state back to the new page.
    const again = await openRunPage({ initialState: await view.state() });
    await showRun(again, record);
    const openAttr = (id: string) => again.page.locator(`#section-${id}`).getAttribute('open');
    expect(await openAttr('environment')).toBeNull();
    expect(await openAttr('phases')).not.toBeNull();
    expect(await openAttr('thresholds')).not.toBeNull();
    expect(await view.problems()).toEqual([]);
    expect(await again.problems()).toEqual([]);
  });

  it('runs under a policy that really blocks inline code (the harness sees violations)', async () => {
    const view = await openRunPage();
    await view.page.evaluate(
      "const s = document.createElement('script'); s.textContent = 'globalThis.__inline = 1'; document.body.append(s);",
    );
    await view.page.waitForFunction(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations.length > 0);
    expect(await view.page.evaluate(() => (globalThis as { __inline?: unknown }).__inline)).toBeUndefined();
    const problems = await view.problems();
    expect(problems.some((p) => p.startsWith('csp: script-src'))).toBe(true);
  });
});
