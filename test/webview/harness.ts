/**
 * The webview test tier: a built webview bundle in real Chromium, served the way VS Code serves
 * it — the exact HTML of `renderWebviewHtml` with its CSP (the server's origin stands in for
 * `webview.cspSource`) — with `acquireVsCodeApi` replaced by a recorder. Host messages arrive by
 * `window.postMessage`, as in VS Code.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { RunRecord } from '../../src/core/runRecord';
import { type FromWebview, isFromWebview } from '../../src/protocol';
import { answer, type RequestHandlers } from '../../src/views/requests';
import { themeCss } from '../../src/core/report/htmlTheme';
import { createNonce, renderWebviewHtml } from '../../src/views/webviewHtml';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const DIST = join(ROOT, 'dist', 'webview');
const HERE = join(ROOT, 'test', 'webview');
const SCREENSHOTS = join(ROOT, 'test-results', 'webview');
const CHROMIUM = '/usr/bin/chromium';

/** Fails early, with what to do, when the bundle under test was not built. */
export function assertBuilt(entry: string): void {
  for (const file of [`${entry}.js`, `${entry}.css`]) {
    if (!existsSync(join(DIST, file))) {
      throw new Error(`dist/webview/${file} is missing: run npm run build first`);
    }
  }
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function loadFixture(id: string): RunRecord {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'runs', id, 'run.json'), 'utf8')) as RunRecord;
}

export interface WebviewServer {
  origin: string;
  /** Requests answered with an error status, e.g. a stylesheet that does not exist. */
  failures: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Serves `/webview/<entry>.html[?theme=dark|hc]`, the bundles under `/dist/webview/` and test stylesheets. */
export async function startWebviewServer(): Promise<WebviewServer> {
  const failures: string[] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const fail = (status: number) => {
      failures.push(`${status} ${url.pathname}`);
      res.writeHead(status).end();
    };
    const page = /^\/webview\/([a-z-]+)\.html$/.exec(url.pathname);
    if (page) {
      const entry = page[1]!;
      const styleUris = [`${origin}/dist/webview/${entry}.css`];
      const theme = url.searchParams.get('theme');
      styleUris.push(`${origin}/test/webview/theme-${theme === 'dark' || theme === 'hc' ? theme : 'light'}.css`);
      const html = renderWebviewHtml({
        title: `PerfLab ${entry}`,
        cspSource: origin,
        nonce: createNonce(),
        scriptUri: `${origin}/dist/webview/${entry}.js`,
        styleUris,
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    // The light and dark themes are the exported page's (one table of VS Code's variables); high contrast is a file here.
    const theme = /^\/test\/webview\/theme-(light|dark)\.css$/.exec(url.pathname);
    if (theme) return void res.writeHead(200, { 'content-type': TYPES['.css']! }).end(themeCss(theme[1] as 'light' | 'dark'));
    // Chromium asks every origin for one; a webview never shows it.
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    const file = staticFile(url.pathname);
    if (!file) return fail(404);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    failures,
    close: () => new Promise<void>((resolveClose) => server.close(() => resolveClose())),
  };
}

/** Maps a URL path to a file under one of the two served folders, or nothing. */
function staticFile(pathname: string): string | undefined {
  const roots: Array<[prefix: string, dir: string]> = [
    ['/dist/webview/', DIST],
    ['/test/webview/', HERE],
  ];
  for (const [prefix, dir] of roots) {
    if (!pathname.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(pathname.slice(prefix.length))));
    if (!file.startsWith(dir + sep) || !existsSync(file)) return undefined;
    if (dir === HERE && extname(file) !== '.css') return undefined;
    return file;
  }
  return undefined;
}

/** What the stub and the page expose on `window` (read through `page.evaluate`). */
interface PageGlobals {
  __posted: FromWebview[];
  /** Set when the test answers the page's requests (OpenOptions.host). */
  __toHost?: (message: unknown) => void;
  __state: unknown;
  __cspViolations: string[];
  acquireVsCodeApi: () => unknown;
  postMessage(message: unknown, targetOrigin: string): void;
  document: { addEventListener(type: string, listener: (event: CspEvent) => void): void };
}

interface CspEvent {
  violatedDirective: string;
  blockedURI: string;
  sample: string;
}

/** Runs in the page before its own script: a VS Code API that records instead of sending. */
function vscodeApiStub([initialState, bodyClass]: [unknown, string | null]): void {
  const g = globalThis as unknown as PageGlobals;
  if (bodyClass) g.document.addEventListener('DOMContentLoaded', () => (globalThis as unknown as { document: { body: { classList: { add(c: string): void } } } }).document.body.classList.add(bodyClass));
  g.__posted = [];
  g.__state = initialState ?? undefined;
  g.__cspViolations = [];
  g.document.addEventListener('securitypolicyviolation', (e) => {
    g.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} ${e.sample}`);
  });
  let acquired = false;
  g.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      // Structured clone, like the real channel: nothing live crosses over.
      postMessage: (message: unknown) => {
        g.__posted.push(structuredClone(message) as FromWebview);
        g.__toHost?.(structuredClone(message));
      },
      getState: () => g.__state,
      setState: <T>(state: T): T => {
        g.__state = structuredClone(state);
        return state;
      },
    });
  };
}

export interface OpenOptions {
  entry: string;
  /** `hc`: High Contrast (dark), with VS Code's `vscode-high-contrast` class on <body>. */
  theme?: 'light' | 'dark' | 'hc';
  /** What `getState()` returns, as after the panel was hidden and shown again. */
  initialState?: unknown;
  /** Answers the page's requests as a panel does (src/views/requests.ts); without it they go unanswered. */
  host?: RequestHandlers;
}

export interface WebviewPage {
  page: Page;
  /** Messages the page posted to the host so far. */
  posted(): Promise<FromWebview[]>;
  /** The last state the page saved with `setState`. */
  state(): Promise<unknown>;
  /** Delivers a host message to the page. */
  send(message: unknown): Promise<void>;
  /** Console errors and warnings, uncaught errors, dialogs, CSP violations and failed requests. */
  problems(): Promise<string[]>;
  /** Saves a full-page screenshot to `test-results/webview/<name>.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Opens a webview page and waits for its `ready`. */
export async function openWebview(browser: Browser, server: WebviewServer, options: OpenOptions): Promise<WebviewPage> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, colorScheme: options.theme === 'hc' ? 'dark' : (options.theme ?? 'light') });
  const page = await context.newPage();
  const events: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') events.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => events.push(`pageerror: ${err.message}`));
  page.on('dialog', (dialog) => {
    events.push(`dialog: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('requestfailed', (req) => events.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
  await page.addInitScript(vscodeApiStub, [options.initialState ?? null, options.theme === 'hc' ? 'vscode-high-contrast' : null] as [unknown, string | null]);
  const handlers = options.host;
  if (handlers) {
    await page.exposeFunction('__toHost', async (message: unknown) => {
      if (!isFromWebview(message) || message.type !== 'request') return;
      const reply = await answer(message, handlers);
      await page.evaluate((m) => (globalThis as unknown as PageGlobals).postMessage(m, '*'), reply);
    });
  }

  const failuresBefore = server.failures.length;
  const query = options.theme && options.theme !== 'light' ? `?theme=${options.theme}` : '';
  await page.goto(`${server.origin}/webview/${options.entry}.html${query}`);
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__posted.some((m) => m.type === 'ready'));

  return {
    page,
    posted: () => page.evaluate(() => (globalThis as unknown as PageGlobals).__posted),
    state: () => page.evaluate(() => (globalThis as unknown as PageGlobals).__state),
    send: (message) => page.evaluate((m) => (globalThis as unknown as PageGlobals).postMessage(m, '*'), message),
    async problems() {
      const csp = await page.evaluate(() => (globalThis as unknown as PageGlobals).__cspViolations);
      return [...events, ...csp.map((v) => `csp: ${v}`), ...server.failures.slice(failuresBefore).map((f) => `http: ${f}`)];
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: () => context.close(),
  };
}

/**
 * Chromium and the page server for one test file, started once (after checking that `entries`
 * were built); every page a test opens is closed after it. Returns the way to open a page.
 */
export function useWebviewPages(...entries: string[]): (options: OpenOptions) => Promise<WebviewPage> {
  let browser: Browser | undefined;
  let server: WebviewServer | undefined;
  const open: WebviewPage[] = [];
  beforeAll(async () => {
    for (const entry of entries) assertBuilt(entry);
    server = await startWebviewServer();
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((v) => v.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return async (options) => {
    if (!browser || !server) throw new Error('useWebviewPages(): pages open only inside tests');
    const view = await openWebview(browser, server, options);
    open.push(view);
    return view;
  };
}
