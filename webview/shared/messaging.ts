/**
 * The page side of the host ↔ webview protocol: typed `post`, validated `onMessage`, typed UI
 * state. Unknown messages are reported to the host as `log` messages, never dropped silently.
 *
 * A page exported as one HTML file (`perflab report --html`) has no VS Code: its data is embedded
 * as `<script type="application/json" id="perflab-data">` (read as text, never run), the
 * messages the editor would send are delivered from it, and requests are answered in the page
 * by the handlers the page gives {@link serveLocally} (the same model code as the editor's).
 */
import { isToWebview, type FromWebview, type RequestMethod, type RequestParams, type RequestResult, type ToWebview } from '../../src/protocol';

/** What VS Code injects as `acquireVsCodeApi()`; it may be called once per page. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

let api: VsCodeApi | undefined;
let readySent = false;

function vscode(): VsCodeApi {
  api ??= typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : standaloneApi();
  return api;
}

/** What an exported page embeds: the messages the editor would send, and what its requests are answered from. */
export interface EmbeddedData {
  messages: ToWebview[];
  [part: string]: unknown;
}

type LocalHandlers = { [M in RequestMethod]?: (params: RequestParams<M>) => RequestResult<M> };
let localHandlers: ((data: EmbeddedData) => LocalHandlers) | undefined;

/** In an exported page, answers the page's requests with these handlers over the embedded data. */
export function serveLocally(handlers: (data: EmbeddedData) => LocalHandlers): void {
  localHandlers = handlers;
}

function embeddedData(): EmbeddedData {
  const el = document.getElementById('perflab-data');
  if (!el || el.getAttribute('type') !== 'application/json') throw new Error('this page runs neither in VS Code nor as an exported PerfLab report');
  return JSON.parse(el.textContent ?? '') as EmbeddedData;
}

/** The VS Code API of an exported page: state kept in memory, messages answered from the embedded data. */
function standaloneApi(): VsCodeApi {
  const data = embeddedData();
  let handlers: LocalHandlers | undefined;
  let state: unknown;
  const deliver = (message: ToWebview) => window.postMessage(message, '*');
  return {
    postMessage(message: unknown) {
      const m = message as FromWebview;
      if (m.type === 'ready') {
        for (const msg of data.messages) deliver(msg);
      } else if (m.type === 'request') {
        handlers ??= localHandlers?.(data) ?? {};
        const handler = handlers[m.method] as ((params: unknown) => unknown) | undefined;
        try {
          if (!handler) throw new Error(`this exported page cannot answer "${m.method}"`);
          deliver({ type: 'reply', id: m.id, ok: true, result: handler(m.params) ?? null });
        } catch (err) {
          deliver({ type: 'reply', id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) });
        }
      } else if (m.type === 'log' && m.level === 'error') {
        console.error(m.message);
      }
    },
    getState: () => state,
    setState: <T>(next: T): T => (state = next) as T,
  };
}

/** False in a page exported as one HTML file, where nothing answers what only the editor can do (open another run). */
export function inEditor(): boolean {
  return typeof acquireVsCodeApi === 'function';
}

export function post(message: FromWebview): void {
  vscode().postMessage(message);
}

/** Sends a line to the PerfLab output channel. */
export function log(level: 'info' | 'warn' | 'error', message: string): void {
  post({ type: 'log', level, message });
}

/** How long a request waits for the host's reply before it fails. */
const REPLY_TIMEOUT_MS = 30_000;
let nextId = 1;
const pending = new Map<number, { resolve(result: unknown): void; reject(err: Error): void }>();

/**
 * Asks the host; resolves with its result, rejects with its error (a sentence to show) or when
 * no reply comes within 30 s.
 */
export function request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`the editor did not answer "${method}" within ${REPLY_TIMEOUT_MS / 1000} s`));
    }, REPLY_TIMEOUT_MS);
    pending.set(id, {
      resolve: (result) => {
        clearTimeout(timer);
        resolve(result as RequestResult<M>);
      },
      reject: (err) => {
        clearTimeout(timer);
        reject(err);
      },
    });
    post({ type: 'request', id, method, params });
  });
}

/**
 * Routes valid host messages to `handler` (replies go to their `request`) and then, once, tells the host the page is `ready`
 * (the host sends data only after that). Returns a function that detaches the listener.
 */
export function onMessage(handler: (message: ToWebview) => void): () => void {
  const listener = (event: MessageEvent<unknown>): void => {
    const data = event.data;
    if (!isToWebview(data)) {
      log('warn', `Unknown message from the host: ${describe(data)}`);
      return;
    }
    if (data.type === 'reply') {
      const waiting = pending.get(data.id);
      pending.delete(data.id);
      if (!waiting) log('warn', `A reply to no request: ${data.id}`);
      else if (data.ok) waiting.resolve(data.result);
      else waiting.reject(new Error(data.error));
      return;
    }
    try {
      handler(data);
    } catch (err) {
      log('error', `Handling the "${data.type}" message failed: ${errorText(err)}`);
    }
  };
  window.addEventListener('message', listener);
  if (!readySent) {
    readySent = true;
    post({ type: 'ready' });
  }
  return () => window.removeEventListener('message', listener);
}

/** Forwards uncaught errors of the page to the host, where someone can see them. */
export function forwardUncaughtErrors(): void {
  window.addEventListener('error', (event) => log('error', `Uncaught error: ${errorText(event.error ?? event.message)}`));
  window.addEventListener('unhandledrejection', (event) => log('error', `Unhandled rejection: ${errorText(event.reason)}`));
}

/**
 * The state VS Code keeps while the panel is hidden, if it has the expected shape (it may come
 * from an older version of the page).
 */
export function getState<S>(isState: (value: unknown) => value is S): S | undefined {
  const state = vscode().getState();
  return isState(state) ? state : undefined;
}

export function setState<S>(state: S): void {
  vscode().setState(state);
}

function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
