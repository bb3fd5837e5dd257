// The comparison with a baseline in real Chromium: the run page's "Compared with baseline"
// section and the comparison page (Compare Runs…), from two real smoke runs against the demo, the
// second with 20 ms added to GET /health (`perflab demo --slow /health:20`) and compared with the
// first by `perflab run smoke --baseline saved`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSamples } from '../../src/core/compare/baseline';
import { type ComparedRun, compareRuns } from '../../src/core/compare/compare';
import { settingsWith } from '../../src/core/compare/rules';
import { comparisonBasis, comparisonRows, comparisonSides, comparisonVerdict, growerRows } from '../../src/core/report/comparison';
import type { RunRecord } from '../../src/core/runRecord';
import { RunStore } from '../../src/core/runStore';
import { withCpuGrowers } from '../../src/runners/profiler/cpuGrowth';
import { comparisonView } from '../../src/views/comparisonView';
import { runMessage } from '../../src/views/runMessage';
import { loadFixture, ROOT, type WebviewPage, useWebviewPages } from './harness';

const RUNS = join(ROOT, 'test', 'webview', 'fixtures', 'runs');
const BASELINE = '20261202T100625Z-smoke-164d7d';
/** Compared with BASELINE: 7 regressions, all of them latencies that include GET /health. */
const COMPARED = '20261202T100657Z-smoke-9f81f5';
const HOSTILE = '<img src=x onerror=alert(1)>';

const read = (id: string): RunRecord => JSON.parse(readFileSync(join(RUNS, id, 'run.json'), 'utf8')) as RunRecord;

const openPage = useWebviewPages('run', 'compare');
const page = (entry: 'run' | 'compare', theme?: 'light' | 'dark' | 'hc'): Promise<WebviewPage> => openPage({ entry, ...(theme ? { theme } : {}) });

async function showRun(view: WebviewPage, record: RunRecord): Promise<void> {
  await view.send(runMessage(record, join(RUNS, record.id)));
  await view.page.locator('.run-header').waitFor();
}

/** Each body row's cells as a user reads them. */
async function rows(view: WebviewPage): Promise<string[][]> {
  const out: string[][] = [];
  for (const row of await view.page.locator('#section-comparison tbody tr').all()) out.push(await row.locator('th, td').allTextContents());
  return out;
}

const GLYPH = { regression: '▲', improvement: '▼', 'within-allowance': '≈', 'no-significant-change': '=' } as const;

/** The rows the CLI's report shows, in the page's cells. */
function expectedRows(record: RunRecord): string[][] {
  return comparisonRows(record.comparison!, 'req/s').map((r) => [r.metric, r.baseline, r.current, r.change, `${GLYPH[r.source.verdict]}${r.verdict}`]);
}

/** The current run compared again, as if the baseline came from a machine with other CPUs and Node: real warnings. */
async function withOtherMachine(): Promise<RunRecord> {
  const store = new RunStore(RUNS);
  const baseline = read(BASELINE);
  const other = { ...baseline, environment: { ...baseline.environment, cpuCount: baseline.environment.cpuCount + 14, node: 'v18.20.4' } };
  const current = read(COMPARED);
  const comparison = compareRuns([await withSamples(store, other)], [await withSamples(store, current)], settingsWith());
  return { ...current, comparison, pass: comparison.pass };
}

describe('a run compared with its baseline', () => {
  it('shows the "Compared with baseline" section: verdict, the rows of the report, regressions first and marked', async () => {
    const view = await page('run', 'light');
    const record = read(COMPARED);
    const c = record.comparison!;
    expect(c.regressions).toBe(7);
    await showRun(view, record);

    expect(await view.page.locator('[data-testid=verdict]').innerText()).toBe('FAIL');
    expect(await view.page.locator('[data-testid=verdict]').getAttribute('title')).toBe('4 of 4 thresholds passed; 7 regressions vs baseline');
    const section = view.page.locator('#section-comparison');
    expect(await section.locator('summary h2').innerText()).toBe('Compared with baseline');
    expect(await section.locator('.section-note').innerText()).toBe('7 regressions');
    // Right after the thresholds, before the timeline.
    const order = await view.page.locator('details.section').evaluateAll((els) => els.map((e) => e.id));
    expect(order.slice(order.indexOf('section-thresholds'), order.indexOf('section-thresholds') + 3)).toEqual(['section-thresholds', 'section-comparison', 'section-findings']);

    const verdict = comparisonVerdict(c);
    expect(await section.getByTestId('comparison-verdict').innerText()).toBe(`✗${verdict[0]!.toUpperCase()}${verdict.slice(1)}`);
    expect(await section.locator('thead th').allTextContents()).toEqual(['Metric', 'Baseline', 'Now', 'Change', 'Verdict']);
    const shown = await rows(view);
    expect(shown).toEqual(expectedRows(record));
    expect(shown[0]).toEqual(['latency.p95', '3.76 ms', '21.4 ms', '+469% (+9.7% to +2,855%)', '▲regression']);

    // The 7 regressions lead, each marked (a tint, and a bar that high contrast keeps); no other row is.
    const classes = await section.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.className));
    expect(classes.slice(0, 7).every((k) => k.includes('comparison-regression'))).toBe(true);
    expect(classes.slice(7).some((k) => k.includes('comparison-regression'))).toBe(false);
    const look = (i: number) => section.locator('tbody tr').nth(i).evaluate((tr) => {
      const style = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string; boxShadow: string; color: string } }).getComputedStyle(el);
      return { background: style(tr).backgroundColor, bar: style(tr.querySelector('th')).boxShadow, change: style(tr.querySelectorAll('td')[2]).color };
    });
    const [regression, unchanged] = [await look(0), await look(7)];
    expect(regression.background).not.toBe(unchanged.background);
    expect(regression.bar).not.toBe('none');
    expect(unchanged.bar).toBe('none');
    expect(regression.change).not.toBe(unchanged.change);
    expect(await section.locator('tbody tr').first().locator('th').getAttribute('title')).toBe(`Rule ${comparisonRows(c, 'req/s')[0]!.rule}`);

    expect(await section.locator('.footnote').innerText()).toBe(`${comparisonSides(c)}; ${comparisonBasis(c)}.`);
    expect(await section.getByTestId('comparison-warnings').count()).toBe(0);

    await section.getByRole('button', { name: 'Open Baseline Run' }).click();
    expect((await view.posted()).at(-1)).toEqual({ type: 'openRun', id: BASELINE });

    await view.screenshot('run-compared-light');
    expect(await view.problems()).toEqual([]);
  });

  it('shows why a comparison may not be like for like, each warning as the comparison words it', async () => {
    const view = await page('run', 'hc');
    const record = await withOtherMachine();
    const warnings = record.comparison!.warnings;
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    await showRun(view, record);

    const banner = view.page.locator('#section-comparison').getByTestId('comparison-warnings');
    expect(await banner.getAttribute('role')).toBe('status');
    expect(await banner.locator('strong').innerText()).toBe(`Read this comparison with care (${warnings.length} notes)`);
    expect(await banner.locator('li').allTextContents()).toEqual(warnings);
    expect(warnings.join('\n')).toMatch(/CPU count differs/);
    expect(warnings.join('\n')).toMatch(/Node version differs: v18\.20\.4 in the baseline/);
    expect(await rows(view)).toEqual(expectedRows(record));

    await view.screenshot('run-compared-warnings-hc');
    expect(await view.problems()).toEqual([]);
  });

  it('has no comparison section for a run without a comparison, and keeps names as text', async () => {
    const view = await page('run');
    await showRun(view, loadFixture('20251127-101502-smoke-3f9c'));
    expect(await view.page.locator('#section-comparison').count()).toBe(0);

    const record = read(COMPARED);
    const c = record.comparison!;
    // The first row: the first regression.
    const first = c.metrics.findIndex((m) => m.verdict === 'regression');
    const hostile: RunRecord = { ...record, comparison: { ...c, warnings: [HOSTILE], metrics: c.metrics.map((m, i) => (i === first ? { ...m, metric: HOSTILE } : m)) } };
    await showRun(view, hostile);
    const section = view.page.locator('#section-comparison');
    await section.waitFor();
    expect(await section.locator('tbody tr').first().locator('th').innerText()).toBe(HOSTILE);
    expect(await section.getByTestId('comparison-warnings').locator('li').innerText()).toBe(HOSTILE);
    expect(await view.page.locator('#app img').count()).toBe(0);
    expect(await view.problems()).toEqual([]);
  });
});

describe('the comparison page (Compare Runs…)', () => {
  it('shows the two runs, the verdict and the table, and opens either run', async () => {
    const view = await page('compare', 'dark');
    expect(await view.posted()).toEqual([{ type: 'ready' }]);
    expect(await view.page.locator('#app').innerText()).toBe('Comparing…');

    const record = await withOtherMachine();
    const c = record.comparison!;
    await view.send({ type: 'comparison', profile: 'smoke', kindLabel: 'HTTP load test', comparison: comparisonView(c, 'req/s') });
    await view.page.locator('.run-header').waitFor();

    expect(await view.page.locator('h1').innerText()).toBe('smoke');
    expect(await view.page.getByTestId('verdict').innerText()).toBe(`${c.regressions} REGRESSIONS`);
    const meta = await view.page.locator('.run-meta').innerText();
    expect(meta).toContain('HTTP load test');
    expect(await rows(view)).toEqual(expectedRows(record));
    expect(await view.page.locator('#section-comparison tbody tr.comparison-regression').count()).toBe(c.regressions);
    expect(await view.page.getByTestId('comparison-warnings').locator('li').allTextContents()).toEqual(c.warnings);

    await view.page.getByRole('button', { name: 'Open the baseline run' }).click();
    await view.page.getByRole('button', { name: 'Open the compared run' }).click();
    expect((await view.posted()).slice(-2)).toEqual([{ type: 'openRun', id: BASELINE }, { type: 'openRun', id: COMPARED }]);

    // A message the page has no use for is reported to the host, not dropped silently.
    await view.send(runMessage(record, ''));
    await expect.poll(async () => (await view.posted()).at(-1)).toEqual({ type: 'log', level: 'warn', message: 'The comparison page got a "run" message, which it does not show' });

    await view.screenshot('compare-dark');
    expect(await view.problems()).toEqual([]);
  });
});

describe('the comparison page of two runs profiled under load', () => {
  it('lists the functions that grew, opens one at its source, and asks for the differential flame graph', async () => {
    // Two real recordings of one program, the second with four times the hashing, as the two runs' profiles.
    const profiled = (run: ComparedRun, file: string): ComparedRun => ({ ...run, dir: join(ROOT, 'test/fixtures/profiles'), record: { ...run.record, artifacts: [{ kind: 'cpuprofile', file }] } });
    const store = new RunStore(RUNS);
    const baseline = profiled(await withSamples(store, read(BASELINE)), 'service.cpuprofile');
    const current = profiled(await withSamples(store, read(COMPARED)), 'service-more-hashing.cpuprofile');
    const c = await withCpuGrowers(compareRuns([baseline], [current], settingsWith()), [baseline], [current]);
    const growers = growerRows(c);
    expect(growers.length).toBeGreaterThan(0);
    expect(growers.map((g) => g.name)).toContain('Hash');

    const opened: unknown[] = [];
    const view = await openPage({
      entry: 'compare',
      host: {
        openSource: (p) => {
          opened.push(p);
          if (!p.url.startsWith('file:')) throw new Error(`${p.url} is part of Node.js: it has no source file here`);
          return null;
        },
      },
    });
    await view.send({ type: 'comparison', profile: 'smoke', kindLabel: 'HTTP load test', comparison: comparisonView(c, 'req/s', true) });
    const part = view.page.getByTestId('comparison-growers');
    await part.waitFor();
    expect(await part.locator('h3').innerText()).toBe('Where the CPU time went');
    expect(await part.locator('thead th').allTextContents()).toEqual(['Function', 'Where', 'Baseline', 'Now', 'Change']);
    const shown = [];
    for (const row of await part.locator('tbody tr').all()) shown.push(await row.locator('th, td').allTextContents());
    expect(shown).toEqual(growers.map((g) => [g.name, g.where || '—', g.before, g.after, g.change]));

    // A function with a source: its name opens it at its line; the host's error is shown where the user looks.
    const first = growers.findIndex((g) => g.url);
    expect(first).toBeGreaterThanOrEqual(0);
    await part.locator('tbody tr').nth(first).getByRole('button').click();
    await expect.poll(() => opened.length).toBe(1);
    expect(opened[0]).toEqual({ url: growers[first]!.url, line: growers[first]!.line, column: 1 });
    const error = part.getByTestId('growers-error');
    if (growers[first]!.url.startsWith('file:')) expect(await error.isHidden()).toBe(true);
    else await expect.poll(() => error.innerText()).toMatch(/has no source file here/);

    await part.getByRole('button', { name: 'Open Differential Flame Graph' }).click();
    await expect.poll(async () => (await view.posted()).at(-1)).toEqual({ type: 'openFlameDiff' });

    await view.screenshot('compare-growers');
    expect(await view.problems()).toEqual([]);
  });

  it('shows the growers as text, and no flame graph button, where the page cannot open them (a run page)', async () => {
    const view = await page('run');
    const record = read(COMPARED);
    const functions = [{ name: HOSTILE, url: 'file:///srv/app/hot.js', line: 29, before: 0.021, after: 0.384 }];
    await showRun(view, { ...record, comparison: { ...record.comparison!, functions } });
    const part = view.page.locator('#section-comparison').getByTestId('comparison-growers');
    await part.waitFor();
    expect(await part.locator('tbody tr th').innerText()).toBe(HOSTILE);
    expect(await part.locator('tbody tr td').first().innerText()).toBe('/srv/app/hot.js:29');
    expect(await part.getByRole('button').count()).toBe(0);
    expect(await view.page.locator('#app img').count()).toBe(0);
    expect(await view.problems()).toEqual([]);
  });
});
