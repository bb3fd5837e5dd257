/**
 * Messages between the extension host and the webviews. Both sides import this file; it imports
 * neither `vscode` nor the DOM. The webview sends `ready` once its script runs; the host sends
 * data only after that, never by pasting it into the HTML.
 */
import type { KindDescription } from './core/kindDescription';
import type { RunRecord } from './core/runRecord';

/** Host → webview. */
export type ToWebview =
  /** The run to show; sent in reply to `ready` and again when the record changes on disk. */
  | { type: 'run'; record: RunRecord; runDir: string; kind: KindDescription }
  /** The run could not be read; the page shows the message instead of stale data. */
  | { type: 'error'; message: string };

/** Webview → host. */
export type FromWebview =
  | { type: 'ready' }
  /** Open a file of the run (an artifact or run.json) in the editor. */
  | { type: 'openFile'; file: string }
  /** Something in the page went wrong; the host logs it to the PerfLab output channel. */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export function isFromWebview(value: unknown): value is FromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; file?: unknown; level?: unknown; message?: unknown };
  switch (m.type) {
    case 'ready':
      return true;
    case 'openFile':
      return typeof m.file === 'string';
    case 'log':
      return typeof m.message === 'string' && (m.level === 'info' || m.level === 'warn' || m.level === 'error');
    default:
      return false;
  }
}

export function isToWebview(value: unknown): value is ToWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; record?: unknown; message?: unknown };
  if (m.type === 'run') return typeof m.record === 'object' && m.record !== null;
  if (m.type === 'error') return typeof m.message === 'string';
  return false;
}
