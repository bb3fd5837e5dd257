import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { diffFlameTrees, type FlameModel, type FlameSliceNode, topChanges } from '../../src/core/flame';
import { formatShare } from '../../src/core/format';
import type { RequestParams } from '../../src/protocol';
import { analyzeCpu } from '../../src/runners/profiler/analysis/cpu/cpuProfile';
import type { CpuAnalysis } from '../../src/runners/profiler/analysis/types';
import { flameModel, flameRequests } from '../../src/views/flameRequests';
import { assertBuilt, launchChromium, openWebview, ROOT, startWebviewServer, type OpenOptions, type WebviewPage, type WebviewServer } from './harness';

/** A real profile (test/fixtures/profiles/README.md), with one hostile function name and url. */
const FILE = join(ROOT, 'test/fixtures/profiles/service.cpuprofile');
const HOSTILE = '</script><img src=x onerror=alert(1)>';
const ROW = 18;

let browser: Browser;
let server: WebviewServer;
let analysis: CpuAnalysis;
let model: FlameModel;
const open: WebviewPage[] = [];
/** What the page asked to open, as the host received it. */
let opened: RequestParams<'openSource'>[] = [];

beforeAll(async () => {
  assertBuilt('flame');
  analysis = analyzeCpu(FILE, JSON.parse(readFileSync(FILE, 'utf8')));
  model = flameModel(analysis.tree);
  server = await startWebviewServer();
  browser = await launchChromium();
});

afterEach(async () => {
  opened = [];
  await Promise.all(open.splice(0).map((v) => v.close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openFlame(options: Partial<OpenOptions> = {}): Promise<WebviewPage> {
  const view = await openWebview(browser, server, {
    entry: 'flame',
    host: {
      ...flameRequests(model),
      openSource: (p) => {
        opened.push(p);
        throw new Error(`could not open ${p.url}: not found`);
      },
    },
    ...options,
  });
  open.push(view);
  await view.send({ type: 'flame', info: model.info('service.cpuprofile') });
  await drawn(view);
  return view;
}

const canvas = (view: WebviewPage) => view.page.locator('[data-testid="flame"]');

/** Waits until the canvas shows a slice, optionally of a given root; returns what it drew. */
async function drawn(view: WebviewPage, root?: number): Promise<{ root: number; drawn: number; from: number; to: number; width: number }> {
  await view.page.waitForFunction((r) => {
    const page = globalThis as unknown as { document: { querySelector(s: string): { getAttribute(name: string): string | null } | null } };
    const c = page.document.querySelector('[data-testid="flame"]');
    return c !== null && Number(c.getAttribute('data-drawn')) > 0 && (r === null || c.getAttribute('data-root') === String(r));
  }, root ?? null);
  const c = canvas(view);
  const [from, to] = (await c.getAttribute('data-view'))!.split('-').map(Number);
  return { root: Number(await c.getAttribute('data-root')), drawn: Number(await c.getAttribute('data-drawn')), from: from!, to: to!, width: (await c.boundingBox())!.width };
}

/** The widest node of a function in the slice the page shows, and where to point at it. */
async function pointAt(view: WebviewPage, name: string): Promise<{ node: FlameSliceNode; x: number; y: number }> {
  const shown = await drawn(view);
  const slice = model.slice({ root: shown.root, hideMeta: false, minShare: 0 });
  const frame = slice.frames.findIndex((f) => f.name === name);
  const node = slice.nodes.filter((n) => n.frame === frame).sort((a, b) => b.totalMs - a.totalMs)[0]!;
  const scale = shown.width / (shown.to - shown.from);
  if (node.totalMs * scale < 3) throw new Error(`${name} is ${(node.totalMs * scale).toFixed(1)} px wide in this view: point at a wider function`);
  return { node, x: (node.x - shown.from + node.totalMs / 2) * scale, y: node.depth * ROW + ROW / 2 };
}

describe('flame graph view', () => {
  it('draws the whole profile, named and sized as the analysis says', async () => {
    const view = await openFlame();
    const shown = await drawn(view, 0);
    expect(shown.to - shown.from).toBeCloseTo(analysis.durationMs, 3);
    expect(await view.page.locator('.file').textContent()).toBe('service.cpuprofile');
    expect(await view.page.locator('.facts').textContent()).toContain(`${analysis.tree.frames.name.length} functions`);
    await view.screenshot('flame-light');
    expect(await view.problems()).toEqual([]);
  });

  it('counts search matches over the whole profile and highlights them', async () => {
    const view = await openFlame();
    await view.page.locator('vscode-textfield input').fill('renderPreview');
    const fn = analysis.functions.find((f) => f.name === 'renderPreview')!;
    await expect.poll(() => view.page.getByTestId('match-count').textContent()).toBe(`1 match in 1 function · ${formatShare(fn.totalMs, analysis.durationMs)} of the time`);
    expect(await view.state()).toMatchObject({ query: 'renderPreview' });
    await view.page.locator('vscode-textfield input').fill('no such function');
    await expect.poll(() => view.page.getByTestId('match-count').textContent()).toBe('No matches');
  });

  it('focuses a clicked function: its subtree fills the view, the path leads to it', async () => {
    const view = await openFlame();
    const target = await pointAt(view, 'handleRequest');
    await canvas(view).click({ position: { x: target.x, y: target.y } });
    const shown = await drawn(view, target.node.id);
    expect(shown.to - shown.from).toBeCloseTo(target.node.totalMs, 3);
    expect(await view.page.locator('.crumb.current').textContent()).toBe('handleRequest');
    expect(await view.state()).toMatchObject({ root: target.node.id });

    await view.page.locator('.crumb').first().click();
    await drawn(view, 0);
  });

  it('zooms and keeps the zoom in its state', async () => {
    const view = await openFlame();
    const before = await drawn(view);
    await view.page.locator('vscode-button', { hasText: 'Zoom in' }).click();
    await expect.poll(async () => { const s = await drawn(view); return s.to - s.from; }).toBeCloseTo((before.to - before.from) / 2, 3);
    expect(await view.state()).toMatchObject({ view: { fromMs: expect.any(Number), toMs: expect.any(Number) } });
  });

  it('leaves out V8\'s pseudo-frames when they are switched off', async () => {
    const view = await openFlame();
    await view.page.locator('vscode-checkbox').click();
    const withoutMeta = model.slice({ root: 0, hideMeta: true, minShare: 0 }).rootMs;
    expect(withoutMeta).toBeLessThan(analysis.durationMs);
    await expect.poll(async () => { const s = await drawn(view); return s.to - s.from; }).toBeCloseTo(withoutMeta, 3);
    expect(await view.state()).toMatchObject({ hideMeta: true });
  });

  it('asks the host to open the source on Ctrl-click, and shows the host\'s error', async () => {
    const view = await openFlame();
    const request = await pointAt(view, 'handleRequest');
    await canvas(view).click({ position: { x: request.x, y: request.y } });
    await drawn(view, request.node.id);
    const target = await pointAt(view, 'hashAll');
    await canvas(view).click({ position: { x: target.x, y: target.y }, modifiers: ['Control'] });
    await view.page.locator('.banner-error:not([hidden])').waitFor();
    const fn = analysis.functions.find((f) => f.name === 'hashAll')!;
    expect(opened).toEqual([{ url: fn.url, line: fn.line, column: fn.column }]);
    expect(await view.page.locator('.banner-error').textContent()).toBe(`could not open ${fn.url}: not found`);
  });

  it('shows a hostile function name and url as text, and runs nothing', async () => {
    const view = await openFlame();
    const target = await pointAt(view, HOSTILE);
    await canvas(view).hover({ position: { x: target.x, y: target.y } });
    await view.page.locator('.tooltip:not([hidden])').waitFor();
    expect(await view.page.locator('.tip-name').textContent()).toBe(HOSTILE);
    expect(await view.page.locator('.tip-where').textContent()).toContain('webpack:///src/</script><img src=x onerror=alert(3)>.js');
    expect(await view.page.locator('img').count()).toBe(0);
    expect(await view.problems()).toEqual([]);
  });

  it('comes back with its focus and search from the saved state', async () => {
    const first = await openFlame();
    const target = await pointAt(first, 'handleRequest');
    await canvas(first).click({ position: { x: target.x, y: target.y } });
    await drawn(first, target.node.id);
    await first.page.locator('vscode-textfield input').fill('hashAll');
    await expect.poll(() => first.page.getByTestId('match-count').textContent()).toContain('in 1 function');
    const saved = await first.state();

    const again = await openFlame({ initialState: saved });
    await drawn(again, target.node.id);
    expect(await again.page.locator('vscode-textfield input').inputValue()).toBe('hashAll');
    await expect.poll(() => again.page.getByTestId('match-count').textContent()).toContain('in 1 function');
  });

  it('renders in the dark and the high-contrast theme', async () => {
    for (const theme of ['dark', 'hc'] as const) {
      const view = await openFlame({ theme });
      await view.screenshot(`flame-${theme}`);
      expect(await view.problems()).toEqual([]);
    }
  });
});

describe('differential flame graph', () => {
  /** The same program recorded again with hashAll doing four times the work (test/fixtures/profiles/README.md). */
  const AFTER = join(ROOT, 'test/fixtures/profiles/service-more-hashing.cpuprofile');

  it('draws the second profile with a function that grew in red, and lists it first among the changes', async () => {
    const after = analyzeCpu(AFTER, JSON.parse(readFileSync(AFTER, 'utf8')));
    const diff = diffFlameTrees(analysis.tree, after.tree);
    const diffModel = flameModel(diff.tree, diff.delta);
    const view = await openWebview(browser, server, { entry: 'flame', host: flameRequests(diffModel) });
    open.push(view);
    await view.send({ type: 'flame', info: { ...diffModel.info('service-more-hashing.cpuprofile'), diff: { before: 'service.cpuprofile', growers: topChanges(diff.growers) } } });
    await drawn(view);

    expect(await view.page.locator('.diff-note').innerText()).toBe('service-more-hashing.cpuprofile compared with service.cpuprofile: the shape is the second profile; red grew and blue shrank in share of self time.');
    // hashAll did four times the hashing: its callees' share of self time grew (Hash, digest, update).
    const table = await view.page.locator('.growers-table tbody tr').evaluateAll((rows) => rows.map((r) => [(r as unknown as { className: string }).className, ...Array.from((r as unknown as { cells: ArrayLike<{ textContent: string }> }).cells, (c) => c.textContent)]));
    for (const name of ['Hash', 'digest', 'update']) {
      const row = table.find((r) => r[1] === name);
      expect(row, `${name} in the table of changes`).toBeDefined();
      expect(row![0]).toBe('grew-row');
      expect(row![5]).toMatch(/^\+\d/);
    }
    expect(table.findIndex((r) => r[1] === 'Hash')).toBeLessThan(5);

    // The pixel at the centre of Hash's widest node (under hashAll) is red: more red than green and blue.
    const shown = await drawn(view);
    const slice = diffModel.slice({ root: 0, hideMeta: false, minShare: 0 });
    const frame = slice.frames.findIndex((f) => f.name === 'Hash');
    const node = slice.nodes.filter((n) => n.frame === frame).sort((a, b) => b.totalMs - a.totalMs)[0]!;
    expect(node.delta!).toBeGreaterThan(0);
    const scale = shown.width / (shown.to - shown.from);
    const x = Math.round((node.x + node.totalMs / 2) * scale);
    const y = node.depth * ROW + 4;
    const [r, g, b] = await canvas(view).evaluate((el, [px, py]) => {
      const c = el as unknown as { width: number; getBoundingClientRect(): { width: number }; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
      const ratio = c.width / c.getBoundingClientRect().width;
      return [...c.getContext('2d').getImageData(Math.round(px! * ratio), Math.round(py! * ratio), 1, 1).data];
    }, [x, y]);
    expect(r).toBeGreaterThan(g! + 20);
    expect(r).toBeGreaterThan(b! + 20);
    await view.screenshot('flame-diff-light');
    expect(await view.problems()).toEqual([]);
  });
});
