// `perflab analyze` in its own process, as a user runs it, with its peak memory measured.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CLI } from './cli';

const PEAK_RSS = path.resolve('test/helpers/peak-rss.cjs');

/**
 * The memory `perflab analyze` may take, as the README states it: peak RSS of the whole process
 * (worker thread included) at most this base plus this multiple of the file's size.
 */
export const MEMORY_BOUND = { baseBytes: 256 << 20, perFileByte: 24 } as const;

export function memoryLimit(fileBytes: number): number {
  return MEMORY_BOUND.baseBytes + MEMORY_BOUND.perFileByte * fileBytes;
}

export interface AnalyzeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  /** Peak resident set size in bytes (0 when the process did not get to write it). */
  peakRss: number;
  /** True when it was killed for running past `timeoutMs`. */
  timedOut: boolean;
}

/** Runs `perflab analyze <file> ...args`; kills it after `timeoutMs` (a hang bound, not a speed check). */
export function analyzeInChild(file: string, args: string[] = [], timeoutMs = 60_000): Promise<AnalyzeRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'perflab-rss-'));
  const rssFile = path.join(dir, 'rss');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', PEAK_RSS, CLI, 'analyze', file, ...args], {
      env: { ...process.env, PERFLAB_PEAK_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let peakRss = 0;
      try {
        peakRss = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        // killed before exit
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, out, err, peakRss, timedOut });
    });
  });
}
