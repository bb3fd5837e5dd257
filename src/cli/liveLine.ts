/**
 * The one live status line of every CLI command, on stderr: redrawn in place on a terminal,
 * otherwise written as a plain line every few seconds (and whenever its text says something new
 * that the caller marks as news). `perflab run` shows a run's phase, elapsed/total, a progress
 * bar, rate, p99 and errors ({@link attachRunLine}); `perflab profile` and `perflab analyze` show
 * what they are doing and how far along they are.
 */
import { elapsedText, liveText, percentDone } from '../core/report/live';
import type { LiveSample, RunHandle, RunProgress } from '../runners/types';
import type { CliIO } from './exit';

const PLAIN_EVERY_MS = 5_000;

export class LiveLine {
  private shown = false;
  // The first plain line after a second, then one every PLAIN_EVERY_MS.
  private lastPlain = Date.now() - PLAIN_EVERY_MS + 1_000;
  private text = '';

  constructor(private readonly io: Pick<CliIO, 'err' | 'writeErr' | 'isTTY'>) {}

  private get inPlace(): boolean {
    return this.io.isTTY && this.io.writeErr !== undefined;
  }

  /** Shows `text`; `news` writes a plain line now rather than at the next interval. */
  show(text: string, news = false): void {
    this.text = text;
    if (this.inPlace) {
      this.io.writeErr!(`\r\x1b[2K${text}`);
      this.shown = true;
    } else if (news || Date.now() - this.lastPlain >= PLAIN_EVERY_MS) {
      this.lastPlain = Date.now();
      this.io.err(text);
    }
  }

  /** A message of its own line, above the live line (which is drawn again after it). */
  log(level: 'info' | 'warn' | 'error', message: string): void {
    const shown = this.shown;
    this.clear();
    this.io.err(level === 'info' ? message : `${level}: ${message}`);
    if (shown) this.show(this.text);
  }

  clear(): void {
    if (this.shown) this.io.writeErr?.('\r\x1b[2K');
    this.shown = false;
  }

  /** `what  42%  1.2 s/10.0 s  message`: a step of a command, how far along it is. */
  progress(what: string, fraction: number, elapsedMs: number, totalMs?: number, message?: string): void {
    const pct = totalMs || fraction > 0 ? ` ${percentDone(fraction)}` : '';
    this.show(`${what}${pct}  ${elapsedText(elapsedMs, totalMs)}${message ? `  ${message}` : ''}`);
  }
}

/** A run's progress, live figures and log messages on `line`, until `stop()`. */
export function attachRunLine(handle: RunHandle, line: LiveLine, isTTY: boolean, label = ''): { stop(): void } {
  let progress: RunProgress | undefined;
  let sample: LiveSample | undefined;

  const render = () => `${label}${liveText(progress, sample, { bar: isTTY })}`;
  const onProgress = (p: RunProgress) => {
    progress = p;
    line.show(render());
  };
  const onSample = (s: LiveSample) => {
    sample = s;
    line.show(render());
  };
  const onLog = (log: { level: 'info' | 'warn' | 'error'; message: string }) => line.log(log.level, log.message);
  handle.on('progress', onProgress);
  handle.on('sample', onSample);
  handle.on('log', onLog);
  return {
    stop() {
      handle.off('progress', onProgress);
      handle.off('sample', onSample);
      handle.off('log', onLog);
      line.clear();
    },
  };
}
