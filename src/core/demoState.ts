/**
 * Where the demo stack listens, shared by `perflab demo` (which writes it) and `perflab init` (which
 * reads it), so the starter config targets the running demo with no hand edit. The demo listens on
 * fixed default ports when they are free, so a config written once keeps working across restarts;
 * when a port is taken it falls back to a free one and this file says which.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { PerfLabConfig } from './config/types';
import { writeFileAtomic } from './runStore';

/** The demo API's default port, the one the starter config names when no demo is running. */
export const DEFAULT_DEMO_PORT = 3000;
/**
 * The default port of the demo's private redis-server: deliberately not 6379, where a developer's
 * own Redis usually runs, so a benchmark never lands there by default.
 */
export const DEFAULT_DEMO_REDIS_PORT = 6390;
export const DEFAULT_DEMO_URL = `http://127.0.0.1:${DEFAULT_DEMO_PORT}`;
export const DEFAULT_DEMO_REDIS_URL = `redis://127.0.0.1:${DEFAULT_DEMO_REDIS_PORT}`;

/** The state file, relative to the folder `perflab demo` runs in. */
export const DEMO_STATE_FILE = path.join('.perflab', 'demo.json');

/** What a running demo writes to {@link DEMO_STATE_FILE}. */
export interface DemoState {
  /** Process id of the `perflab demo` process (not of the server it started). */
  pid: number;
  /** Base URL of the API, e.g. `http://127.0.0.1:3000`. */
  url: string;
  redisUrl: string;
  /** Whether `redisUrl` is the demo's private redis-server (false with `--redis-url`). */
  ownsRedis: boolean;
  startedAt: string;
}

/** The state file's demo when it is still running; otherwise why the file was not used. */
export type DemoStateRead = { state: DemoState; ignored?: undefined } | { state?: undefined; ignored?: string };

/** Writes the state of a demo started from `dir`, atomically; returns the file's path. */
export async function writeDemoState(dir: string, state: DemoState): Promise<string> {
  const file = path.join(dir, DEMO_STATE_FILE);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n');
  return file;
}

/** Removes the state file if it still describes the demo of process `pid` (a newer demo may have replaced it). */
export async function removeDemoState(dir: string, pid: number): Promise<void> {
  const file = path.join(dir, DEMO_STATE_FILE);
  const read = await readDemoState(dir, () => true);
  if (read.state?.pid === pid) await fs.rm(file, { force: true });
}

/**
 * The demo started from `dir`, if its state file exists, is well formed and its process is alive.
 * A file left by a demo that was killed is ignored, with the reason in `ignored`.
 */
export async function readDemoState(dir: string, isAlive: (pid: number) => boolean = processIsAlive): Promise<DemoStateRead> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, DEMO_STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { ignored: `${DEMO_STATE_FILE} could not be read (${(err as Error).message})` };
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    return { ignored: `${DEMO_STATE_FILE} is not valid JSON` };
  }
  if (!isDemoState(state)) return { ignored: `${DEMO_STATE_FILE} is not a demo state file` };
  if (!isAlive(state.pid)) return { ignored: `${DEMO_STATE_FILE} is left over from a demo that is no longer running (pid ${state.pid})` };
  return { state };
}

function isDemoState(v: unknown): v is DemoState {
  const s = v as Partial<DemoState> | null;
  return (
    typeof s === 'object' && s !== null &&
    Number.isInteger(s.pid) && typeof s.url === 'string' && typeof s.redisUrl === 'string' &&
    typeof s.ownsRedis === 'boolean' && typeof s.startedAt === 'string'
  );
}

/** Signal 0 only checks that the process exists; EPERM means it exists under another user. */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Where a config does not point at a running demo: its targets or its Redis are other addresses
 * (an older config, or a default port that was taken this time). Empty when they agree.
 */
export function demoMismatch(config: Pick<PerfLabConfig, 'targets' | 'stack'>, demo: { url: string; redisUrl: string }): string[] {
  const wrong: string[] = [];
  const baseUrls = Object.values(config.targets).map((t) => t.baseUrl.replace(/\/+$/, ''));
  if (baseUrls.length && !baseUrls.includes(demo.url)) wrong.push(`its targets (${baseUrls.join(', ')}) are not ${demo.url}`);
  const redisUrl = config.stack.redis?.url;
  if (redisUrl && redisUrl.replace(/\/+$/, '') !== demo.redisUrl) wrong.push(`stack.redis.url (${redisUrl}) is not ${demo.redisUrl}`);
  return wrong;
}
