/**
 * The key sweeper of a BullMQ run, in a process of its own (`dist/key-sweeper.js`, see
 * sweeperMain.ts). In-process, a sweep dies with PerfLab: keys BullMQ created since its last
 * tick would have no TTL after a crash, and nobody would remove the rest. The sweeper process
 * outlives PerfLab: while the run lasts it gives every key under the run's prefix a TTL (a SCAN
 * slice a second, off PerfLab's event loop), and when PerfLab goes away without saying `stop`
 * (killed, or quit at a second Ctrl-C) it waits for the run's connections to close and removes
 * the run's keys, as the run would have. It is a process group of its own, so a signal to
 * PerfLab's (Ctrl-C in a terminal) does not reach it.
 */
import { fork } from 'node:child_process';
import { findBundle } from '../bundles';
import { whenExited } from '../process';
import { RunnerError } from '../types';
import type { PrefixSweepOptions } from './sweeper';
import type { RedisTarget } from './target';

/** File name of the sweeper's bundle in `dist/` (an entry of esbuild.mjs). */
export const SWEEPER_BUNDLE = 'key-sweeper.js';

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** What the sweeper is told to do, once, right after it starts. The password travels here, never in argv or the environment. */
export interface SweeperStart extends PrefixSweepOptions {
  target: RedisTarget;
  /** Time between two ticks. */
  everyMs: number;
}

/** Messages from PerfLab to the sweeper. */
export type ToSweeper = ({ type: 'start' } & SweeperStart) | { type: 'stop' };

/** Messages from the sweeper: connected and sweeping, could not start, or a problem worth a warning. */
export type FromSweeper = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'warn'; message: string };

/** A running sweeper. */
export interface SweeperProcess {
  pid: number;
  /** Tells it to stop (the run has removed its keys itself) and waits until it has exited. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the sweeper and resolves once it is connected to the run's database and sweeping. */
export async function startSweeperProcess(start: SweeperStart, onWarn: (message: string) => void): Promise<SweeperProcess> {
  const bundle = findBundle(SWEEPER_BUNDLE);
  if (!bundle) throw new RunnerError(`the key sweeper (dist/${SWEEPER_BUNDLE}) is missing; run \`npm run build\``, 'internal');
  // No execArgv: an --inspect of PerfLab's own must not be inherited. The environment is (in the
  // editor it makes the extension host's binary run as Node).
  const child = fork(bundle, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [], detached: process.platform !== 'win32', serialization: 'json' });
  const exited = whenExited(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2_000);
  });
  const send = (m: ToSweeper) => child.connected && child.send(m);

  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new RunnerError(`the key sweeper did not start within ${READY_TIMEOUT_MS / 1000} s`, 'internal')), READY_TIMEOUT_MS);
      child.on('message', (m: FromSweeper) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'failed') reject(new RunnerError(m.message, 'redis'));
        else onWarn(m.message);
      });
      void exited.then((code) => reject(new RunnerError(`the key sweeper exited (code ${code}) before it started${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`, 'internal')));
      send({ type: 'start', ...start });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  } finally {
    clearTimeout(timer);
  }

  let stopping: Promise<void> | undefined;
  void exited.then((code) => {
    if (!stopping) onWarn(`the key sweeper stopped by itself (exit code ${code}); keys BullMQ creates from now on get no TTL, though the run still removes them at the end`);
  });
  return {
    pid: child.pid ?? -1,
    stop: () =>
      (stopping ??= (async () => {
        send({ type: 'stop' });
        const late = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(late);
      })()),
  };
}
