/**
 * The words the editor shows for a run in its trees and pickers, from the one formatting module
 * (core/format.ts). No `vscode` here, so the unit tier checks them next to the CLI's reports.
 */
import { formatAgo, formatDuration } from '../core/format';
import type { RunRecord } from '../core/runRecord';

/** `5 min ago · 1m 05s`: a run's row in the Runs tree and in the run pickers. */
export function runDescription(run: RunRecord, now?: number): string {
  return `${formatAgo(run.startedAt, now)} · ${formatDuration(run.durationMs)}`;
}
