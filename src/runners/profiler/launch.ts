/**
 * Launch mode: `perflab profile cpu -- node app.js` starts the command with its inspector on a
 * free port (`--inspect-brk=127.0.0.1:0` for a `node` command, so the capture starts before the
 * first line; `NODE_OPTIONS=--inspect=127.0.0.1:0` for anything else, e.g. `npm run dev`) and reads
 * the port from the "Debugger listening on ws://..." line on its stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { onLines, terminate, whenExited } from '../process';
import type { InspectorAddress } from './endpoint';
import { ProfilerError } from './types';

export interface LaunchOptions {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * For a `node` command: hold the program before its first line until the session calls
   * `Runtime.runIfWaitingForDebugger`. Default true.
   */
  breakOnStart?: boolean;
  /** The program's output lines, without the inspector's own messages. */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** How long to wait for the inspector to announce itself. Default 15 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface LaunchedProcess {
  child: ChildProcess;
  pid: number;
  address: InspectorAddress;
  /** The program waits for `Runtime.runIfWaitingForDebugger` before its first line. */
  waitingForDebugger: boolean;
  /** Exit code (null after a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, SIGKILL after 3 s. Idempotent. */
  stop(): Promise<void>;
}

const LISTENING = /Debugger listening on (wss?:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/\S*)/;
const INSPECTOR_NOISE = /^(Debugger listening on |For help, see: https:\/\/nodejs\.org\/|Debugger attached\.|Debugger ending on |Waiting for the debugger to disconnect\.\.\.)/;
/** With NODE_OPTIONS every node process of the command announces; the last one is the program. */
const SETTLE_MS = 1_000;
const KILL_AFTER_MS = 3_000;

export function isNodeCommand(command: string): boolean {
  if (command === process.execPath) return true;
  const name = path.basename(command).toLowerCase();
  return name === 'node' || name === 'node.exe' || name === 'nodejs';
}

export async function launchWithInspector(opts: LaunchOptions): Promise<LaunchedProcess> {
  const direct = isNodeCommand(opts.command);
  const brk = direct && (opts.breakOnStart ?? true);
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  const args = [...opts.args];
  if (direct) args.unshift(brk ? '--inspect-brk=127.0.0.1:0' : '--inspect=127.0.0.1:0');
  else env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`.trim();

  // Its own process group (POSIX): `npm run dev` is npm → sh → node, and stopping the command
  // must stop all of them; a terminal's Ctrl-C then reaches PerfLab alone, which stops the capture
  // cleanly and then the program.
  const group = process.platform !== 'win32';
  const child = spawn(opts.command, args, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
  const exited = whenExited(child);
  if (group && child.pid !== undefined) trackGroup(child.pid, exited);
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= group ? terminateGroup(child, exited) : terminate(child, exited, KILL_AFTER_MS));

  const announced: InspectorAddress[] = [];
  let onAnnounce: (() => void) | undefined;
  const stderrTail: string[] = [];
  onLines(child.stdout!, (line) => opts.onOutput?.(line, 'stdout'));
  onLines(child.stderr!, (line) => {
    const m = LISTENING.exec(line);
    if (m) {
      announced.push({ host: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) });
      onAnnounce?.();
    }
    if (INSPECTOR_NOISE.test(line)) return;
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    opts.onOutput?.(line, 'stderr');
  });

  const timeoutMs = opts.timeoutMs ?? 15_000;
  const commandLine = [opts.command, ...opts.args].join(' ');
  try {
    const address = await new Promise<InspectorAddress>((resolve, reject) => {
      let settle: NodeJS.Timeout | undefined;
      const deadline = setTimeout(() => finish(new ProfilerError(`${commandLine} did not open its inspector within ${timeoutMs} ms${direct ? '' : ' (is it a Node program? NODE_OPTIONS must reach a node process)'}`, 'timeout')), timeoutMs);
      const onAbort = () => finish(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('cancelled'));
      const finish = (result: InspectorAddress | Error) => {
        clearTimeout(deadline);
        clearTimeout(settle);
        onAnnounce = undefined;
        opts.signal?.removeEventListener('abort', onAbort);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.once('error', (err) => finish(new ProfilerError(`could not start ${opts.command}: ${err.message}`, 'unreachable')));
      void exited.then((code) => {
        const tail = stderrTail.join('\n').trim();
        finish(new ProfilerError(`${commandLine} exited with code ${code} before its inspector could be attached${tail ? `\n${tail}` : ''}`, 'target-exit'));
      });
      onAnnounce = () => {
        if (direct) return finish(announced[0]!);
        clearTimeout(settle);
        settle = setTimeout(() => finish(announced[announced.length - 1]!), SETTLE_MS);
      };
    });
    return { child, pid: child.pid!, address, waitingForDebugger: brk, exited, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** SIGTERM to the whole group, SIGKILL after a grace period; resolves once the command has exited. */
async function terminateGroup(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.pid === undefined) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // the group is gone
    }
  };
  const running = child.exitCode === null && child.signalCode === null;
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), KILL_AFTER_MS);
  if (running) await exited;
  clearTimeout(timer);
  // Stragglers of the group (a grandchild that ignored SIGTERM) do not outlive the command.
  signal('SIGKILL');
}

// Groups still running when PerfLab itself exits are killed with it.
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number, exited: Promise<unknown>): void {
  liveGroups.add(pid);
  void exited.then(() => liveGroups.delete(pid));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const g of liveGroups) {
      try {
        process.kill(-g, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

