// The built `perflab` CLI run as a user runs it, in a folder of the test's own.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const CLI = path.resolve('dist/cli.js');

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/** A CLI process still running. */
export interface RunningCli {
  /** Its stderr so far. */
  err(): string;
  /** Sends it a signal (SIGINT: Ctrl-C). */
  kill(signal: NodeJS.Signals): void;
  result: Promise<CliResult>;
}

/** A scratch folder for one test, with the CLI run in it. */
export interface CliFolder {
  dir: string;
  /** Writes a file in the folder (text as is, or anything else as JSON). */
  write(name: string, content: string | Buffer | object): string;
  run(...args: string[]): CliResult;
  /** Like `run`, without blocking the test's event loop. */
  runAsync(...args: string[]): Promise<CliResult>;
  /** Starts the CLI and returns at once: its output so far, and its result once it exits. */
  start(...args: string[]): RunningCli;
  remove(): void;
}

export function cliFolder(prefix = 'perflab-cli-'): CliFolder {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    write(name, content) {
      const file = path.join(dir, name);
      writeFileSync(file, typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content, null, 2));
      return file;
    },
    run(...args) {
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    },
    runAsync(...args) {
      return new Promise((resolve) => {
        execFile(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 }, (err, out, errText) => {
          const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
          resolve({ code, out, err: errText });
        });
      });
    },
    start(...args) {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
      child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
      // A CLI that hangs is killed; a capacity search may run for minutes.
      const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
      const result = new Promise<CliResult>((resolve) => {
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve({ code, out, err });
        });
      });
      return { err: () => err, kill: (signal) => child.kill(signal), result };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A stack trace line, which must never reach the user for bad input. */
export const STACK_LINE = /^\s+at .+[:(]/m;
