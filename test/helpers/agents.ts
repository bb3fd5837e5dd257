/**
 * Load agents (`perflab agent`, the built CLI) for the distributed tests, each its own process,
 * optionally in a network namespace of its own; and the namespaces themselves (root only).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Redis } from 'ioredis';
import { terminate, whenExited } from '../../src/runners/process';

export const CLI = path.resolve('dist/cli.js');

export interface AgentProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Everything it wrote to stderr so far. */
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface AgentStart {
  redis: string;
  name: string;
  allowHosts?: string[];
  capacity?: number;
  netns?: string;
  env?: Record<string, string>;
}

/** Starts an agent; resolves once it says it is ready (waiting for runs). */
export async function startAgent(o: AgentStart): Promise<AgentProcess> {
  const argv = [
    ...(o.netns ? ['ip', 'netns', 'exec', o.netns] : []),
    process.execPath, CLI, 'agent', '--redis', o.redis, '--name', o.name,
    ...(o.allowHosts?.length ? ['--allow-hosts', o.allowHosts.join(',')] : []),
    ...(o.capacity !== undefined ? ['--capacity', String(o.capacity)] : []),
  ];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...o.env } });
  const exited = whenExited(child);
  let text = '';
  child.stderr!.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent ${o.name} was not ready within 15 s:\n${text}`)), 15_000);
    const check = () => {
      if (/ready on /.test(text)) {
        clearTimeout(timer);
        child.stderr!.off('data', check);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agent ${o.name} exited with ${code}:\n${text}`));
    });
  });
  return { name: o.name, child, pid: child.pid!, output: () => text, exited, stop: () => terminate(child, exited, 5_000) };
}

/** Why network namespaces cannot be used here, or undefined when they can (root, `ip netns` works). */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return '`ip netns` is not available (iproute2 missing, or no permission to use it)';
  }
  return undefined;
}

/** Runs `ip …` and throws with its output when it fails. */
export function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Runs `ip …` and ignores a failure (cleanup of what may not exist). */
export function ipQuiet(...args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: 'ignore' });
  } catch {
    // not there
  }
}

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/** `perflab <args>` in `cwd` as its own process; `onErr` sees stderr as it comes (the live line, the logs). */
export function perflabAsync(cwd: string, args: string[], env: Record<string, string> = {}, onErr?: (text: string) => void): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    onErr?.(err);
  });
  const done = whenExited(child).then((code) => ({ code, out, err }));
  return { child, done };
}

/** Every key on the server (SCAN, never KEYS), sorted. */
export async function allKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}
