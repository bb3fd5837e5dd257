/**
 * `perflab demo` as a user starts it: a real CLI process in a folder, on free ports (never the
 * demo's default ports, which a developer's own demo may hold), up once its state file is written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEMO_STATE_FILE, type DemoState } from '../../src/core/demoState';
import { whenExited } from '../../src/runners/process';
import { waitUntil } from './redis';

/** A running `perflab demo` process. */
export interface DemoCli {
  child: ChildProcess;
  state: DemoState;
  /** Everything it printed so far. */
  output(): { out: string; err: string };
  /** Ctrl-C, as a user stops it; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs `command [...args] demo --port 0 --redis-port 0` in `cwd` and resolves once
 * `.perflab/demo.json` names it. `command` is the CLI to run (`node dist/cli.js`, or an installed
 * `node_modules/.bin/perflab`).
 */
export async function startDemoCli(command: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<DemoCli> {
  const [file, ...args] = command;
  const child = spawn(file!, [...args, 'demo', '--port', '0', '--redis-port', '0'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = whenExited(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  let code: number | null | undefined;
  void exited.then((c) => (code = c));

  const stateFile = path.join(cwd, DEMO_STATE_FILE);
  const readState = (): DemoState | undefined => {
    try {
      return JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState;
    } catch {
      return undefined;
    }
  };
  try {
    await waitUntil(() => {
      if (code !== undefined) throw new Error(`perflab demo exited with code ${code} before writing ${DEMO_STATE_FILE}:\n${err}`);
      return readState()?.pid === child.pid && out.includes('Ctrl-C');
    }, `perflab demo to write ${DEMO_STATE_FILE}`, 30_000);
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    throw e;
  }

  return {
    child,
    state: readState()!,
    output: () => ({ out, err }),
    stop: async () => {
      if (code === undefined) child.kill('SIGINT');
      return exited;
    },
  };
}

/** The environment without npm's own `npm_*` variables, for children of a test run under `npm test`. */
export function envWithoutNpm(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, ...extra };
}
