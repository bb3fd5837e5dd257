/**
 * The page side of the host ↔ webview protocol: typed `post`, validated `onMessage`, typed UI
 * state. Unknown messages are reported to the host as `log` messages, never dropped silently.
 */
import { isToWebview, type FromWebview, type RequestMethod, type RequestParams, type RequestResult, type ToWebview } from '../../src/protocol';

/** What VS Code injects as `acquireVsCodeApi()`; it may be called once per page. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;
let readySent = false;

function vscode(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
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
