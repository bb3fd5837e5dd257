/**
 * The page side of the host ↔ webview protocol: typed `post`, validated `onMessage`, typed UI
 * state. Unknown messages are reported to the host as `log` messages, never dropped silently.
 */
import { isToWebview, type FromWebview, type ToWebview } from '../../src/protocol';

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

/**
 * Routes valid host messages to `handler` and then, once, tells the host the page is `ready`
 * (the host sends data only after that). Returns a function that detaches the listener.
 */
export function onMessage(handler: (message: ToWebview) => void): () => void {
  const listener = (event: MessageEvent<unknown>): void => {
    const data = event.data;
    if (!isToWebview(data)) {
      log('warn', `Unknown message from the host: ${describe(data)}`);
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
