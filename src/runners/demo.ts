/**
 * The demo stack (examples/demo-stack) with a private redis-server, so a first-time user has
 * something real to load test and profile without touching their own Redis: started by
 * `perflab demo` (src/cli/demoCommand.ts) and the editor's Start Demo Stack.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_DEMO_PORT, DEFAULT_DEMO_REDIS_PORT } from '../core/demoState';
import { onLines, terminate, whenExited } from './process';
import { portIsFree, startLocalRedis, type LocalRedis } from './redis/localServer';

/** A running demo server (and the redis-server it owns, if it started one). */
export interface DemoHandle {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000`. */
  url: string;
  redisUrl: string;
  /** Whether `redisUrl` is a private redis-server that `stop()` shuts down. */
  ownsRedis: boolean;
  /** Process id of the demo server. */
  pid: number;
  /** Process id of the private redis-server, when there is one. */
  redisPid?: number;
  /** What the user should know about where it listens, e.g. a preferred port that was taken. */
  notices: string[];
  /** Stops the server (SIGTERM, SIGKILL after 5 s), then the private redis-server. Idempotent. */
  stop(): Promise<void>;
  /** The server's exit code (null when a signal ended it). Call `stop()` afterwards all the same. */
  exited: Promise<number | null>;
}

/** A port to listen on: a number (0 picks a free one), or a preferred port with a free one as fallback. */
export type DemoPort = number | { prefer: number };

/** The ports `perflab demo` uses when none is given: the ones the starter config names. */
export const DEMO_DEFAULT_PORTS = {
  port: { prefer: DEFAULT_DEMO_PORT },
  redisPort: { prefer: DEFAULT_DEMO_REDIS_PORT },
} as const satisfies Pick<DemoOptions, 'port' | 'redisPort'>;

export interface DemoOptions {
  /** Use this Redis instead of starting a private redis-server. */
  redisUrl?: string;
  /** HTTP port. Default {@link DEFAULT_DEMO_PORT}. */
  port?: DemoPort;
  /** Port of the private redis-server (ignored with `redisUrl`). Default 0, any free port. */
  redisPort?: DemoPort;
  /** Extra environment for the server: `HOT=1`, `LEAK=1`, `KEY_PREFIX`, `WORKER_CONCURRENCY`... */
  env?: Record<string, string>;
  /** Node flags for the server process (e.g. `--cpu-prof`, which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
  /** Receives the server's log lines (its stderr, and stdout other than the listening line). */
  log?: (line: string) => void;
  /** Aborting during start cleans up and rejects; aborting later stops the demo. */
  signal?: AbortSignal;
  /** How long to wait for the server to listen. Default 30 s. */
  startTimeoutMs?: number;
}

const LISTENING_MARKER = 'PERFLAB_DEMO_LISTENING ';
const SERVER_SCRIPT = join('examples', 'demo-stack', 'server.js');
// The demo's libraries (ioredis, bullmq) bundled, because the packages ship no node_modules.
const DEPS_BUNDLE = join('dist', 'demo-deps.js');
const KILL_AFTER_MS = 5_000;
const STDERR_TAIL_LINES = 40;

/**
 * Path of the demo server script: the nearest `examples/demo-stack/server.js` above `from`.
 * Works from the bundles (`dist/cli.js`, `dist/extension.js`) and from the sources (`src/runners/demo.ts`).
 */
export function findDemoServer(from: string = __dirname): string {
  return findAbove(SERVER_SCRIPT, from, 'is the PerfLab package complete?');
}

function findAbove(relative: string, from: string, hint: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`${relative} was not found above ${from}; ${hint}`);
}

/** Starts the demo stack and resolves once it listens. */
export async function startDemo(opts: DemoOptions = {}): Promise<DemoHandle> {
  const script = findDemoServer();
  const deps = findAbove(DEPS_BUNDLE, __dirname, 'run `npm run build` first');
  opts.signal?.throwIfAborted();
  const wanted = { api: opts.port ?? DEFAULT_DEMO_PORT, redis: opts.redisPort ?? 0 };
  const port = await choosePort(wanted.api);
  const redisPort = opts.redisUrl ? 0 : await choosePort(wanted.redis);
  const redis = opts.redisUrl ? undefined : await startOwnRedis(redisPort, opts.signal);
  const redisUrl = opts.redisUrl ?? redis!.url;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    REDIS_URL: redisUrl,
    // examples/demo-stack/deps.js loads its libraries from here, never from the project around it.
    PERFLAB_DEMO_DEPS: deps,
    ...opts.env,
  };
  // Inside the editor, process.execPath is Electron: make it behave as plain Node.
  if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';

  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);

  const exited = whenExited(child);
  void exited.then(() => liveServers.delete(child));

  const stderrTail: string[] = [];
  let resolveListening!: (url: string) => void;
  const listening = new Promise<string>((resolve) => (resolveListening = resolve));
  onLines(child.stdout!, (line) => {
    if (line.startsWith(LISTENING_MARKER)) resolveListening(line.slice(LISTENING_MARKER.length).trim());
    else opts.log?.(line);
  });
  onLines(child.stderr!, (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
    opts.log?.(line);
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      opts.signal?.removeEventListener('abort', onAbort);
      await terminate(child, exited, KILL_AFTER_MS);
      await redis?.stop();
    })();
    return stopping;
  };
  const onAbort = () => void stop();

  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let rejectOnAbort: (() => void) | undefined;
  let url: string;
  try {
    url = await Promise.race([
      listening,
      new Promise<never>((_, reject) => child.once('error', reject)),
      exited.then((code): never => {
        throw new Error(`the demo server exited with code ${code} before listening`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the demo server did not listen within ${timeoutMs} ms`)), timeoutMs);
      }),
      new Promise<never>((_, reject) => {
        rejectOnAbort = () => reject(opts.signal?.reason);
        if (opts.signal?.aborted) rejectOnAbort();
        opts.signal?.addEventListener('abort', rejectOnAbort, { once: true });
      }),
    ]);
  } catch (err) {
    await stop();
    if (opts.signal?.aborted) throw opts.signal.reason;
    const message = err instanceof Error ? err.message : String(err);
    const tail = stderrTail.join('\n').trim();
    throw new Error(`${message} (${script})${tail ? `\n--- demo server output ---\n${tail}` : ''}`);
  } finally {
    clearTimeout(timer);
    if (rejectOnAbort) opts.signal?.removeEventListener('abort', rejectOnAbort);
  }

  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const notices: string[] = [];
  if (typeof wanted.api === 'object' && port === 0) notices.push(`port ${wanted.api.prefer} is in use, so the API listens on ${url} instead`);
  if (redis && typeof wanted.redis === 'object' && redisPort === 0) {
    notices.push(`port ${wanted.redis.prefer} is in use, so the demo's Redis listens on ${redis.url} instead`);
  }
  return { url, redisUrl, ownsRedis: redis !== undefined, pid: child.pid!, redisPid: redis?.pid, notices, stop, exited };
}

/**
 * The demo's own redis-server on `port` (0: any free one). The caller's signal only cancels its
 * start: once both run, the demo's `stop()` owns the order (server first, so it can close its
 * queue cleanly, then Redis).
 */
async function startOwnRedis(port: number, signal: AbortSignal | undefined): Promise<LocalRedis> {
  const start = new AbortController();
  const cancel = () => start.abort(signal?.reason);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await startLocalRedis({ port: port || undefined, signal: start.signal });
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

/** The port to listen on: a preferred port when it is free, else 0 (any free port). */
async function choosePort(port: DemoPort): Promise<number> {
  if (typeof port === 'number') return port;
  return (await portIsFree(port.prefer)) ? port.prefer : 0;
}



// Demo servers still running when this process exits are killed with it (their private
// redis-servers are handled by localServer's own hook).
const liveServers = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  liveServers.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const server of liveServers) {
      try {
        server.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}
