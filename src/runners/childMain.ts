/**
 * The child process of src/runners/childRunner.ts (`dist/runner-child.js`): runs one profile's
 * runner, sends its events and its outcome to the parent, and exits. A cancel from the parent,
 * or the parent going away, cancels the run, which cleans up (keys, queues, connections) as it
 * does in-process before the process exits.
 */
import type { FromChild, ToChild } from './childRunner';
import { startRunner } from './registry';
import { RunnerError, type RunHandle } from './types';

let run: RunHandle | undefined;

function send(msg: FromChild): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(msg, undefined, {}, () => resolve());
  });
}

process.on('message', (raw) => {
  const msg = raw as ToChild;
  if (msg.type === 'cancel') {
    run?.cancel();
    return;
  }
  if (run) return;
  run = startRunner(msg.profile, msg.ctx);
  for (const name of ['progress', 'sample', 'log'] as const) {
    run.on(name, (...args: unknown[]) => void send({ type: 'event', name, args }));
  }
  // The runner has cleaned up when its result settles: tell the parent, then go (a client's
  // lingering timer must not keep the process alive).
  run.result.then(
    (outcome) => send({ type: 'outcome', outcome }),
    (err: Error) => send({ type: 'error', message: err.message, runnerError: err instanceof RunnerError, ...(err instanceof RunnerError ? { code: err.code } : {}) }),
  ).finally(() => process.exit(0));
});

// The parent went away (the editor closed): stop the run; it removes what it made before exiting.
process.on('disconnect', () => run?.cancel());
