/**
 * A live run in one line of text, as the CLI's status line and the editor's progress
 * notification show it: how far (a bar on a terminal), the phase, elapsed/total, then the last
 * second's rate, p99 and errors and the total so far.
 */
import { formatCount, formatDuration, formatMs, formatRate } from '../format';

/** What a run emits as it goes (src/runners/types.ts RunProgress and LiveSample, the fields read here). */
export interface LiveProgress {
  fraction: number;
  elapsedMs: number;
  totalMs?: number;
  phase?: string;
}
export interface LiveFigures {
  rps: number;
  p99: number;
  errors: number;
  total: number;
}

const BAR = 20;

/** `  7%`: how far along, padded so the line does not jump. */
export const percentDone = (fraction: number) => `${String(Math.round(fraction * 100)).padStart(3)}%`;

/** `1.2 s/10.0 s`, or `1.2 s` without a planned total. */
export const elapsedText = (elapsedMs: number, totalMs?: number) => (totalMs ? `${formatDuration(elapsedMs)}/${formatDuration(totalMs)}` : formatDuration(elapsedMs));

export function liveText(progress: LiveProgress | undefined, sample: LiveFigures | undefined, opts: { bar: boolean; rateUnit?: string }): string {
  const parts: string[] = [];
  if (progress) {
    const pct = percentDone(progress.fraction);
    const filled = Math.round(Math.min(1, progress.fraction) * BAR);
    parts.push(opts.bar ? `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${pct}` : pct.trim(), progress.phase ?? '', elapsedText(progress.elapsedMs, progress.totalMs));
  }
  if (sample) {
    parts.push(formatRate(sample.rps, opts.rateUnit), `p99 ${formatMs(sample.p99)}`, `errors ${formatCount(sample.errors)}`, `total ${formatCount(sample.total)}`);
  }
  return parts.filter(Boolean).join('  ');
}
