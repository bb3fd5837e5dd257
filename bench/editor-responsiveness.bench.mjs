// The editor stays responsive during a run: the round trip of a PerfLab command issued while a
// BullMQ run and while an HTTP run go, in code-server with the packaged extension, as a user has
// it (target: p95 ≤ 200 ms). The command is "PerfLab: Validate Config": the palette sends it to
// the extension host, which reads and checks the config and answers with a notification; a round
// trip is from Enter in the palette to that notification. The same command with no run is shown
// for context. The runs load the demo stack (its API and its own Redis), started in the folder.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, startCodeServer, workbench } from '../test/e2e/harness.mjs';
import { packageVsix, prepareVscode } from '../test/e2e/prepare.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SAMPLES = 20;
const RUN = '60s';

const p95 = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
};

async function waitFor(check, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One round trip of Validate Config, from Enter to its notification, in ms. */
async function roundTrip(wb) {
  await wb.runCommand('Notifications: Clear All Notifications');
  const input = await wb.openPalette();
  await input.fill('>PerfLab: Validate Config');
  await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'PerfLab: Validate Config' }).first().waitFor({ state: 'visible' });
  const started = Date.now();
  await input.press('Enter');
  await wb.notification('perflab.config.json is valid').waitFor({ timeout: 30_000 });
  return Date.now() - started;
}

async function samplesDuring(wb, profile) {
  await wb.focusWorkbench();
  await wb.runCommand('PerfLab: Run Profile…');
  const rows = await wb.quickPickRows();
  await rows.filter({ hasText: profile }).first().click();
  const toast = wb.notification(`PerfLab: ${profile}`);
  await toast.waitFor({ timeout: 30_000 });
  // Measured once the run is under way: its live figures are in.
  await waitFor(async () => /\/s/.test(await toast.innerText().catch(() => '')), `${profile} to report live figures`);
  const samples = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await roundTrip(wb));
  await wb.runCommand('PerfLab: Stop Run');
  await wb.notification(`${profile} was stopped`).waitFor({ timeout: 30_000 });
  return samples;
}

export default async function bench() {
  prepareVscode();
  const vsix = packageVsix();
  const server = await startCodeServer({ vsix });
  const browser = await launchBrowser();
  const folder = fs.mkdtempSync(path.join(server.base, 'responsive-'));
  const demo = spawn(process.execPath, [path.join(root, 'dist/cli.js'), 'demo', '--port', '0', '--redis-port', '0'], { cwd: folder, stdio: 'ignore' });
  try {
    const stateFile = path.join(folder, '.perflab/demo.json');
    await waitFor(() => fs.existsSync(stateFile), 'the demo stack');
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    fs.writeFileSync(path.join(folder, 'perflab.config.json'), JSON.stringify({
      stack: { redis: { url: state.redisUrl }, queues: [{ name: 'messages' }] },
      targets: { api: { baseUrl: state.url } },
      profiles: {
        'queue-load': { type: 'bullmq', queue: 'messages', mode: 'e2e', duration: RUN, arrivalRate: 1000, workerConcurrency: 10 },
        'http-load': { type: 'http', target: 'api', phases: [{ name: 'steady', duration: RUN, arrivalRate: 1000 }], scenarios: [{ name: 'health', request: { path: '/health' } }] },
      },
    }, null, 2));
    const wb = workbench(browser.page);
    await wb.open(server.folderUrl(folder));
    await wb.openContainer('PerfLab');
    await wb.view('Profiles').row('queue-load').waitFor({ timeout: 60_000 });
    const idle = [];
    for (let i = 0; i < SAMPLES; i++) idle.push(await roundTrip(wb));
    const bullmq = await samplesDuring(wb, 'queue-load');
    const http = await samplesDuring(wb, 'http-load');
    process.stderr.write(`editor round trips (ms): idle ${idle.join(' ')}; BullMQ ${bullmq.join(' ')}; HTTP ${http.join(' ')}\n`);
    const row = (what, samples, target = 1) => ({ metric: `editor: command round trip p95 ${what} (ms)`, perflab: p95(samples), anchor: 200, anchorLabel: 'target 200 ms', better: 'lower', targetRatio: target });
    return [row('with no run', idle, null), row('during a BullMQ run', bullmq), row('during an HTTP run', http)];
  } finally {
    demo.kill('SIGINT');
    await new Promise((resolve) => (demo.exitCode !== null ? resolve() : demo.once('exit', resolve)));
    await browser.close();
    await server.stop();
  }
}
