// The run page's "Redis and queues" section in real Chromium: a real run's stack evidence (an HTTP
// run while a test issued counted commands, a slow script and five jobs: see
// test/integration/stack-evidence.test.ts), its tables as core/report/stack.ts words them, and the
// charts drawn from the run's stack.json, which the page asks the host for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatNumber } from '../../src/core/format';
import { commandRows, queueRow, slowlogRow, stackHeadline } from '../../src/core/report/stack';
import { stackSeries } from '../../src/core/report/stackSeries';
import { runMessage, runRequests } from '../../src/views/runMessage';
import { loadFixture, ROOT, type OpenOptions, type WebviewPage, useWebviewPages } from './harness';

/** A real HTTP run with a stack Redis and a BullMQ queue in its config (stack.json beside run.json). */
const WITH_STACK = '20261202T170540Z-idle-749db7';

const openPage = useWebviewPages('run');
const openRunPage = (options: Partial<OpenOptions> = {}) => openPage({ entry: 'run', ...options });

async function tableRows(view: WebviewPage, selector: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const row of await view.page.locator(`${selector} tbody tr`).all()) out.push(await row.locator('th, td').allTextContents());
  return out;
}

describe('the run page: Redis and queues', () => {
  it("shows the run's commands, slow log, latency and queues, and charts memory, clients and job counts over time", async () => {
    const dir = join(ROOT, 'test/fixtures/runs', WITH_STACK);
    const record = loadFixture(WITH_STACK);
    const e = record.stack!;
    const view = await openRunPage({ host: runRequests(dir) });
    await view.send(runMessage(record, dir));
    const section = view.page.locator('#section-stack');
    await section.waitFor();
    expect(await section.locator('summary h2').textContent()).toBe('Redis and queues');
    expect(await section.locator('[data-testid="stack-headline"]').textContent()).toBe(stackHeadline(e));
    expect(await section.locator('[data-testid="stack-unavailable"]').count()).toBe(0);

    // The commands by Redis time, as the reports word them; the test's 37 PFADDs among them.
    const commands = await tableRows(view, '#section-stack .data-table:has(caption:text("Redis commands during the run"))');
    expect(commands).toEqual(commandRows(e).map((r) => [r.command, r.calls, r.time, r.perCall, r.share]));
    expect(commands.find((r) => r[0] === 'pfadd')?.[1]).toBe('37');
    // The slow script, in the slow log and among the latency events.
    expect(await section.locator('[data-testid="stack-slowlog"]').textContent()).toBe('1 new slow log entry (slower than 20.0 ms)');
    const slow = slowlogRow(e.slowlog!.entries[0]!);
    expect(await tableRows(view, '#section-stack .data-table:has(caption:text("Slow log entries of the run"))')).toEqual([[slow.at, slow.duration, slow.command, slow.client]]);
    expect(slow.command).toMatch(/^eval local t = redis\.call/);
    expect(await section.locator('[data-testid="stack-latency"]').textContent()).toMatch(/^Latency events: command [\d.]+ ms at \d\d:\d\d:\d\d/);
    // The queue: none waiting at the start, the test's five at the end.
    const q = queueRow(e.queues[0]!);
    expect(await tableRows(view, '#section-stack .data-table:has(caption:text("BullMQ queues during the run"))'))
      .toEqual([[q.name, q.waitingMax, q.activeMax, q.delayedMax, q.failedMax, q.waiting, q.trend, q.completed, q.failed, q.note]]);
    expect(q.waiting).toBe('0 → 5');

    // The charts, from stack.json: at their right end, the last reading.
    const series = stackSeries(JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8')));
    const last = series.t.length - 1;
    const memory = section.locator('[data-chart="redis-memory"]');
    const queue = section.locator('[data-chart="queue-messages"]');
    await memory.waitFor();
    expect(await memory.locator('.u-legend .u-series th').allInnerTexts()).toEqual(['time', 'used memory', 'clients']);
    expect(await queue.locator('.u-legend .u-series th').allInnerTexts()).toEqual(['time', 'waiting', 'active', 'delayed', 'failed', 'completed']);
    for (const [chart, values] of [
      [memory, [formatBytes(series.memory[last]!), formatNumber(series.clients[last]!)]],
      [queue, ['waiting', 'active', 'delayed', 'failed', 'completed'].map((s) => formatNumber(series.queues[0]![s as 'waiting'][last]!))],
    ] as const) {
      const box = (await chart.locator('.u-over').boundingBox())!;
      await chart.locator('.u-over').hover({ position: { x: box.width - 1, y: box.height / 2 } });
      await expect.poll(() => chart.locator('.u-legend .u-series td').allInnerTexts()).toEqual([`${formatNumber(series.t[last]!)} s`, ...values]);
    }
    expect(await view.posted()).toContainEqual(expect.objectContaining({ type: 'request', method: 'run.stackSeries', params: { file: 'stack.json' } }));
    await view.screenshot('run-stack-light');
    expect(await view.problems()).toEqual([]);
  });

  it('lists what could not be read, and says so when the series cannot be read', async () => {
    const record = loadFixture(WITH_STACK);
    const unavailable = ['INFO was refused (NOPERM this user has no permissions to run the \'info\' command): no command statistics, memory or clients.', 'LATENCY LATEST was refused or failed (NOPERM this user has no permissions to run the \'latency|latest\' command): no latency events.'];
    const limited = { ...record, stack: { ...record.stack!, commands: undefined, commandTotals: undefined, latency: undefined, memory: undefined, clients: undefined, unavailable } };
    // A folder without the run's stack.json.
    const view = await openRunPage({ theme: 'dark', host: runRequests(join(ROOT, 'test/fixtures/runs', '20251127-143310-checkout-stress-9b1e')) });
    await view.send(runMessage(limited, '/elsewhere'));
    const section = view.page.locator('#section-stack');
    await section.waitFor();
    expect(await section.locator('[data-testid="stack-unavailable"] li').allTextContents()).toEqual(unavailable);
    expect(await section.locator('.data-table:has(caption:text("Redis commands during the run"))').count()).toBe(0);
    expect(await section.locator('[data-testid="stack-latency"]').count()).toBe(0);
    await section.locator('.banner-error').waitFor();
    expect(await section.locator('.banner-error').textContent()).toBe('Could not read stack.json: the file is missing from the run folder');
    await view.screenshot('run-stack-unavailable-dark');
  });

  it('leaves the section out of a run without stack evidence', async () => {
    const view = await openRunPage();
    await view.send(runMessage(loadFixture('20251127-101502-smoke-3f9c'), '/work/demo/.perflab/runs/x'));
    await view.page.locator('.run-header').waitFor();
    expect(await view.page.locator('#section-stack').count()).toBe(0);
  });
});
