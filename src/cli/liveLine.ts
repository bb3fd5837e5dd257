/**
 * The live status of a run on the terminal: one line redrawn in place on a TTY (phase,
 * elapsed/total, a progress bar, rps, p99, errors), otherwise a plain line every few seconds.
 */
import type { LiveSample, RunHandle, RunProgress } from '../runners/types';

const PLAIN_EVERY_MS = 5_000;
const BAR = 20;

export function attachLiveLine(handle: RunHandle, write: (text: string) => void, isTTY: boolean): { stop(): void } {
  let progress: RunProgress | undefined;
  let sample: LiveSample | undefined;
  let lastPlain = 0;

  const render = (): string => {
    const parts: string[] = [];
    if (progress) {
      const filled = Math.round(Math.min(1, progress.fraction) * BAR);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${String(Math.round(progress.fraction * 100)).padStart(3)}%`;
      const time = progress.totalMs ? `${secs(progress.elapsedMs)}/${secs(progress.totalMs)}` : secs(progress.elapsedMs);
      parts.push(isTTY ? bar : `${Math.round(progress.fraction * 100)}%`, progress.phase ?? '', time);
    }
    if (sample) {
      parts.push(`${Math.round(sample.rps).toLocaleString('en-US')}/s`, `p99 ${sample.p99.toFixed(sample.p99 < 10 ? 2 : 1)} ms`, `errors ${sample.errors}`, `total ${sample.total.toLocaleString('en-US')}`);
    }
    return parts.filter(Boolean).join('  ');
  };

  const draw = () => {
    if (isTTY) {
      write(`\r\x1b[2K${render()}`);
    } else if (Date.now() - lastPlain >= PLAIN_EVERY_MS) {
      lastPlain = Date.now();
      write(`${render()}\n`);
    }
  };
  const onProgress = (p: RunProgress) => {
    progress = p;
    draw();
  };
  const onSample = (s: LiveSample) => {
    sample = s;
    draw();
  };
  const onLog = (log: { level: string; message: string }) => {
    if (isTTY) write('\r\x1b[2K');
    write(`${log.level === 'info' ? '' : `${log.level}: `}${log.message}\n`);
    if (isTTY && (progress || sample)) write(render());
  };
  handle.on('progress', onProgress);
  handle.on('sample', onSample);
  handle.on('log', onLog);
  lastPlain = Date.now() - PLAIN_EVERY_MS + 1_000; // first plain line after a second
  return {
    stop() {
      handle.off('progress', onProgress);
      handle.off('sample', onSample);
      handle.off('log', onLog);
      if (isTTY && (progress || sample)) write('\r\x1b[2K');
    },
  };
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}
