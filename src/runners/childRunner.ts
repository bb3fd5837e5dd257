/**
 * A kind's runner in a child process of its own. The editor runs the kinds whose load comes from
 * PerfLab's own process (Redis and BullMQ benchmarks: clients, producer and worker in one
 * process, see each kind's `ownLoad`) this way, so the extension host never carries their work
 * and stays responsive. The child (src/runners/childMain.ts, `dist/runner-child.js`) loads the
 * kind's runner, relays its events and its outcome over IPC, and stops when told to cancel or
 * when its parent goes away. The same profile, context and events as in-process: only where it
 * runs differs.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Profile } from '../core/config';
import { RunHandle, RunnerError, type RunnerContext, type RunnerEvents, type RunnerOutcome } from './types';

/** What the parent sends: the run to start (once), then maybe a cancel. */
export type ToChild =
  | { type: 'start'; profile: Profile; ctx: Omit<RunnerContext, 'signal'> }
  | { type: 'cancel' };

/** What the child sends: the runner's events, then its outcome or its error. */
export type FromChild =
  | { type: 'event'; name: keyof RunnerEvents; args: unknown[] }
  | { type: 'outcome'; outcome: RunnerOutcome }
  | { type: 'error'; message: string; code?: RunnerError['code']; runnerError: boolean };

/** The child's bundle: next to this one in dist/, or dist/ of the checkout when this runs from src/ (tests; built first). */
export function childEntry(): string {
  const beside = path.join(__dirname, 'runner-child.js');
  return existsSync(beside) ? beside : path.resolve(__dirname, '../../dist/runner-child.js');
}

/** Starts `profile`'s runner in a child process; the handle behaves as the in-process runner's does. */
export function startChildRunner(profile: Profile, ctx: RunnerContext, entry: string = childEntry()): RunHandle {
  return new RunHandle(
    (handle, signal) =>
      new Promise<RunnerOutcome>((resolve, reject) => {
        const env: NodeJS.ProcessEnv = { ...process.env };
        // Inside the editor, process.execPath may be Electron: make it behave as plain Node.
        if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
        // The run's secrets travel in the start message, never in the child's environment or argv.
        const child = fork(entry, [], { env, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        let settled = false;
        const settle = (fn: () => void) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          fn();
        };
        const onAbort = () => {
          if (child.connected) child.send({ type: 'cancel' } satisfies ToChild);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        child.on('message', (raw) => {
          const msg = raw as FromChild;
          if (msg.type === 'event') (handle.emit as (name: string, ...args: unknown[]) => boolean)(msg.name, ...msg.args);
          else if (msg.type === 'outcome') settle(() => resolve(msg.outcome));
          else settle(() => reject(msg.runnerError ? new RunnerError(msg.message, msg.code) : new Error(msg.message)));
        });
        child.on('error', (err) => settle(() => reject(new RunnerError(`the ${profile.type} runner process could not start: ${err.message}`, 'internal'))));
        child.on('exit', (code, sig) => {
          settle(() => reject(new RunnerError(`the ${profile.type} runner process ended before its run did (${sig ?? `exit code ${code}`})`, 'internal')));
        });
        const { signal: _signal, ...rest } = ctx;
        child.send({ type: 'start', profile, ctx: rest } satisfies ToChild);
        if (signal.aborted) onAbort();
      }),
    ctx.signal,
  );
}
