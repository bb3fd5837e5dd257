// Drives a real VS Code for the e2e tier: code-server (VS Code server + web workbench, with a
// real Node extension host) on a loopback port, and Chromium through playwright-core.
// scripts/setup-vscode.sh installs code-server and Node 24 into the cache folder used here.
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const execFileAsync = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));

export const REPO_ROOT = path.resolve(HERE, '../..');
export const WORKSPACES = path.join(HERE, 'workspaces');
export const RESULTS_DIR = process.env.PERFLAB_E2E_RESULTS || path.join(REPO_ROOT, 'test-results/e2e');
export const CACHE_DIR =
  process.env.PERFLAB_VSCODE_DIR ||
  path.join(process.env.PERFLAB_CACHE || path.join(os.homedir(), '.cache/perflab'), 'vscode');
export const VSIX = process.env.PERFLAB_VSIX || path.join(REPO_ROOT, 'perflab.vsix');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CODE_SERVER_ENTRY = path.join(CACHE_DIR, 'cs/node_modules/code-server/out/node/entry.js');
const TMP_ROOT = path.join(CACHE_DIR, 'tmp');

/** Node 24 from the setup script (`node24/node_modules/node-linux-<arch>/bin/node`). */
function findNode24() {
  const dir = path.join(CACHE_DIR, 'node24/node_modules');
  const pkg = fs.existsSync(dir) ? fs.readdirSync(dir).find((d) => d.startsWith('node-linux-')) : undefined;
  const bin = pkg && path.join(dir, pkg, 'bin/node');
  if (!bin || !fs.existsSync(bin) || !fs.existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server is not installed in ${CACHE_DIR}; run: bash scripts/setup-vscode.sh`);
  }
  return bin;
}

/** HOME, XDG and TMPDIR inside `dir`, so neither VS Code nor Chromium writes into the user's home. */
function isolatedEnv(dir) {
  return {
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, '.config'),
    XDG_DATA_HOME: path.join(dir, '.local/share'),
    XDG_CACHE_HOME: path.join(dir, '.cache'),
    TMPDIR: dir,
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const oneLine = (text) => text.replace(/\s+/g, ' ').trim();

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealthy(url, proc, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`code-server exited early with code ${proc.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms`);
}

/**
 * code-server runs in its own process group, which a Ctrl-C in the terminal does not reach: what
 * is still alive (process groups, temp dirs) is ended synchronously when this process exits.
 */
const liveCleanups = new Set();
function cleanupAll() {
  for (const cleanup of liveCleanups) {
    try {
      cleanup();
    } catch {
      // best effort on the way out
    }
  }
  liveCleanups.clear();
}
process.once('exit', cleanupAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanupAll();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}
const removeDir = (dir) => {
  if (!process.env.PERFLAB_E2E_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
};

/** User settings that keep the workbench free of prompts, tours and network chatter. */
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  // Otherwise "Your application running on port N is available" toasts cover the notifications.
  'remote.autoForwardPorts': false,
  'window.restoreWindows': 'none',
  'json.schemaDownload.enable': false,
};

/**
 * Starts code-server with a fresh user-data and extensions dir under the cache's tmp folder, after
 * installing `vsix` through the real `--install-extension` path.
 */
export async function startCodeServer({ vsix = VSIX, log = () => {}, trust = false } = {}) {
  const node = findNode24();
  fs.mkdirSync(TMP_ROOT, { recursive: true });
  const base = fs.mkdtempSync(path.join(TMP_ROOT, 'run-'));
  const userDataDir = path.join(base, 'user-data');
  const extensionsDir = path.join(base, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  // With `trust`, Workspace Trust is on and a folder opens in Restricted Mode without asking.
  const settings = trust ? { ...SETTINGS, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : SETTINGS;
  fs.writeFileSync(path.join(userDataDir, 'User/settings.json'), JSON.stringify(settings, null, 2));
  const configFile = path.join(base, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\n');

  const env = { ...process.env, ...isolatedEnv(base), PATH: `${path.dirname(node)}:${process.env.PATH}` };
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  const cleanup = () => removeDir(base);
  try {
    const { stdout, stderr } = await execFileAsync(node, [CODE_SERVER_ENTRY, ...common, '--install-extension', vsix, '--force'], {
      env,
      timeout: 120_000,
    });
    log(stdout + stderr);
    if (!/successfully installed/i.test(stdout + stderr)) throw new Error(`installing ${vsix} did not report success:\n${stdout}${stderr}`);
  } catch (err) {
    cleanup();
    throw err;
  }

  const port = await freePort();
  const proc = spawn(
    node,
    [CODE_SERVER_ENTRY, ...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
      '--disable-update-check', ...(trust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', '--ignore-last-opened'],
    // Its own process group: stop() ends the server, the extension host and every helper together.
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const killGroup = (sig) => {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      // the group is already gone
    }
  };
  const emergencyCleanup = () => {
    killGroup('SIGKILL');
    cleanup();
  };
  liveCleanups.add(emergencyCleanup);
  const output = [];
  for (const stream of [proc.stdout, proc.stderr]) {
    stream.on('data', (d) => {
      output.push(String(d));
      log(String(d));
    });
  }
  const url = `http://127.0.0.1:${port}/`;

  const server = {
    url,
    base,
    userDataDir,
    output,
    /** Copies a fixture workspace into the run's tmp folder, so tests never write into the repo. */
    workspace(name) {
      const dest = path.join(base, 'workspaces', name);
      fs.cpSync(path.join(WORKSPACES, name), dest, { recursive: true });
      return dest;
    },
    folderUrl(folder) {
      return `${url}?folder=${encodeURIComponent(folder)}`;
    },
    /**
     * Writes a multi-root `.code-workspace` of these folders (in order) and returns its URL. The
     * paths are relative to the file: the web workbench resolves them against the file's own
     * (remote) URI, while absolute paths come out as local file URIs it cannot show.
     */
    multiRootUrl(name, folders) {
      const dir = path.join(base, 'workspaces');
      const file = path.join(dir, `${name}.code-workspace`);
      fs.writeFileSync(file, JSON.stringify({ folders: folders.map((f) => ({ path: path.relative(dir, f) })) }, null, 2));
      return `${url}?workspace=${encodeURIComponent(file)}`;
    },
    /** Saves the server's output and VS Code's logs (extension host included) next to the screenshots. */
    saveLogs(dir = RESULTS_DIR) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'code-server.log'), output.join(''));
      const logs = path.join(userDataDir, 'logs');
      if (fs.existsSync(logs)) fs.cpSync(logs, path.join(dir, 'vscode-logs'), { recursive: true });
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        killGroup('SIGTERM');
        await Promise.race([new Promise((r) => proc.once('exit', r)), sleep(5000)]);
      }
      // The extension host and pty host may outlive the server by a moment.
      await sleep(300);
      killGroup('SIGKILL');
      liveCleanups.delete(emergencyCleanup);
      cleanup();
    },
  };
  try {
    await waitForHealthy(`${url}healthz`, proc, 60_000);
  } catch (err) {
    await server.stop();
    throw new Error(`${err.message}\n${output.join('').slice(-4000)}`);
  }
  return server;
}

/** Headless Chromium with a throwaway profile (launchPersistentContext: launch() rejects --user-data-dir). */
export async function launchBrowser() {
  fs.mkdirSync(TMP_ROOT, { recursive: true });
  const dir = fs.mkdtempSync(path.join(TMP_ROOT, 'chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      env: { ...process.env, ...isolatedEnv(dir) },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
  } catch (err) {
    removeDir(dir);
    throw err;
  }
  const removeProfile = () => removeDir(dir);
  liveCleanups.add(removeProfile);
  const page = context.pages()[0] ?? (await context.newPage());
  // No single wait may outlive a test's own timeout (node:test does not cancel a timed-out test).
  page.setDefaultTimeout(20_000);
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      liveCleanups.delete(removeProfile);
      removeProfile();
    },
  };
}

/** Helpers for the parts of the workbench the tests touch; selectors follow VS Code's DOM. */
export function workbench(page) {
  const quickInput = page.locator('.quick-input-widget');
  const quickInputBox = quickInput.locator('.quick-input-box input');

  const wb = {
    page,

    /** Opens `folder` and waits for the workbench layout (editor, status bar, activity bar). */
    async open(url) {
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
      await page.locator('.part.activitybar, .activitybar').first().waitFor({ timeout: 60_000 });
    },

    async screenshot(name) {
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      await page.screenshot({ path: path.join(RESULTS_DIR, `${name}.png`) }).catch(() => {});
    },

    /** Gives the workbench keyboard focus back (after a webview or a tree had it). */
    async focusWorkbench() {
      await page.locator('.part.statusbar').click({ position: { x: 2, y: 2 }, timeout: 2000 }).catch(() => {});
    },

    /**
     * What the workbench shows about errors right now: a modal dialog (e.g. "Command … resulted in
     * an error") and the notification toasts. Added to failure messages.
     */
    async errorState() {
      const dialog = await page.locator('.monaco-dialog-box').allInnerTexts().catch(() => []);
      const toasts = await wb.notificationTexts().catch(() => []);
      return { dialog: dialog.map(oneLine), notifications: toasts.map(oneLine) };
    },

    /**
     * Waits for `locator` (in any frame), failing at once with its text when VS Code shows a modal
     * dialog instead, e.g. "Command 'PerfLab: Open Run Report' resulted in an error".
     */
    async waitFor(locator, { timeout = 20_000 } = {}) {
      const dialog = page.locator('.monaco-dialog-box').first();
      let settled = false;
      const dialogShown = dialog.waitFor({ timeout }).then(
        async () => {
          if (!settled) throw new Error(`VS Code shows a dialog: ${oneLine(await dialog.innerText().catch(() => '?'))}`);
        },
        () => {},
      );
      try {
        await Promise.race([locator.waitFor({ timeout }), dialogShown.then(() => new Promise(() => {}))]);
      } finally {
        settled = true;
      }
    },

    /** Closes modal dialogs and quick inputs, so a failed step does not block the next one. */
    async dismissOverlays() {
      for (let i = 0; i < 3; i++) {
        const dialog = page.locator('.monaco-dialog-box');
        const quick = quickInput.filter({ visible: true });
        if (!(await dialog.count()) && !(await quick.count())) return;
        await page.keyboard.press('Escape');
        await sleep(200);
      }
    },

    async openPalette() {
      for (let attempt = 0; attempt < 3; attempt++) {
        await page.keyboard.press('F1');
        try {
          await quickInputBox.waitFor({ state: 'visible', timeout: 3000 });
          return quickInputBox;
        } catch {
          // F1 does not reach the workbench while a webview iframe has focus
          await page.keyboard.press('Escape').catch(() => {});
          await wb.focusWorkbench();
        }
      }
      throw new Error('the command palette did not open');
    },

    /** Runs a command by its palette title, e.g. "PerfLab: Validate Config". */
    async runCommand(title, { timeout = 15_000 } = {}) {
      // A webview that takes focus as it loads (a flame graph opening) closes the palette just
      // opened: then it is opened again, within the bound.
      for (let attempt = 1; ; attempt++) {
        const input = await wb.openPalette();
        try {
          await input.fill(`>${title}`, { timeout: 3_000 });
          break;
        } catch (err) {
          if (attempt === 3) throw err;
          await page.keyboard.press('Escape').catch(() => {});
          await wb.focusWorkbench();
        }
      }
      const row = quickInput.locator('.monaco-list-row', { hasText: title }).first();
      try {
        await row.waitFor({ state: 'visible', timeout });
      } catch {
        const rows = await quickInput.locator('.monaco-list-row').allInnerTexts();
        await page.keyboard.press('Escape');
        throw new Error(`command "${title}" is not in the palette; it shows: ${JSON.stringify(rows)}`);
      }
      await row.click();
      // The palette either closes or turns into a QuickPick the command opened: wait for our text to go.
      await page.waitForFunction(
        (typed) => {
          const w = document.querySelector('.quick-input-widget');
          const i = w && w.querySelector('.quick-input-box input');
          return !w || w.style.display === 'none' || !i || i.value !== typed;
        },
        `>${title}`,
        { timeout: 10_000 },
      );
    },

    /** Rows of an open QuickPick (waits for at least one). */
    async quickPickRows(timeout = 15_000) {
      const rows = quickInput.locator('.monaco-list-row');
      await rows.first().waitFor({ state: 'visible', timeout });
      return rows;
    },

    notification(text) {
      return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    },

    /** All visible notification toasts' texts. */
    async notificationTexts() {
      return page.locator('.notifications-toasts .notification-toast').allInnerTexts();
    },

    activityBarItem(title) {
      return page
        .locator(`.activitybar .action-item:has(a[aria-label^="${title}"]), .activitybar .action-item[aria-label^="${title}"]`)
        .first();
    },

    /** Opens a view container from the activity bar (does not toggle it closed when already open). */
    async openContainer(title) {
      const item = wb.activityBarItem(title);
      await item.waitFor({ timeout: 60_000 });
      const checked = await item.evaluate((el) => el.classList.contains('checked') || el.getAttribute('aria-expanded') === 'true'
        || !!el.querySelector('[aria-expanded="true"], [aria-checked="true"]') || el.getAttribute('aria-checked') === 'true');
      if (!checked) await item.click();
      return item;
    },

    /** The pane of a view in the side bar, by its title ("Profiles"). */
    view(title) {
      const pane = page.locator('.sidebar .pane').filter({
        has: page.locator('.pane-header .title', { hasText: new RegExp(`^${title}$`, 'i') }),
      });
      return {
        pane,
        header: pane.locator('.pane-header'),
        rows: pane.locator('.pane-body .monaco-list-row'),
        row: (text) => pane.locator('.pane-body .monaco-list-row', { hasText: text }).first(),
        /** Label and description of each visible tree row (innerText runs the two together). */
        items: () =>
          pane.locator('.pane-body .monaco-list-row').evaluateAll((rows) =>
            rows.map((r) => ({
              label: r.querySelector('.label-name')?.textContent?.trim() ?? '',
              description: r.querySelector('.label-description')?.textContent?.trim() ?? '',
              ariaLabel: r.getAttribute('aria-label') ?? '',
              /** Depth in the tree, 1 at the top. */
              level: Number(r.getAttribute('aria-level') ?? 1),
            })),
          ),
        async expand() {
          const header = pane.locator('.pane-header');
          await header.waitFor({ timeout: 30_000 });
          if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
        },
      };
    },

    /** The content frame of the last opened webview (outer iframe hosts the service worker). */
    webviewFrame() {
      return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    },

    /** Opens the Problems panel and returns its marker rows. */
    async problems() {
      await wb.runCommand('View: Focus Problems');
      const panel = page.locator('.markers-panel');
      await panel.waitFor({ state: 'visible', timeout: 15_000 });
      return panel.locator('.monaco-list-row');
    },
  };
  return wb;
}

/**
 * Waits until `fn` stops throwing (an assertion over the UI that may take a moment to settle).
 * Rethrows the last error after `timeout`.
 */
export async function eventually(fn, { timeout = 15_000, interval = 250 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(interval);
    }
  }
}
