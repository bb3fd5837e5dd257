// The packaged extension (perflab.vsix) in a real VS Code: sidebar views, the run report webview,
// config problems as tree items and diagnostics, and the Validate Config command.
// Run with `npm run test:e2e` (installs VS Code into the cache and packages the extension first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startCodeServer, launchBrowser, workbench, eventually, REPO_ROOT, RESULTS_DIR, VSIX } from './harness.mjs';

/** Generous waits: the first activation in a fresh VS Code takes several seconds on a small machine. */
const ACTIVATION_TIMEOUT = 45_000;
const UI_TIMEOUT = 20_000;

const debug = !!process.env.PERFLAB_E2E_DEBUG;
const timings = {};
let server;
let browser;
let wb;
let shot = 0;
/** The copy of the `good` workspace the tests open (a real CPU profile added to it). */
let good;

/** Runs one step of a test, timing it and saving a screenshot after it (a `-failed` one on error). */
async function step(name, fn) {
  const started = Date.now();
  const file = `${String(++shot).padStart(2, '0')}-${name}`;
  try {
    const result = await fn();
    await wb.screenshot(file);
    return result;
  } catch (err) {
    await wb.screenshot(`${file}-failed`);
    const state = await wb.errorState();
    await wb.dismissOverlays();
    const alreadySaid = state.dialog.every((d) => err.message.includes(d));
    if (alreadySaid && !state.notifications.length) throw err;
    // node:test prints the stack, which carries the message as it was when the error was made.
    throw new Error(`${err.message}\nworkbench shows: ${JSON.stringify(state, null, 1)}`, { cause: err });
  } finally {
    timings[name] = Date.now() - started;
  }
}

/** Right-clicks a row of a view and picks an entry of its context menu. */
async function contextMenu(row, entry) {
  const menu = wb.page.locator('.context-view .monaco-menu');
  const item = menu.locator('.action-menu-item', { hasText: entry }).first();
  // A view that refreshes under the pointer (a run's files still being written) closes the menu
  // or re-renders the row: open it again until the entry shows, within the bound.
  const deadline = Date.now() + UI_TIMEOUT;
  let seen = '(no menu)';
  for (;;) {
    await row.click({ button: 'right' });
    try {
      await item.waitFor({ timeout: 3_000 });
      // The menu acts on the item it has focused (hover focuses it), when the key or the mouse
      // goes up. A menu closed under the pointer meanwhile is opened again.
      await item.hover({ timeout: 3_000 });
      await wb.page.keyboard.press('Enter');
      break;
    } catch (err) {
      if (await menu.count()) seen = (await menu.first().innerText()).replace(/\s+/g, ' ');
      await wb.page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`the context menu has no "${entry}" to pick; it shows: ${seen}`, { cause: err });
    }
  }
  await item.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
}

/** `PerfLab: Run Profile…` from the palette, then the profile picked by name from its QuickPick. */
async function runProfile(on, name) {
  await on.runCommand('PerfLab: Run Profile…');
  const rows = await on.quickPickRows(UI_TIMEOUT);
  await rows.filter({ hasText: name }).first().click();
}

before(async () => {
  const started = Date.now();
  server = await startCodeServer({ vsix: VSIX, log: (s) => debug && process.stderr.write(s) });
  timings['start code-server (install vsix)'] = Date.now() - started;
  browser = await launchBrowser();
  if (debug) browser.page.on('pageerror', (e) => console.error('pageerror:', e.message));
  wb = workbench(browser.page);
  good = server.workspace('good');
  fs.copyFileSync(path.join(REPO_ROOT, 'test/fixtures/profiles/service.cpuprofile'), path.join(good, 'service.cpuprofile'));
  await step('open-good-workspace', () => wb.open(server.folderUrl(good)));
}, { timeout: 180_000 });

after(async () => {
  server?.saveLogs();
  await browser?.close();
  await server?.stop();
  console.log(`e2e timings (ms): ${JSON.stringify(timings)}`);
});

test('the PerfLab container lists the profiles of the config and the recorded run', { timeout: 90_000 }, async () => {
  await step('activity-bar', async () => {
    const item = await wb.openContainer('PerfLab');
    const label = await item.locator('a').first().getAttribute('aria-label');
    assert.match(label ?? '', /^PerfLab/);
  });

  await step('profiles-and-runs', async () => {
    const profiles = wb.view('Profiles');
    await profiles.expand();
    await profiles.row('queue-ops').waitFor({ timeout: ACTIVATION_TIMEOUT });
    const items = await profiles.items();
    for (const [name, type] of [['smoke', 'http'], ['redis-ops', 'redis'], ['queue-ops', 'bullmq']]) {
      const item = items.find((i) => i.label === name);
      assert.ok(item, `Profiles has no "${name}" item; items: ${JSON.stringify(items)}`);
      assert.match(item.description, new RegExp(`\\b${type}\\b`), `"${name}" should be described by its type`);
    }

    const runs = wb.view('Runs');
    await runs.expand();
    await runs.row('smoke').waitFor({ timeout: UI_TIMEOUT });
    const runItems = await runs.items();
    assert.equal(runItems.length, 1, `Runs: ${JSON.stringify(runItems)}`);
    assert.match(runItems[0].label, /smoke/);
  });
});

test('Open Run Report shows the run report with its verdict and thresholds', { timeout: 90_000 }, async () => {
  await step('open-run-quickpick', async () => {
    await wb.runCommand('PerfLab: Open Run Report');
    const rows = await wb.quickPickRows(UI_TIMEOUT);
    assert.match(await rows.first().innerText(), /smoke/);
    await rows.first().click();
  });

  await step('run-webview', async () => {
    const tab = wb.page.locator('.tabs-container .tab', { hasText: 'Run: smoke' });
    await wb.waitFor(tab, { timeout: UI_TIMEOUT });

    const app = wb.webviewFrame().locator('#app');
    await wb.waitFor(app.getByText('PASS', { exact: true }).first(), { timeout: UI_TIMEOUT });
    const text = await app.innerText();
    assert.match(text, /smoke/);
    assert.doesNotMatch(text, /\bFAIL\b/);

    for (const [metric, limit] of [['latency.p99', '< 100ms'], ['errors.rate', '< 0.1%'], ['rps', '>= 40']]) {
      const row = app.locator('tr', { hasText: metric }).first();
      await row.waitFor({ timeout: UI_TIMEOUT });
      assert.ok((await row.innerText()).includes(limit), `threshold row ${metric} should show its limit ${limit}`);
    }
  });
});

test('a CPU profile opens in the flame graph, and it and the run page come back after a window reload with their state', { timeout: 180_000 }, async () => {
  const flame = () => wb.webviewFrame().locator('[data-testid="flame"][data-drawn]');
  const matchCount = () => wb.webviewFrame().getByTestId('match-count');
  await step('open-cpu-profile', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('PerfLab: Open CPU Profile');
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    // The dialog fills in its folder as it reads it, which can overwrite what was typed (it then
    // says "Please select a file"): type the file again until the flame view's tab opens.
    const file = path.join(good, 'service.cpuprofile');
    const tab = wb.page.locator('.tabs-container .tab', { hasText: 'service.cpuprofile' });
    await eventually(async () => {
      if (await input.isVisible()) {
        await input.fill(file);
        await input.press('Enter');
      }
      await tab.waitFor({ timeout: 3_000 });
    }, { timeout: UI_TIMEOUT });
    await wb.waitFor(flame(), { timeout: ACTIVATION_TIMEOUT });
    assert.equal(await wb.webviewFrame().locator('.file').innerText(), 'service.cpuprofile');
  });

  await step('flame-search', async () => {
    await wb.webviewFrame().locator('vscode-textfield input').fill('hashAll');
    await eventually(async () => assert.match(await matchCount().innerText(), /^\d+ match(es)? in 1 function · /), { timeout: UI_TIMEOUT });
  });

  await step('flame-after-reload', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('Developer: Reload Window');
    await wb.page.locator('.tabs-container .tab', { hasText: 'service.cpuprofile' }).waitFor({ timeout: ACTIVATION_TIMEOUT });
    await wb.waitFor(flame(), { timeout: ACTIVATION_TIMEOUT });
    assert.equal(await wb.webviewFrame().locator('vscode-textfield input').inputValue(), 'hashAll');
    await eventually(async () => assert.match(await matchCount().innerText(), / in 1 function · /), { timeout: UI_TIMEOUT });
  });

  await step('run-page-after-reload', async () => {
    // The run page opened by the earlier test came back too, on its run.
    const tab = wb.page.locator('.tabs-container .tab', { hasText: 'Run: smoke' });
    await tab.waitFor({ timeout: UI_TIMEOUT });
    await tab.click();
    await wb.waitFor(wb.webviewFrame().locator('#app').getByText('PASS', { exact: true }).first(), { timeout: ACTIVATION_TIMEOUT });
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
  });
});

test('Validate Config reports a valid config', { timeout: 90_000 }, async () => {
  await step('validate-config', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('PerfLab: Validate Config');
    const toast = wb.notification(/\bvalid\b/i);
    try {
      await toast.waitFor({ timeout: UI_TIMEOUT });
    } catch {
      assert.fail(`no notification saying the config is valid; toasts: ${JSON.stringify(await wb.notificationTexts())}`);
    }
    assert.doesNotMatch(await toast.innerText(), /invalid|not valid|error|problem/i);
  });
});

test('a broken config shows its problem in the Profiles view and the Problems panel', { timeout: 120_000 }, async () => {
  await step('open-broken-workspace', () => wb.open(server.folderUrl(server.workspace('broken'))));

  await step('broken-profiles', async () => {
    await wb.openContainer('PerfLab');
    const profiles = wb.view('Profiles');
    await profiles.expand();
    const problem = profiles.row(/duration/);
    await problem.waitFor({ timeout: ACTIVATION_TIMEOUT });
    assert.match(await problem.innerText(), /2 minutes/);
  });

  await step('problems-panel', async () => {
    await wb.focusWorkbench();
    const rows = await wb.problems();
    await eventually(async () => {
      const texts = await rows.allInnerTexts();
      const message = texts.find((t) => /duration/.test(t));
      assert.ok(message, `Problems panel rows: ${JSON.stringify(texts)}`);
      assert.match(message, /2 minutes/);
      assert.match(message, /PerfLab/, 'the diagnostic comes from PerfLab, not only from the JSON schema');
      // The fixture puts the bad duration on line 12.
      assert.match(message, /Ln 12\b/);
      assert.ok(texts.some((t) => t.includes('perflab.config.json')), 'the problem is filed under perflab.config.json');
    }, { timeout: UI_TIMEOUT });
  });
});

test('in a multi-root workspace each folder with a config has its own profiles and runs', { timeout: 180_000 }, async () => {
  // A small HTTP service for the second folder's profile: it answers every request at once.
  const http = await import('node:http');
  const service = http.createServer((_req, res) => res.end('ok'));
  await new Promise((resolve) => service.listen(0, '127.0.0.1', resolve));
  try {
    // The first folder has no config; the second is the good one, with its recorded run; the
    // third has a config of its own, with a profile named as one of the second's.
    const second = fs.mkdtempSync(path.join(server.base, 'second-'));
    const secondName = path.basename(second);
    fs.writeFileSync(path.join(second, 'perflab.config.json'), JSON.stringify({
      targets: { svc: { baseUrl: `http://127.0.0.1:${service.address().port}` } },
      profiles: {
        smoke: {
          type: 'http', target: 'svc',
          phases: [{ name: 'steady', duration: '2s', arrivalRate: 20 }],
          scenarios: [{ name: 'root', request: { method: 'GET', path: '/' } }],
          thresholds: { 'errors.rate': '< 1%' },
        },
        ping: {
          type: 'http', target: 'svc',
          phases: [{ name: 'steady', duration: '2s', arrivalRate: 5 }],
          scenarios: [{ name: 'root', request: { method: 'GET', path: '/' } }],
        },
      },
    }, null, 2));
    const goodCopy = server.workspace('good');
    const runsOf = (folder) => {
      const dir = path.join(folder, '.perflab/runs');
      return fs.existsSync(dir) ? fs.readdirSync(dir).filter((id) => fs.existsSync(path.join(dir, id, 'run.json'))) : [];
    };
    const goodRuns = runsOf(goodCopy);
    const url = server.multiRootUrl('multi', [server.workspace('no-config'), goodCopy, second]);

    await step('open-multi-root-workspace', async () => {
      // VS Code itself must show the folders before PerfLab can be asked about them. The web
      // workbench sometimes reads the .code-workspace file before its remote file system is up and
      // opens the workspace with no folders ("No Folder Opened"); a reload reads it again.
      const folderRow = (name) => wb.page.locator('.sidebar .pane-body .monaco-list-row', { hasText: new RegExp(`^${name}$`) }).first();
      for (let attempt = 1; ; attempt++) {
        await wb.open(url);
        await wb.openContainer('Explorer');
        try {
          await folderRow(secondName).waitFor({ timeout: UI_TIMEOUT });
          break;
        } catch (err) {
          if (attempt === 3) throw err;
        }
      }
      await folderRow('no-config').waitFor({ timeout: UI_TIMEOUT });
    });

    /** The rows of a view under the top-level row `folder`, up to the next top-level row. */
    const under = (items, folder) => {
      const at = items.findIndex((i) => i.level === 1 && i.label === folder);
      assert.ok(at >= 0, `no row for the folder ${folder}: ${JSON.stringify(items)}`);
      const next = items.findIndex((i, k) => k > at && i.level === 1);
      return items.slice(at + 1, next < 0 ? undefined : next);
    };

    await step('multi-root-profiles-by-folder', async () => {
      await wb.openContainer('PerfLab');
      const profiles = wb.view('Profiles');
      await profiles.expand();
      await profiles.row('queue-ops').waitFor({ timeout: ACTIVATION_TIMEOUT });
      await profiles.row('ping').waitFor({ timeout: UI_TIMEOUT });
      const items = await profiles.items();
      const top = items.filter((i) => i.level === 1).map((i) => i.label);
      assert.deepEqual(top, ['good', secondName], `the folders with a config head their profiles; rows: ${JSON.stringify(items)}`);
      assert.deepEqual(under(items, 'good').filter((i) => i.level === 2).map((i) => i.label), ['smoke', 'redis-ops', 'queue-ops']);
      assert.deepEqual(under(items, secondName).filter((i) => i.level === 2).map((i) => i.label), ['smoke', 'ping']);

      const runs = wb.view('Runs');
      await runs.expand();
      await runs.row('smoke').waitFor({ timeout: UI_TIMEOUT });
      const runItems = await runs.items();
      assert.deepEqual(runItems.filter((i) => i.level === 1).map((i) => i.label), ['good', secondName], `Runs: ${JSON.stringify(runItems)}`);
      assert.deepEqual(under(runItems, 'good').map((i) => i.label), ['smoke'], "the good folder's recorded run is under it");
      assert.deepEqual(under(runItems, secondName), [], 'the new folder has no runs yet');
    });

    await step('multi-root-run-profile-of-a-folder', async () => {
      // The palette offers each folder's profiles, named by their folder: pick the second's smoke.
      await wb.runCommand('PerfLab: Run Profile…');
      const rows = await wb.quickPickRows(UI_TIMEOUT);
      await rows.filter({ hasText: 'ping' }).first().waitFor({ timeout: UI_TIMEOUT });
      const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
      assert.equal(texts.filter((t) => t.startsWith('smoke')).length, 2, `both folders' smoke profiles are offered: ${JSON.stringify(texts)}`);
      await rows.filter({ hasText: 'smoke' }).filter({ hasText: secondName }).first().click();
      await eventually(() => assert.equal(runsOf(second).length, 1, "the run is saved in the second folder's runs"), { timeout: 60_000 });
      assert.deepEqual(runsOf(goodCopy), goodRuns, "the good folder's runs are as they were");
      const [id] = runsOf(second);
      const record = JSON.parse(fs.readFileSync(path.join(second, '.perflab/runs', id, 'run.json'), 'utf8'));
      assert.equal(record.profile, 'smoke');
      assert.deepEqual(record.phases.map((p) => p.name), ['steady'], "the second folder's smoke ran, not the good folder's");
      await wb.page.locator('.tabs-container .tab', { hasText: 'Run: smoke' }).waitFor({ timeout: UI_TIMEOUT });
    });

    await step('multi-root-runs-by-folder', async () => {
      await wb.openContainer('PerfLab');
      const runs = wb.view('Runs');
      await eventually(async () => {
        const items = await runs.items();
        assert.deepEqual(under(items, secondName).map((i) => i.label), ['smoke'], `Runs: ${JSON.stringify(items)}`);
        assert.deepEqual(under(items, 'good').map((i) => i.label), ['smoke']);
      }, { timeout: UI_TIMEOUT });
    });

    await step('multi-root-test-explorer', async () => {
      // The Test Explorer groups the profiles by folder too; a test runs its own folder's profile.
      await wb.runCommand('Testing: Focus on Test Explorer View');
      const row = (label) => wb.page.locator('.sidebar .monaco-list-row', { hasText: label }).first();
      await row(secondName).waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await row(secondName).getAttribute('aria-level'), '1', 'the folder is a top-level item');
      if ((await row(secondName).getAttribute('aria-expanded')) === 'false') await row(secondName).click();
      await row('ping').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await row('ping').getAttribute('aria-level'), '2', 'its profile is under it');
      await row('ping').hover();
      await row('ping').locator('.action-label[aria-label^="Run Test"]').click();
      await eventually(async () => assert.match(await row('ping').getAttribute('aria-label'), /\(Passed\)/), { timeout: 60_000 });
      assert.equal(runsOf(second).length, 2, "the test's run is saved in the second folder's runs");
      assert.deepEqual(runsOf(goodCopy), goodRuns);
    });
  } finally {
    service.close();
  }
});

/** The demo stacks, started by the CLI in folders of their own for the run and profiling tests. */
const demos = [];
after(async () => {
  for (const d of demos) {
    d.child.kill('SIGINT');
    await new Promise((resolve) => (d.child.exitCode !== null ? resolve() : d.child.once('exit', resolve)));
  }
});

async function startDemo(folder, env = {}) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/cli.js'), 'demo', '--port', '0', '--redis-port', '0'], { cwd: folder, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  demos.push({ child });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const stateFile = path.join(folder, '.perflab/demo.json');
  await eventually(() => {
    if (child.exitCode !== null) throw new Error(`perflab demo exited (${child.exitCode}): ${err}`);
    assert.ok(fs.existsSync(stateFile), 'the demo has written .perflab/demo.json');
  }, { timeout: 60_000 });
  return { child, state: JSON.parse(fs.readFileSync(stateFile, 'utf8')) };
}

test('Run Profile… runs smoke against the demo stack: live progress, the run page, the Runs view; Stop Run stops a run; the Test Explorer runs a profile and marks its thresholds', { timeout: 300_000 }, async () => {
  const folder = fs.mkdtempSync(path.join(server.base, 'run-'));
  const demo = await startDemo(folder);
  const profile = (name, duration, thresholds) => ({
    type: 'http', target: 'api',
    phases: [{ name: 'steady', duration, arrivalRate: 20 }],
    scenarios: [{ name: 'health', request: { method: 'GET', path: '/health' } }],
    thresholds,
  });
  // This machine's address on its network, not loopback: nothing listens on port 9 there, so a run fails at once.
  const os = await import('node:os');
  const lan = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? '10.255.255.1';
  fs.writeFileSync(path.join(folder, 'perflab.config.json'), JSON.stringify({
    targets: { api: { baseUrl: demo.state.url }, remote: { baseUrl: `http://${lan}:9`, allowHosts: [lan] } },
    profiles: {
      smoke: profile('smoke', '6s', { 'errors.rate': '< 1%', 'latency.p99': '< 2s' }),
      long: profile('long', '2m', {}),
      // A deliberately failing threshold: no request is answered within a microsecond.
      checks: profile('checks', '3s', { 'errors.rate': '< 1%', 'latency.p50': '< 0.001ms' }),
      remote: { ...profile('remote', '2s', {}), target: 'remote' },
    },
  }, null, 2));
  const runsDir = path.join(folder, '.perflab/runs');
  // A run's folder gets its run.json when the run ends.
  const records = () => (fs.existsSync(runsDir) ? fs.readdirSync(runsDir).filter((id) => fs.existsSync(path.join(runsDir, id, 'run.json'))).map((id) => JSON.parse(fs.readFileSync(path.join(runsDir, id, 'run.json'), 'utf8'))) : []);

  await step('open-run-workspace', async () => {
    await wb.open(server.folderUrl(folder));
    await wb.openContainer('PerfLab');
    await wb.view('Profiles').expand();
    await wb.view('Profiles').row('smoke').waitFor({ timeout: ACTIVATION_TIMEOUT });
  });

  await step('run-profile-progress', async () => {
    await runProfile(wb, 'smoke');
    // The notification shows the live figures as they come.
    const toast = wb.notification('PerfLab: smoke');
    await toast.waitFor({ timeout: UI_TIMEOUT });
    await eventually(async () => assert.match(await toast.innerText(), /req\/s\s+p99 /), { timeout: UI_TIMEOUT });
  });

  await step('run-profile-report', async () => {
    const tab = wb.page.locator('.tabs-container .tab', { hasText: 'Run: smoke' });
    await wb.waitFor(tab, { timeout: 60_000 });
    const app = wb.webviewFrame().locator('#app');
    await wb.waitFor(app.getByText('PASS', { exact: true }).first(), { timeout: UI_TIMEOUT });
    for (const metric of ['errors.rate', 'latency.p99']) await app.locator('tr', { hasText: metric }).first().waitFor({ timeout: UI_TIMEOUT });
    const [record] = records();
    assert.equal(record.profile, 'smoke');
    assert.equal(record.status, 'completed');
    await wb.openContainer('PerfLab');
    const runs = wb.view('Runs');
    await runs.expand();
    await runs.row('smoke').waitFor({ timeout: UI_TIMEOUT });
  });

  await step('run-report-from-runs-view', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
    await wb.page.locator('.tabs-container .tab', { hasText: 'Run: smoke' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await wb.openContainer('PerfLab');
    await wb.view('Runs').row('smoke').click();
    await wb.page.locator('.tabs-container .tab', { hasText: 'Run: smoke' }).waitFor({ timeout: UI_TIMEOUT });
    await wb.waitFor(wb.webviewFrame().locator('#app').getByText('PASS', { exact: true }).first(), { timeout: UI_TIMEOUT });
  });

  await step('stop-run', async () => {
    await wb.focusWorkbench();
    await runProfile(wb, 'long');
    const toast = wb.notification('PerfLab: long');
    await toast.waitFor({ timeout: UI_TIMEOUT });
    await eventually(async () => assert.match(await toast.innerText(), /req\/s/), { timeout: UI_TIMEOUT });
    // The status bar item opens the run's live monitor: its seconds so far, then each new one.
    await wb.page.locator('.part.statusbar .statusbar-item', { hasText: 'PerfLab: long' }).first().click();
    await wb.waitFor(wb.page.locator('.tabs-container .tab', { hasText: 'Live: long' }), { timeout: UI_TIMEOUT });
    const live = wb.webviewFrame().locator('#app');
    const seconds = async () => Number(await live.locator('[data-chart="rate"]').getAttribute('data-points'));
    await eventually(async () => assert.ok((await seconds()) >= 1), { timeout: UI_TIMEOUT });
    const before = await seconds();
    await eventually(async () => assert.ok((await seconds()) > before, 'new seconds arrive'), { timeout: UI_TIMEOUT });
    await wb.focusWorkbench();
    await wb.runCommand('PerfLab: Stop Run');
    await wb.notification(/long was stopped/).waitFor({ timeout: UI_TIMEOUT });
    // The run page opened after it: the monitor is the frame that holds a monitor status.
    await eventually(async () => {
      const frames = [];
      for (const f of wb.page.frames()) if (await f.locator('[data-testid="monitor-status"]').count().catch(() => 0)) frames.push(f);
      assert.equal(frames.length, 1, 'one live monitor');
      assert.equal(await frames[0].getByTestId('monitor-status').innerText(), 'STOPPED');
      assert.match(await frames[0].getByTestId('monitor-end').innerText(), /long was stopped/);
    }, { timeout: UI_TIMEOUT });
    const long = records().find((r) => r.profile === 'long');
    assert.ok(long, 'the stopped run is saved');
    assert.equal(long.status, 'cancelled');
    assert.ok(new Date(long.endedAt) - new Date(long.startedAt) < 60_000, 'it stopped well before its 2 minutes');
  });

  await step('remote-host-asks-once', async () => {
    const remoteRuns = () => records().filter((r) => r.profile === 'remote').length;
    const runRemote = async () => {
      await wb.focusWorkbench();
      await runProfile(wb, 'remote');
    };
    const dialog = wb.page.locator('.monaco-dialog-box');
    await runRemote();
    await dialog.waitFor({ timeout: UI_TIMEOUT });
    assert.match(await dialog.innerText(), new RegExp(`remote sends load to ${lan.replace(/\./g, '\\.')}:9, which is not this machine`));
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    assert.equal(remoteRuns(), 0, 'declined: nothing ran');
    await runRemote();
    await dialog.getByRole('button', { name: 'Send Load' }).click({ timeout: UI_TIMEOUT });
    await eventually(() => assert.equal(remoteRuns(), 1, 'confirmed: it ran'), { timeout: 60_000 });
    // Once per host: the next run goes without asking.
    await runRemote();
    await eventually(() => assert.equal(remoteRuns(), 2), { timeout: 60_000 });
    assert.equal(await dialog.count(), 0, 'no second question for the same host');
  });

  const testRow = (label) => wb.page.locator('.sidebar .monaco-list-row', { hasText: label }).first();
  await step('test-explorer-thresholds', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('Testing: Focus on Test Explorer View');
    await testRow('checks').waitFor({ timeout: UI_TIMEOUT });
    await testRow('checks').click();
    await wb.page.keyboard.press('ArrowRight'); // expand: the thresholds are its children
    await testRow('latency.p50 < 0.001ms').waitFor({ timeout: UI_TIMEOUT });
    const before = records().length;
    // Runs only `checks`: the row's own Run action.
    await testRow('checks').hover();
    await testRow('checks').locator('.action-label[aria-label^="Run Test"]').click();
    await eventually(async () => {
      assert.match(await testRow('latency.p50 < 0.001ms').getAttribute('aria-label'), /\(Failed\)/);
      assert.match(await testRow('errors.rate < 1%').getAttribute('aria-label'), /\(Passed\)/);
    }, { timeout: 60_000 });
    // The failure names limit and actual, as the Test Results view shows it.
    await wb.runCommand('Test Results: Focus on Test Results View');
    const message = wb.page.locator('.monaco-list-row', { hasText: /latency\.p50: [\d.]+ m?s does not meet < 0\.001ms/ }).first();
    await message.waitFor({ timeout: UI_TIMEOUT });
    const checks = records().filter((r) => r.profile === 'checks');
    assert.equal(records().length, before + 1, 'the test run is a run like any other, saved with the others');
    assert.equal(checks[0].status, 'completed');
    assert.deepEqual(checks[0].thresholds.map((t) => [t.metric, t.pass]), [['errors.rate', true], ['latency.p50', false]]);
  });

  await step('test-explorer-cancel', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('Testing: Focus on Test Explorer View');
    await testRow('long').hover();
    await testRow('long').locator('.action-label[aria-label^="Run Test"]').click();
    await wb.notification('PerfLab: long').waitFor({ timeout: UI_TIMEOUT });
    const running = () => records().filter((r) => r.profile === 'long').length;
    const stoppedBefore = running();
    await wb.focusWorkbench();
    await wb.runCommand('Test: Cancel Test Run');
    await eventually(() => assert.equal(running(), stoppedBefore + 1, 'the cancelled run is saved'), { timeout: UI_TIMEOUT });
    const last = records().filter((r) => r.profile === 'long').sort((a, b) => a.startedAt.localeCompare(b.startedAt)).at(-1);
    assert.equal(last.status, 'cancelled');
    await eventually(async () => assert.match(await testRow('long').getAttribute('aria-label'), /\((Errored|Skipped)\)/), { timeout: UI_TIMEOUT });
  });

  await step('codelens-run', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('PerfLab: Open Config');
    await wb.page.locator('.tabs-container .tab', { hasText: 'perflab.config.json' }).waitFor({ timeout: UI_TIMEOUT });
    // The first profile's lenses: `▶ Run | Profile Under Load` above "smoke".
    const lens = wb.page.locator('.codelens-decoration a', { hasText: /^\s*Run$/ }).first();
    await lens.waitFor({ timeout: UI_TIMEOUT });
    await wb.page.locator('.codelens-decoration a', { hasText: 'Profile Under Load' }).first().waitFor({ timeout: UI_TIMEOUT });
    const smokeRuns = () => records().filter((r) => r.profile === 'smoke').length;
    const before = smokeRuns();
    await lens.click();
    await wb.notification('PerfLab: smoke').waitFor({ timeout: UI_TIMEOUT });
    await eventually(() => assert.equal(smokeRuns(), before + 1, 'the lens ran smoke'), { timeout: 60_000 });
    // The run has ended in the editor too (its page opened, its outcome told) before the next step edits the config.
    await wb.notification(/PerfLab: smoke (PASS|FAIL)/).waitFor({ timeout: UI_TIMEOUT });
  });

  await step('threshold-completions', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('PerfLab: Open Config');
    // After the last threshold of `checks`, a new key: the metrics of that profile are offered, its scenario's among them.
    const text = fs.readFileSync(path.join(folder, 'perflab.config.json'), 'utf8').split('\n');
    const line = text.findIndex((l) => l.includes('"latency.p50": "< 0.001ms"')) + 1;
    const goTo = await wb.openPalette();
    await goTo.fill(`:${line}`);
    await goTo.press('Enter');
    await wb.page.keyboard.press('End');
    await wb.page.keyboard.type(',');
    await wb.page.keyboard.press('Enter');
    await wb.page.keyboard.type('"scenario.he');
    const suggest = wb.page.locator('.suggest-widget .monaco-list-row', { hasText: 'scenario.health.latency.p95' }).first();
    await eventually(async () => {
      if (!(await suggest.isVisible())) await wb.page.keyboard.press('Control+Space');
      await suggest.waitFor({ timeout: 3_000 });
    }, { timeout: UI_TIMEOUT });
    await wb.screenshot(`${String(shot).padStart(2, '0')}-threshold-completions-list`);
    await wb.page.keyboard.press('Escape');
    const onDisk = fs.readFileSync(path.join(folder, 'perflab.config.json'), 'utf8');
    assert.equal(onDisk, text.join('\n'), 'the edit is not saved');
    await wb.runCommand('File: Revert File');
    await wb.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
  });
});

test('Set as Baseline from the Runs view: the next run of the profile is compared with it, its page shows the comparison; Compare with Baseline and Compare Runs… open the comparison page; Clear Baseline; Find Capacity… and its Cancel', { timeout: 240_000 }, async () => {
  const folder = fs.mkdtempSync(path.join(server.base, 'baseline-'));
  const demo = await startDemo(folder);
  fs.writeFileSync(path.join(folder, 'perflab.config.json'), JSON.stringify({
    targets: { api: { baseUrl: demo.state.url } },
    profiles: {
      smoke: {
        type: 'http', target: 'api',
        phases: [{ name: 'steady', duration: '3s', arrivalRate: 20 }],
        scenarios: [{ name: 'health', request: { method: 'GET', path: '/health' } }],
        thresholds: { 'errors.rate': '< 1%' },
      },
    },
  }, null, 2));
  const runsDir = path.join(folder, '.perflab/runs');
  const records = () => (fs.existsSync(runsDir) ? fs.readdirSync(runsDir).filter((id) => fs.existsSync(path.join(runsDir, id, 'run.json'))).map((id) => JSON.parse(fs.readFileSync(path.join(runsDir, id, 'run.json'), 'utf8'))) : [])
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const baselines = () => (fs.existsSync(path.join(runsDir, 'baselines.json')) ? JSON.parse(fs.readFileSync(path.join(runsDir, 'baselines.json'), 'utf8')) : {});
  const runPage = () => wb.webviewFrame().locator('#app');
  const runs = wb.view('Runs');
  let first;
  /** The comparison page of smoke, once its table is drawn. */
  const comparisonPage = async () => {
    await wb.waitFor(wb.page.locator('.tabs-container .tab', { hasText: 'Compare: smoke' }), { timeout: UI_TIMEOUT });
    const app = wb.webviewFrame().locator('#app');
    await wb.waitFor(app.locator('#section-comparison tbody tr').first(), { timeout: UI_TIMEOUT });
    return app;
  };

  await step('baseline-first-run', async () => {
    await wb.open(server.folderUrl(folder));
    await wb.openContainer('PerfLab');
    await wb.view('Profiles').expand();
    await wb.view('Profiles').row('smoke').waitFor({ timeout: ACTIVATION_TIMEOUT });
    await runProfile(wb, 'smoke');
    await wb.waitFor(wb.page.locator('.tabs-container .tab', { hasText: 'Run: smoke' }), { timeout: 60_000 });
    await wb.waitFor(runPage().getByText('PASS', { exact: true }).first(), { timeout: UI_TIMEOUT });
    assert.equal(await runPage().locator('#section-comparison').count(), 0, 'no baseline yet: nothing to compare with');
    [first] = records();
    assert.equal(first.status, 'completed');
  });

  await step('set-as-baseline-from-runs-view', async () => {
    await wb.openContainer('PerfLab');
    await runs.expand();
    await runs.row('smoke').waitFor({ timeout: UI_TIMEOUT });
    await contextMenu(runs.row('smoke'), 'Set as Baseline');
    await wb.notification('the baseline of "smoke" is').waitFor({ timeout: UI_TIMEOUT });
    assert.deepEqual(baselines(), { smoke: first.id });
    await eventually(async () => assert.match((await runs.items())[0].description, / · baseline$/), { timeout: UI_TIMEOUT });
  });

  await step('second-run-compared-with-baseline', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
    await runProfile(wb, 'smoke');
    // The notification at the end says how the run compares.
    await wb.waitFor(wb.notification(/smoke (PASS|FAIL).* vs baseline/), { timeout: 60_000 });
    await wb.waitFor(wb.page.locator('.tabs-container .tab', { hasText: 'Run: smoke' }), { timeout: UI_TIMEOUT });
    const section = runPage().locator('#section-comparison');
    await wb.waitFor(section, { timeout: UI_TIMEOUT });
    assert.equal(await section.locator('summary h2').innerText(), 'Compared with baseline');
    await section.locator('tbody tr').first().waitFor({ timeout: UI_TIMEOUT });
    const rows = await section.locator('tbody tr th').allInnerTexts();
    for (const metric of ['latency.p99', 'rps', 'errors.rate']) assert.ok(rows.includes(metric), `the comparison compares ${metric}; rows: ${JSON.stringify(rows)}`);
    const second = records().at(-1);
    assert.notEqual(second.id, first.id);
    assert.deepEqual(second.comparison?.baseline.runs, [first.id], 'the record keeps the comparison with the saved baseline');
    assert.equal(await section.locator('tbody tr.comparison-regression').count(), second.comparison.regressions);
    assert.match(await section.getByTestId('comparison-verdict').innerText(), second.comparison.regressions ? /regression/ : /^✓No regression/);
  });

  await step('compare-with-baseline-from-runs-view', async () => {
    await wb.openContainer('PerfLab');
    // The newest run, not the baseline: its menu offers the comparison with the profile's baseline.
    const newest = runs.rows.first();
    assert.doesNotMatch(await newest.innerText(), /baseline/);
    await contextMenu(newest, 'Compare with Baseline');
    const app = await comparisonPage();
    assert.equal(await app.getByRole('button', { name: 'Open the baseline run' }).getAttribute('title'), first.id);
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
  });

  await step('compare-runs-page', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('PerfLab: Compare Runs…');
    // First the baseline (the earlier run, marked as the saved one), then the run to compare with it.
    const baselineRow = (await wb.quickPickRows(UI_TIMEOUT)).filter({ hasText: first.id }).first();
    assert.match(await baselineRow.innerText(), /baseline/);
    await baselineRow.click();
    const currentRows = await wb.quickPickRows(UI_TIMEOUT);
    await eventually(async () => assert.equal(await currentRows.count(), 1, 'only the other run of smoke is offered'), { timeout: UI_TIMEOUT });
    await currentRows.first().click();
    const app = await comparisonPage();
    assert.match(await app.getByTestId('verdict').innerText(), /REGRESSION/);
    assert.ok((await app.locator('#section-comparison tbody tr').count()) >= 3);
  });

  await step('compare-two-selected-runs', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
    await wb.openContainer('PerfLab');
    // Two runs selected (a click, then Ctrl+click): their context menu compares those two.
    await runs.rows.nth(0).click();
    await runs.rows.nth(1).click({ modifiers: ['Control'] });
    await eventually(async () => assert.equal(await runs.pane.locator('.pane-body .monaco-list-row.selected').count(), 2), { timeout: UI_TIMEOUT });
    await contextMenu(runs.rows.nth(1), 'Compare Runs…');
    const app = await comparisonPage();
    // The earlier of the two is the baseline.
    assert.equal(await app.getByRole('button', { name: 'Open the baseline run' }).getAttribute('title'), first.id);
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
  });

  await step('clear-baseline', async () => {
    await wb.openContainer('PerfLab');
    const baselineRow = runs.pane.locator('.pane-body .monaco-list-row', { hasText: 'baseline' }).first();
    await baselineRow.waitFor({ timeout: UI_TIMEOUT });
    // One run selected again: Clear Baseline is offered for a single run.
    await baselineRow.click();
    await eventually(async () => assert.equal(await runs.pane.locator('.pane-body .monaco-list-row.selected').count(), 1), { timeout: UI_TIMEOUT });
    await contextMenu(baselineRow, 'Clear Baseline');
    await wb.notification('"smoke" has no saved baseline now').waitFor({ timeout: UI_TIMEOUT });
    assert.deepEqual(baselines(), {});
    await eventually(async () => assert.ok((await runs.items()).every((i) => !i.description.includes('baseline'))), { timeout: UI_TIMEOUT });
  });

  await step('find-capacity-and-cancel', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
    await wb.runCommand('PerfLab: Find Capacity…');
    await (await wb.quickPickRows(UI_TIMEOUT)).filter({ hasText: 'smoke' }).first().click();
    await (await wb.quickPickRows(UI_TIMEOUT)).filter({ hasText: 'Quick' }).first().click();
    const toast = wb.notification('PerfLab: smoke');
    await toast.waitFor({ timeout: UI_TIMEOUT });
    // The second step (twice the start rate) has begun: the first one is measured.
    await eventually(async () => assert.match(await toast.innerText(), /100 req\/s/), { timeout: 30_000 });
    await toast.getByRole('button', { name: 'Cancel' }).click();
    await wb.notification(/smoke was stopped/).waitFor({ timeout: UI_TIMEOUT });
    const record = records().find((r) => r.capacity);
    assert.ok(record, 'the search is saved as a run');
    assert.equal(record.status, 'cancelled');
    assert.equal(record.capacity.stop, 'cancelled');
    assert.equal(record.capacity.steps[0].rate, 50);
    await wb.waitFor(wb.page.locator('.tabs-container .tab', { hasText: 'Run: smoke' }), { timeout: UI_TIMEOUT });
    const headline = runPage().locator('#section-capacity').getByTestId('capacity-headline');
    await wb.waitFor(headline, { timeout: UI_TIMEOUT });
    assert.match(await headline.innerText(), /Capacity: at least 50\.0 req\/s/);
  });
});

/** The demo's API server: the child of `perflab demo` running examples/demo-stack/server.js. */
function demoServerPid(demoPid) {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === demoPid && fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('server.js')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no server.js child of the demo (pid ${demoPid})`);
}

test('from the Processes view: attach to the demo (no --inspect), profile it under load, the flame graph and a hot-path mark on its hot function; a heap profile, a heap snapshot and its leak', { timeout: 360_000 }, async () => {
  const folder = fs.mkdtempSync(path.join(server.base, 'profile-'));
  // Both of the demo's faults: a hot function for the CPU profile, a leak for Find Leaks.
  const hotDemo = await startDemo(folder, { HOT: '1', LEAK: '1' });
  const serverPid = demoServerPid(hotDemo.state.pid);
  fs.writeFileSync(path.join(folder, 'perflab.config.json'), JSON.stringify({
    targets: { api: { baseUrl: hotDemo.state.url } },
    profiles: {
      send: {
        type: 'http', target: 'api',
        phases: [{ name: 'steady', duration: '6s', connections: 8 }],
        scenarios: [{ name: 'send', request: { method: 'POST', path: '/messages', json: { to: '+15551234567', type: 'text', body: 'hi' } } }],
        thresholds: { 'errors.rate': '< 1%' },
      },
    },
  }, null, 2));
  const processes = wb.view('Processes');
  const row = () => processes.row(new RegExp(`pid ${serverPid}\\b`));
  // A row's inline actions show while it is hovered; the list may redraw meanwhile (a process
  // started or ended), moving the row from under the pointer: hover and click again then.
  const inline = (title) => eventually(async () => {
    await row().hover();
    await row().locator(`.action-label[aria-label="${title}"]`).click({ timeout: 2_000 });
  }, { timeout: UI_TIMEOUT });

  await step('processes-view', async () => {
    await wb.open(server.folderUrl(folder));
    await wb.openContainer('PerfLab');
    await processes.expand();
    await row().waitFor({ timeout: ACTIVATION_TIMEOUT });
    assert.match(await row().innerText(), /server\.js/);
    assert.doesNotMatch(await row().innerText(), /inspector|attached/, 'the demo runs without an open inspector');
  });

  await step('attach-from-processes', async () => {
    await inline('Attach to Node Process…');
    await eventually(async () => assert.match(await row().innerText(), /attached/), { timeout: UI_TIMEOUT });
  });

  await step('live-monitor-of-process', async () => {
    await inline('Start Live Monitor');
    await wb.waitFor(wb.page.locator('.tabs-container .tab', { hasText: `Live: pid ${serverPid}` }), { timeout: UI_TIMEOUT });
    const live = wb.webviewFrame().locator('#app');
    const intervals = async () => Number(await live.locator('[data-chart="event-loop"]').getAttribute('data-points'));
    await eventually(async () => assert.ok((await intervals()) >= 4, `intervals drawn: ${await intervals()}`), { timeout: UI_TIMEOUT });
    await wb.focusWorkbench();
    await wb.runCommand('PerfLab: Stop Live Monitor');
    const ended = live.getByTestId('monitor-end');
    await wb.waitFor(ended, { timeout: UI_TIMEOUT });
    const saved = /saved in (\S+\.json)/.exec(await ended.innerText())?.[1];
    assert.ok(saved, await ended.innerText());
    const file = JSON.parse(fs.readFileSync(path.join(folder, saved), 'utf8'));
    assert.equal(file.format, 'perflab-timeline');
    assert.ok(file.samples.length >= 4);
  });

  await step('profile-under-load', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
    await wb.openContainer('PerfLab');
    await inline('Profile Under Load…');
    const rows = await wb.quickPickRows(UI_TIMEOUT);
    await rows.filter({ hasText: 'send' }).first().click();
    await wb.notification(`PerfLab: send, profiling pid ${serverPid}`).waitFor({ timeout: UI_TIMEOUT });
    const flameTab = wb.page.locator('.tabs-container .tab', { hasText: 'cpu.cpuprofile' });
    await wb.waitFor(flameTab, { timeout: 60_000 });
    await wb.waitFor(wb.webviewFrame().locator('[data-testid="flame"][data-drawn]'), { timeout: ACTIVATION_TIMEOUT });
    const runDir = path.join(folder, '.perflab/runs');
    const [id] = fs.readdirSync(runDir);
    const record = JSON.parse(fs.readFileSync(path.join(runDir, id, 'run.json'), 'utf8'));
    assert.equal(record.status, 'completed');
    assert.ok(record.artifacts.some((a) => a.file === 'cpu.cpuprofile'), JSON.stringify(record.artifacts));
    assert.equal(record.process?.pid, serverPid);
    // Heap sampling beside the CPU profile, and the run diagnosed from both.
    assert.ok(record.artifacts.some((a) => a.file === 'heap.heapprofile'), JSON.stringify(record.artifacts));
    assert.deepEqual(record.diagnosis?.read.filter((r) => r.endsWith('profile')), ['CPU profile', 'heap profile']);
  });

  await step('hot-path-mark', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('PerfLab: Show Hot Paths');
    const rows = await wb.quickPickRows(UI_TIMEOUT);
    await rows.filter({ hasText: 'renderPreview' }).first().click();
    await wb.page.locator('.tabs-container .tab', { hasText: 'hot.js' }).waitFor({ timeout: UI_TIMEOUT });
    // To the function's first line (the picked line may be far below it), where its mark is: an `::after` of a span on that view line.
    const source = fs.readFileSync(path.join(REPO_ROOT, 'examples/demo-stack/hot.js'), 'utf8').split('\n');
    const fnLine = source.findIndex((l) => l.startsWith('function renderPreview(')) + 1;
    const goTo = await wb.openPalette();
    await goTo.fill(`:${fnLine}`);
    await goTo.press('Enter');
    await eventually(async () => {
      const marks = await wb.page.locator('.monaco-editor .view-lines .view-line').evaluateAll((lines) =>
        // Monaco draws spaces as no-break spaces.
        lines.flatMap((line) => [...line.querySelectorAll('span')].map((s) => ({ line: line.textContent.replace(/\u00a0/g, ' '), mark: getComputedStyle(s, '::after').content }))
          .filter((m) => /\d%/.test(m.mark))),
      );
      const fn = marks.find((m) => m.line.includes('function renderPreview('));
      assert.ok(fn, `no hot-path mark on the line of function renderPreview; marks: ${JSON.stringify(marks)}`);
      assert.match(fn.mark, /renderPreview: [\d.,]+ m?s total · [\d.]+% · self/);
    }, { timeout: UI_TIMEOUT });
  });

  let before;
  let after;
  await step('compare-profiled-runs', async () => {
    // A second run profiled under load; the two runs compared: the functions that grew, and their differential flame graph.
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
    await wb.openContainer('PerfLab');
    await inline('Profile Under Load…');
    const rows = await wb.quickPickRows(UI_TIMEOUT);
    await rows.filter({ hasText: 'send' }).first().click();
    const runDir = path.join(folder, '.perflab/runs');
    const profiled = () => fs.readdirSync(runDir).filter((id) => fs.existsSync(path.join(runDir, id, 'run.json')))
      .map((id) => JSON.parse(fs.readFileSync(path.join(runDir, id, 'run.json'), 'utf8')))
      .filter((r) => r.status === 'completed' && r.artifacts.some((a) => a.file === 'cpu.cpuprofile'));
    await eventually(() => assert.equal(profiled().length, 2), { timeout: 60_000 });
    await wb.waitFor(wb.page.locator('.tabs-container .tab', { hasText: 'cpu.cpuprofile' }), { timeout: 60_000 });
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
    await wb.openContainer('PerfLab');
    const runsView = wb.view('Runs');
    await runsView.expand();
    await eventually(async () => assert.equal(await runsView.rows.count(), 2), { timeout: UI_TIMEOUT });
    await runsView.rows.first().click();
    await contextMenu(runsView.rows.first(), 'Compare with…');
    await (await wb.quickPickRows(UI_TIMEOUT)).first().click();
    await wb.waitFor(wb.page.locator('.tabs-container .tab', { hasText: 'Compare: send' }), { timeout: UI_TIMEOUT });
    const app = wb.webviewFrame().locator('#app');
    const growers = app.getByTestId('comparison-growers');
    await wb.waitFor(growers, { timeout: ACTIVATION_TIMEOUT });
    assert.match(await growers.innerText(), /Where the CPU time went/);
    [before, after] = profiled().sort((a, b) => a.startedAt.localeCompare(b.startedAt)).map((r) => r.id);
  });

  await step('flame-diff-of-profiled-runs', async () => {
    const growers = wb.webviewFrame().locator('#app').getByTestId('comparison-growers');
    await growers.getByRole('button', { name: 'Open Differential Flame Graph' }).click();
    await wb.waitFor(wb.page.locator('.tabs-container .tab', { hasText: `${after} vs ${before}` }), { timeout: UI_TIMEOUT });
    await wb.waitFor(wb.webviewFrame().locator('[data-testid="flame"][data-drawn]'), { timeout: ACTIVATION_TIMEOUT });
  });

  const captures = () => (fs.existsSync(path.join(folder, '.perflab/captures')) ? fs.readdirSync(path.join(folder, '.perflab/captures')) : []);
  await step('capture-heap-profile', async () => {
    // On the attached process: the palette command asks for no pid.
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
    await wb.runCommand('PerfLab: Capture Heap Profile');
    const rows = await wb.quickPickRows(UI_TIMEOUT);
    await rows.filter({ hasText: '5 seconds' }).first().click();
    const done = wb.notification(new RegExp(`heap profile of pid ${serverPid}: .* allocated`));
    // Something to allocate while it samples: requests until the profile is in.
    let sending = true;
    const traffic = (async () => {
      while (sending) {
        await fetch(`${hotDemo.state.url}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: '+15551234567', type: 'text', body: 'hi' }) }).catch(() => {});
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await done.waitFor({ timeout: 30_000 });
    } finally {
      sending = false;
      await traffic;
    }
    assert.match(await done.innerText(), /[\d.]+ [kMG]?B allocated in [\d.]+ s; most by /);
    assert.ok(captures().some((f) => f.endsWith('.heapprofile')), JSON.stringify(captures()));
  });

  await step('take-heap-snapshot', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('PerfLab: Take Heap Snapshot');
    // It asks first: the process pauses while V8 writes its heap.
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: UI_TIMEOUT });
    assert.match(await dialog.innerText(), /pauses the process/);
    await dialog.getByRole('button', { name: 'Take Snapshot' }).click();
    await wb.notification(`heap snapshot of pid ${serverPid} saved`).waitFor({ timeout: 60_000 });
    const [file] = captures().filter((f) => f.endsWith('.heapsnapshot'));
    assert.ok(file, JSON.stringify(captures()));
    const head = fs.readFileSync(path.join(folder, '.perflab/captures', file), 'utf8').slice(0, 200);
    assert.match(head, /^\{"snapshot":\{"meta":/, 'a complete V8 heap snapshot');
  });

  await step('find-leaks', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('PerfLab: Find Leaks…');
    const rows = await wb.quickPickRows(UI_TIMEOUT);
    await rows.filter({ hasText: 'send' }).first().click();
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: UI_TIMEOUT });
    assert.match(await dialog.innerText(), /three heap snapshots/);
    await dialog.getByRole('button', { name: 'Find Leaks' }).click();
    // LEAK=1 keeps a RequestAuditEntry per request in a module-level array.
    const found = wb.notification(new RegExp(`PerfLab: leaks in pid ${serverPid}: `));
    await found.waitFor({ timeout: 120_000 });
    assert.match(await found.innerText(), /RequestAuditEntry: [\d,]+ objects still alive/);
    assert.ok(captures().some((f) => f.startsWith('leaks-') && fs.existsSync(path.join(folder, '.perflab/captures', f, 'leaks.json'))), JSON.stringify(captures()));
  });

  await step('detach', async () => {
    // A live monitor on the attached session stops with the detach: it saves its timeline and
    // does not take the session closing for the process exiting.
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
    await wb.openContainer('PerfLab');
    await inline('Start Live Monitor');
    await wb.waitFor(wb.page.locator('.tabs-container .tab', { hasText: `Live: pid ${serverPid}` }), { timeout: UI_TIMEOUT });
    const live = wb.webviewFrame().locator('#app');
    await eventually(async () => assert.ok(Number(await live.locator('[data-chart="event-loop"]').getAttribute('data-points')) >= 2), { timeout: UI_TIMEOUT });
    await wb.openContainer('PerfLab');
    await inline('Detach from Node Process');
    await eventually(async () => assert.doesNotMatch(await row().innerText(), /attached/), { timeout: UI_TIMEOUT });
    const ended = live.getByTestId('monitor-end');
    await wb.waitFor(ended, { timeout: UI_TIMEOUT });
    assert.match(await ended.innerText(), /detached from the process.*saved in \S+\.json/s);
    assert.doesNotMatch(await ended.innerText(), /exited/);
    await wb.focusWorkbench();
    await wb.runCommand('View: Close All Editors');
  });
});

test("the Stack view shows the demo's Redis and its queue, with the counts redis-cli reads; a BullMQ run cancelled from its notification leaves no keys", { timeout: 240_000 }, async () => {
  const folder = fs.mkdtempSync(path.join(server.base, 'stack-'));
  const stackDemo = await startDemo(folder);
  const { redisUrl, url } = stackDemo.state;
  fs.writeFileSync(path.join(folder, 'perflab.config.json'), JSON.stringify({
    stack: { redis: { url: redisUrl }, queues: [{ name: 'messages' }] },
    targets: { api: { baseUrl: url } },
    profiles: {
      smoke: { type: 'http', target: 'api', phases: [{ name: 'steady', duration: '5s', arrivalRate: 10 }], scenarios: [{ name: 'health', request: { method: 'GET', path: '/health' } }] },
      'queue-load': { type: 'bullmq', queue: 'messages', mode: 'e2e', duration: '2m', arrivalRate: 200 },
    },
  }, null, 2));
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${url}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: '+15551234567', type: 'text', body: `hi ${i}` }) });
    assert.equal(res.status, 202);
  }
  const { execFileSync } = await import('node:child_process');
  const cli = (...args) => Number(execFileSync('redis-cli', ['-u', redisUrl, ...args], { encoding: 'utf8' }).trim());
  const stack = wb.view('Stack');

  await step('stack-view', async () => {
    await wb.open(server.folderUrl(folder));
    await wb.openContainer('PerfLab');
    // Room for the Stack view's rows: a tree draws only the rows it has room for.
    for (const title of ['Profiles', 'Runs', 'Processes']) {
      const { header } = wb.view(title);
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    await stack.expand();
    const redis = stack.row(/^Redis/);
    await redis.waitFor({ timeout: ACTIVATION_TIMEOUT });
    const version = execFileSync('redis-cli', ['-u', redisUrl, 'INFO', 'server'], { encoding: 'utf8' }).match(/redis_version:(\S+)/)[1];
    assert.match(await redis.innerText(), new RegExp(`${new URL(redisUrl).port}.*${version.replace(/\./g, '\\.')}`));
    await stack.row('maxmemory-policy').waitFor({ timeout: UI_TIMEOUT });
    await stack.row(/^messages/).click();
    await stack.row(/^completed/).waitFor({ timeout: UI_TIMEOUT });
    // The demo's worker may still be at them: the view re-reads every few seconds, until both agree.
    await eventually(async () => {
      const items = await stack.items();
      const count = (state) => Number(items.find((i) => i.label === state)?.description.replace(/,/g, ''));
      const expected = { waiting: cli('LLEN', 'bull:messages:wait'), active: cli('LLEN', 'bull:messages:active'), completed: cli('ZCARD', 'bull:messages:completed'), failed: cli('ZCARD', 'bull:messages:failed'), delayed: cli('ZCARD', 'bull:messages:delayed') };
      assert.deepEqual(Object.fromEntries(Object.keys(expected).map((s) => [s, count(s)])), expected);
      assert.equal(expected.completed + expected.failed, 5, `all five messages are done: ${JSON.stringify(expected)}`);
    }, { timeout: 30_000, interval: 1_000 });
  });

  await step('cancel-bullmq-run', async () => {
    // Benchmark data lives under `perflab-bench-<run>` (BullMQ) or `perflab:bench:<run>:` (Redis).
    const benchKeys = () => execFileSync('redis-cli', ['-u', redisUrl, '--scan', '--pattern', 'perflab*'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    assert.deepEqual(benchKeys(), []);
    await wb.focusWorkbench();
    await runProfile(wb, 'queue-load');
    const toast = wb.notification('PerfLab: queue-load');
    await toast.waitFor({ timeout: UI_TIMEOUT });
    await eventually(async () => assert.match(await toast.innerText(), /\/s/), { timeout: UI_TIMEOUT });
    await eventually(() => assert.ok(benchKeys().length > 0, 'the run has made its queue'), { timeout: UI_TIMEOUT });
    // The installed extension's runner process (not one of another checkout's tests).
    const runnerProcesses = () => pidsRunning('dist/runner-child.js').filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(server.base);
      } catch {
        return false;
      }
    });
    assert.equal(runnerProcesses().length, 1, 'the benchmark runs in a process of its own, not in the extension host');
    const clicked = Date.now();
    await toast.getByRole('button', { name: 'Cancel' }).click();
    await wb.notification(/queue-load was stopped/).waitFor({ timeout: UI_TIMEOUT });
    const stoppedIn = Date.now() - clicked;
    const runsDir = path.join(folder, '.perflab/runs');
    const [record] = fs.readdirSync(runsDir).map((id) => JSON.parse(fs.readFileSync(path.join(runsDir, id, 'run.json'), 'utf8'))).filter((r) => r.profile === 'queue-load');
    assert.equal(record.status, 'cancelled');
    console.log(`cancel: the BullMQ run was saved and cleaned up ${stoppedIn} ms after Cancel (endedAt ${Date.parse(record.endedAt) - clicked} ms)`);
    assert.ok(stoppedIn <= 2_000, `the run stopped within 2 s of Cancel (${stoppedIn} ms)`);
    assert.deepEqual(benchKeys(), [], 'no benchmark key or queue is left');
    await eventually(() => assert.deepEqual(runnerProcesses(), [], 'nor its process'), { timeout: UI_TIMEOUT });
  });
});

/** Pids of the processes whose command line runs `script` (a path fragment). */
function pidsRunning(script) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(script))) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

test('Start Demo Stack in an empty folder outside the repository: the demo from the installed extension, a starter config for it, a smoke run, Stop Demo Stack', { timeout: 240_000 }, async () => {
  const folder = fs.mkdtempSync(path.join(server.base, 'getting-started-'));
  assert.ok(!path.resolve(folder).startsWith(REPO_ROOT + path.sep), 'the folder is not inside this repository');
  const installed = path.join(server.base, 'extensions');
  const demoServers = () => pidsRunning('examples/demo-stack/server.js').filter((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(installed));
  const stateFile = path.join(folder, '.perflab/demo.json');

  await step('start-demo-stack', async () => {
    await wb.open(server.folderUrl(folder));
    await wb.openContainer('PerfLab');
    await wb.view('Profiles').expand();
    // The welcome view of a folder without a config leads there.
    await wb.view('Profiles').pane.getByRole('button', { name: 'Start Demo Stack' }).click({ timeout: ACTIVATION_TIMEOUT });
    const rows = await wb.quickPickRows(UI_TIMEOUT);
    await rows.filter({ hasText: /^Demo stack\b/ }).first().click();
    const started = wb.notification('the demo stack is running');
    await started.waitFor({ timeout: 60_000 });
    assert.ok(fs.existsSync(stateFile), '.perflab/demo.json records its addresses');
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    assert.match(await started.innerText(), new RegExp(`API ${state.url.replace(/[.]/g, '\\.')}`));
    assert.equal((await fetch(`${state.url}/health`)).status, 200);
    assert.equal(demoServers().length, 1, 'its server runs from the installed extension');
    await started.getByRole('button', { name: 'Create Starter Config' }).click();
    await wb.page.locator('.tabs-container .tab', { hasText: 'perflab.config.json' }).waitFor({ timeout: UI_TIMEOUT });
    const config = fs.readFileSync(path.join(folder, 'perflab.config.json'), 'utf8');
    assert.ok(config.includes(`"baseUrl": "${state.url}"`), 'the starter config targets the demo that runs');
    assert.ok(config.includes(`"url": "${state.redisUrl}"`), "and the demo's Redis");
    // A child of the editor, yet offered to attach to: it is the user's service.
    const [pid] = demoServers();
    await wb.view('Processes').expand();
    await wb.view('Processes').row(`pid ${pid}`).waitFor({ timeout: UI_TIMEOUT });
  });

  await step('getting-started-smoke', async () => {
    await wb.view('Profiles').row('smoke').waitFor({ timeout: UI_TIMEOUT });
    await wb.focusWorkbench();
    await runProfile(wb, 'smoke');
    await wb.page.locator('.tabs-container .tab', { hasText: 'Run: smoke' }).waitFor({ timeout: 90_000 });
    const runsDir = path.join(folder, '.perflab/runs');
    const [id] = fs.readdirSync(runsDir);
    const record = JSON.parse(fs.readFileSync(path.join(runsDir, id, 'run.json'), 'utf8'));
    assert.equal(record.status, 'completed');
    assert.ok(record.overall.count > 0, 'the demo answered the smoke run');
  });

  await step('stop-demo-stack', async () => {
    await wb.focusWorkbench();
    await wb.runCommand('PerfLab: Stop Demo Stack');
    await wb.notification('demo stack stopped').waitFor({ timeout: UI_TIMEOUT });
    await eventually(() => {
      assert.deepEqual(demoServers(), [], 'its server is gone');
      assert.ok(!fs.existsSync(stateFile), '.perflab/demo.json went with it');
    }, { timeout: UI_TIMEOUT });
  });
});

test('Set Redis Password: the Stack view and a Redis run reach a server that needs one, and the password is in no run file or log', { timeout: 180_000 }, async () => {
  const { spawn, execFileSync } = await import('node:child_process');
  const net = await import('node:net');
  const port = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address();
      probe.close(() => resolve(p));
    });
  });
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    await eventually(() => assert.match(execFileSync('redis-cli', ['-p', String(port), '--no-auth-warning', '-a', password, 'PING'], { encoding: 'utf8' }), /PONG/), { timeout: UI_TIMEOUT });
    const folder = fs.mkdtempSync(path.join(server.base, 'secret-'));
    fs.writeFileSync(path.join(folder, 'perflab.config.json'), JSON.stringify({
      stack: { redis: { url: `redis://127.0.0.1:${port}` } },
      profiles: { 'redis-ops': { type: 'redis', operations: ['set', 'get'], iterations: 2000 } },
    }, null, 2));
    const stack = wb.view('Stack');

    await step('redis-password-needed', async () => {
      await wb.open(server.folderUrl(folder));
      await wb.openContainer('PerfLab');
      for (const title of ['Runs', 'Processes']) {
        const { header } = wb.view(title);
        if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
      }
      await stack.expand();
      await stack.row(/refused to authenticate/).waitFor({ timeout: ACTIVATION_TIMEOUT });
    });

    await step('set-redis-password', async () => {
      await wb.focusWorkbench();
      await wb.runCommand('PerfLab: Set Redis Password');
      const input = wb.page.locator('.quick-input-widget .quick-input-box input[type="password"]');
      await input.waitFor({ timeout: UI_TIMEOUT });
      await input.fill(password);
      await wb.page.keyboard.press('Enter');
      await wb.notification('stored').waitFor({ timeout: UI_TIMEOUT });
      await stack.row('maxmemory-policy').waitFor({ timeout: UI_TIMEOUT });
    });

    await step('redis-run-with-password', async () => {
      await wb.focusWorkbench();
      await runProfile(wb, 'redis-ops');
      await wb.page.locator('.tabs-container .tab', { hasText: 'Run: redis-ops' }).waitFor({ timeout: 60_000 });
      const runsDir = path.join(folder, '.perflab/runs');
      const [id] = fs.readdirSync(runsDir);
      assert.equal(JSON.parse(fs.readFileSync(path.join(runsDir, id, 'run.json'), 'utf8')).status, 'completed');
      server.saveLogs();
      const leaks = [];
      const search = (dir) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const file = path.join(dir, entry.name);
          if (entry.isDirectory()) search(file);
          else if (fs.readFileSync(file).includes(password)) leaks.push(file);
        }
      };
      search(runsDir);
      search(path.join(server.userDataDir, 'logs'));
      assert.deepEqual(leaks, [], 'the password is in no run file and no log');
    });
  } finally {
    redis.kill('SIGKILL');
  }
});

test('in an untrusted workspace a profile with a custom generator is refused with the reason, and its module never runs', { timeout: 180_000 }, async () => {
  const restricted = await startCodeServer({ vsix: VSIX, trust: true, log: (s) => debug && process.stderr.write(s) });
  const other = await launchBrowser();
  const rwb = workbench(other.page);
  try {
    const folder = fs.mkdtempSync(path.join(restricted.base, 'untrusted-'));
    // Importing the module would leave this file behind.
    fs.writeFileSync(path.join(folder, 'gen.mjs'), "import fs from 'node:fs';\nfs.writeFileSync(new URL('./generator-ran', import.meta.url), '');\nexport function next() { return undefined; }\n");
    fs.writeFileSync(path.join(folder, 'perflab.config.json'), JSON.stringify({
      targets: { api: { baseUrl: 'http://127.0.0.1:1' } },
      profiles: { custom: { type: 'http', target: 'api', generator: './gen.mjs', phases: [{ name: 'steady', duration: '5s', arrivalRate: 5 }], scenarios: [{ name: 'root', request: { path: '/' } }] } },
    }, null, 2));
    await rwb.open(restricted.folderUrl(folder));
    await rwb.page.locator('.part.statusbar', { hasText: 'Restricted Mode' }).waitFor({ timeout: UI_TIMEOUT });
    await rwb.openContainer('PerfLab');
    await rwb.view('Profiles').row('custom').waitFor({ timeout: ACTIVATION_TIMEOUT });
    await runProfile(rwb, 'custom');
    const refusal = rwb.notification(/custom generator "\.\/gen\.mjs", which runs code from the workspace/);
    await refusal.waitFor({ timeout: UI_TIMEOUT });
    assert.match(await refusal.innerText(), /must be trusted first/);
    await refusal.getByRole('button', { name: 'Manage Workspace Trust' }).waitFor({ timeout: UI_TIMEOUT });
    await rwb.screenshot(`${String(++shot).padStart(2, '0')}-untrusted-refused`);
    assert.ok(!fs.existsSync(path.join(folder, 'generator-ran')), 'the generator module was never loaded');
    assert.ok(!fs.existsSync(path.join(folder, '.perflab/runs')), 'nothing ran, so no run was saved');
  } catch (err) {
    await rwb.screenshot(`${String(++shot).padStart(2, '0')}-untrusted-failed`);
    throw new Error(`${err.message}\nworkbench shows: ${JSON.stringify(await rwb.errorState(), null, 1)}`, { cause: err });
  } finally {
    restricted.saveLogs(path.join(RESULTS_DIR, 'untrusted'));
    await other.close();
    await restricted.stop();
  }
});
