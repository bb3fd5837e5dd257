// `perflab report --html`: the run page and the flame graph as one file each, opened offline in
// Chromium (every request that is not the file itself is refused), showing what the webviews show.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffFlameTrees } from '../../src/core/flame';
import { formatActual, formatShare } from '../../src/core/format';
import type { RunRecord } from '../../src/core/runRecord';
import { analyzeCpu } from '../../src/runners/profiler/analysis/cpu/cpuProfile';
import { kindOf } from '../../src/runners/registry';
import { flameModel } from '../../src/views/flameRequests';
import { launchChromium, loadFixture, ROOT } from './harness';

const CLI = join(ROOT, 'dist', 'cli.js');
const FAILED = '20251127-143310-checkout-stress-9b1e';
const PROFILE = join(ROOT, 'test/fixtures/profiles/service.cpuprofile');
const HOSTILE = '</script><img src=x onerror=globalThis.__pwned=1>';

let browser: Browser;
let work: string;

function report(subject: string, out: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, 'report', subject, '--html', out], { cwd: work, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Opens an exported file with the network cut off; returns the page and what went wrong in it. */
async function openOffline(file: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
  await page.goto(pathToFileURL(file).href);
  return { page, problems };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'perflab-report-'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('perflab report --html', () => {
  it('shows a run\'s comparison with its baseline as the run page does, without the editor\'s way to the baseline', async () => {
    const id = '20261202T100657Z-smoke-9f81f5';
    const out = join(work, 'compared.html');
    const r = report(join(ROOT, 'test/webview/fixtures/runs', id), out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const { page, problems } = await openOffline(out);
    const section = page.locator('#section-comparison');
    await section.locator('tbody tr').first().waitFor();
    const record = JSON.parse(readFileSync(join(ROOT, 'test/webview/fixtures/runs', id, 'run.json'), 'utf8')) as RunRecord;
    expect(await section.locator('tbody tr').count()).toBe(record.comparison!.metrics.length);
    expect(await section.locator('tbody tr.comparison-regression').count()).toBe(record.comparison!.regressions);
    // Nothing in an exported file can open another run.
    expect(await section.getByRole('button').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('writes the run page of a run folder, which opens offline with the webview\'s numbers', async () => {
    const out = join(work, 'run.html');
    const r = report(join(ROOT, 'test/fixtures/runs', FAILED), out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote run\.html: the run page of checkout-stress/);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<script type="application/json" id="perflab-data">');

    const { page, problems } = await openOffline(out);
    await page.locator('.run-header').waitFor();
    const record = loadFixture(FAILED);
    expect(await page.getByTestId('verdict').innerText()).toBe('FAILED');
    const rows = await page.locator('#section-thresholds tbody tr').allInnerTexts();
    const rateUnit = kindOf(record.type).words.rateUnit;
    for (const t of record.thresholds) expect(rows.some((row) => row.includes(t.metric) && row.includes(formatActual(t, rateUnit)))).toBe(true);
    await page.locator('[data-chart="rate"] canvas').waitFor();
    // Its timeline artifact is not in the fixture: the page says so, as the webview does.
    expect(await page.locator('#section-process .banner-error').innerText()).toBe('Could not read timeline.json: the file is missing from the run folder');
    expect(problems).toEqual([]);
  });

  it("embeds a run's stack series: the Redis and queue charts draw offline", async () => {
    const out = join(work, 'stack.html');
    const r = report(join(ROOT, 'test/fixtures/runs', '20261202T170540Z-idle-749db7'), out);
    expect(r.code).toBe(0);
    const { page, problems } = await openOffline(out);
    await page.locator('#section-stack [data-chart="redis-memory"] canvas').waitFor();
    await page.locator('#section-stack [data-chart="queue-messages"] canvas').waitFor();
    expect(await page.locator('#section-stack .banner-error').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('writes the flame graph of a CPU profile: drawn, searchable, hostile names as text', async () => {
    const out = join(work, 'flame.html');
    const r = report(PROFILE, out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote flame\.html: the flame graph of service\.cpuprofile/);

    const { page, problems } = await openOffline(out);
    await page.waitForFunction(() => Number((globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[data-testid="flame"]')?.getAttribute('data-drawn')) > 0);
    const analysis = analyzeCpu(PROFILE, JSON.parse(readFileSync(PROFILE, 'utf8')));
    const found = flameModel(analysis.tree).search('hashAll', false);
    await page.locator('vscode-textfield input').fill('hashAll');
    await expect.poll(() => page.getByTestId('match-count').innerText())
      .toBe(`${found.nodes} matches in 1 function · ${formatShare(found.totalMs, found.profileMs)} of the time`);
    // The hostile frame of the fixture is searchable by its name, as text.
    await page.locator('vscode-textfield input').fill('onerror=alert(1)');
    await expect.poll(() => page.getByTestId('match-count').innerText()).toMatch(/^1 match in 1 function/);
    expect(await page.locator('img').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('writes a differential flame graph of two profiles', async () => {
    const after = join(ROOT, 'test/fixtures/profiles/service-more-hashing.cpuprofile');
    const out = join(work, 'diff.html');
    const r = spawnSync(process.execPath, [CLI, 'report', after, '--diff', PROFILE, '--html', out], { cwd: work, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^wrote diff\.html: the differential flame graph of service-more-hashing\.cpuprofile against service\.cpuprofile/);
    const { page, problems } = await openOffline(out);
    await page.locator('.growers-table tbody tr').first().waitFor();
    const diff = diffFlameTrees(analyzeCpu(PROFILE, JSON.parse(readFileSync(PROFILE, 'utf8'))).tree, analyzeCpu(after, JSON.parse(readFileSync(after, 'utf8'))).tree);
    expect(await page.locator('.growers-table tbody tr').first().locator('td').first().innerText()).toBe(diff.growers[0]!.name);
    expect(problems).toEqual([]);
  });

  it('keeps a run\'s hostile strings inert: no script runs, the text shows', async () => {
    const dir = join(work, 'hostile-run');
    mkdirSync(dir, { recursive: true });
    cpSync(join(ROOT, 'test/fixtures/runs', FAILED, 'run.json'), join(dir, 'run.json'));
    const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...record, profile: HOSTILE, error: `<script>globalThis.__pwned = 2</script>${HOSTILE}` }));
    const out = join(work, 'hostile.html');
    expect(report(dir, out).code).toBe(0);
    // The data cannot end its script element: every "<" is escaped in the embedded JSON.
    const html = readFileSync(out, 'utf8');
    const data = html.slice(html.indexOf('id="perflab-data">'), html.indexOf('</script>', html.indexOf('id="perflab-data">')));
    expect(data).not.toContain('<');

    const { page, problems } = await openOffline(out);
    await page.locator('.run-header').waitFor();
    expect(await page.locator('h1').innerText()).toBe(HOSTILE);
    expect(await page.locator('.banner-error').first().innerText()).toContain(`<script>globalThis.__pwned = 2</script>${HOSTILE}`);
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('names what is wrong with a bad subject', () => {
    const missing = report(join(work, 'no-such-run'), join(work, 'x.html'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no run');
    const noOut = spawnSync(process.execPath, [CLI, 'report', PROFILE], { cwd: work, encoding: 'utf8' });
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toContain('--html OUT.html');
  });
});
