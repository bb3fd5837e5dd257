// The run page's "Findings" section in real Chromium: a real diagnosed run (a service whose
// `buildReport` blocks the event loop for 120 ms, profiled under load by `perflab diagnose --pid`;
// see test/integration/diagnosis.test.ts), each finding as the record words it, its evidence and
// window as the CLI prints them, and the named function opening its source through the host.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingWindow } from '../../src/core/report/diagnosis';
import { runMessage, runRequests } from '../../src/views/runMessage';
import { makeRunRecord } from '../helpers/runRecords';
import { loadFixture, ROOT, type OpenOptions, useWebviewPages } from './harness';

/** `perflab diagnose --pid … --under report` against test/fixtures/targets/diagnosis.cjs with PROBLEM=block. */
const BLOCKED = '20261203T080404Z-report-61e0d3';

const openPage = useWebviewPages('run');
const openRunPage = (options: Partial<OpenOptions> = {}) => openPage({ entry: 'run', ...options });

describe('the run page: findings', () => {
  it('shows each finding with its evidence, and opens the function it names', async () => {
    const dir = join(ROOT, 'test/fixtures/runs', BLOCKED);
    const record = loadFixture(BLOCKED);
    const d = record.diagnosis!;
    const top = d.findings[0]!;
    expect(top.id).toBe('event-loop-blocked');
    const opened: unknown[] = [];
    const view = await openRunPage({
      host: {
        ...runRequests(dir),
        openSource: (p) => {
          opened.push(p);
          return null;
        },
      },
    });
    await view.send(runMessage(record, dir));
    const section = view.page.locator('#section-findings');
    await section.waitFor();
    expect(await section.locator('summary h2').textContent()).toBe('Findings');
    // Right after the verdicts (the thresholds; a comparison when there is one): what is wrong comes before the figures it rests on.
    const order = await view.page.locator('details.section').evaluateAll((els) => els.map((e) => e.id));
    expect(order.indexOf('section-findings')).toBe(order.indexOf('section-thresholds') + 1);
    expect(order.indexOf('section-findings')).toBeLessThan(order.indexOf('section-timeline'));

    const items = section.locator('li.finding');
    expect(await items.count()).toBe(d.findings.length);
    const first = items.first();
    expect(await first.getAttribute('data-finding')).toBe(top.id);
    expect(await first.getAttribute('data-severity')).toBe('critical');
    // Names in code spans: the backticks of the record's words become <code>.
    const plain = (t: string) => t.replace(/`/g, '');
    expect(await first.locator('.finding-title').textContent()).toBe(plain(top.title));
    expect(await first.locator('.finding-title code').allTextContents()).toEqual(['buildReport']);
    expect(await first.locator('.finding-explanation').textContent()).toBe(plain(top.explanation));
    expect(await first.locator('.finding-evidence li').allTextContents()).toEqual([...top.evidence, findingWindow(top)!].map(plain));
    expect(await first.locator('.finding-next').textContent()).toBe(`Next: ${plain(top.next)}`);

    // The function it names opens at its line.
    const code = top.code![0]!;
    await first.locator('.finding-code').getByRole('button', { name: new RegExp(`^${code.name} `) }).click();
    await expect.poll(() => opened).toEqual([{ url: code.url, line: code.line, column: 1 }]);
    await view.screenshot('run-findings');
    // The section alone, as the README shows it.
    await section.screenshot({ path: join(ROOT, 'test-results/webview/run-findings-section.png') });
    expect(await view.problems()).toEqual([]);
  });

  it('says so when nothing was found, and how to diagnose a run recorded before diagnoses', async () => {
    const view = await openRunPage();
    await view.send(runMessage(makeRunRecord({ diagnosis: { findings: [], read: ['run', 'process'], missing: ['A CPU profile of the run would name the functions.'] } }), ''));
    const section = view.page.locator('#section-findings');
    await section.waitFor();
    expect(await section.getByTestId('findings').textContent()).toBe('No findings: nothing found in run, process.');
    expect(await section.locator('.findings-missing li').allTextContents()).toEqual(['A CPU profile of the run would name the functions.']);

    await view.send(runMessage(makeRunRecord({ id: 'run-2' }), ''));
    await expect.poll(() => section.locator('.empty').textContent()).toBe('This run has no diagnosis (it was recorded before PerfLab diagnosed runs): perflab diagnose run-2 computes one from its folder.');
  });
});
