/**
 * A throwaway redis-server on loopback: for `perflab demo` and for integration tests, so neither
 * ever touches a Redis that holds someone's data. Nothing is persisted (no RDB, no AOF), the
 * working directory is a fresh temp dir, and the process dies with its parent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { terminate, whenExited } from '../process';

/** A running local redis-server. */
export interface LocalRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  pid: number;
  /** Its working directory: a temp dir removed by `stop()`, or the caller's `persistIn`. */
  dir: string;
  /** Stops the server, waits for it to exit and removes `dir`. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartLocalRedisOptions {
  /** Port to listen on; a free loopback port when omitted. */
  port?: number;
  /** Aborting during start kills the server and rejects; aborting later stops it. */
  signal?: AbortSignal;
  /** Path of the redis-server binary; searched on PATH and the usual places when omitted. */
  binary?: string;
  /** How long to wait for the server to answer. Default 10 s. */
  startTimeoutMs?: number;
  /**
   * Keep the data in this folder, with every write in an append-only file synced at once, so a
   * server started again on the folder (after a crash, say) comes back with it. The folder is
   * the caller's and stays after `stop()`. Without it: a fresh temp dir and nothing persisted.
   */
  persistIn?: string;
  /** Addresses to listen on besides loopback (tests of agents in other network namespaces); they must exist already. */
  alsoBind?: string[];
  /** Require this password (`requirepass`): how a Redis other machines reach is run. */
  password?: string;
}

export const REDIS_INSTALL_HINT =
  'redis-server was not found. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`, ' +
  'macOS: `brew install redis`) or put it on PATH.';

const HOST = '127.0.0.1';
const FALLBACK_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/opt/homebrew/bin'];
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 4_000;

/** Where to look for redis-server: PATH first, then the places packages install it. */
export function redisSearchDirs(pathEnv: string | undefined = process.env.PATH): string[] {
  const fromPath = (pathEnv ?? '').split(delimiter).filter((d) => d.length > 0);
  return [...new Set([...fromPath, ...FALLBACK_DIRS])];
}

/** The first executable `redis-server` in `dirs`, or undefined. */
export function findRedisServer(dirs: string[] = redisSearchDirs()): string | undefined {
  const name = process.platform === 'win32' ? 'redis-server.exe' : 'redis-server';
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A port nobody listens on right now (another process may still take it before we do). */
export function freePort(host = HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/** Whether `port` on `host` can be listened on right now (another process may take it before we do). */
export function portIsFree(port: number, host = HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Starts a private redis-server on 127.0.0.1 and resolves once it answers PING and INFO. */
export async function startLocalRedis(opts: StartLocalRedisOptions = {}): Promise<LocalRedis> {
  const binary = opts.binary ?? findRedisServer();
  if (!binary || !isExecutableFile(binary)) throw new Error(REDIS_INSTALL_HINT);
  opts.signal?.throwIfAborted();

  // A free port can be taken between probing and binding; with a port of our own choosing, retry.
  const attempts = opts.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await startOnPort(binary, port, opts);
    } catch (err) {
      lastError = err;
      if (!(err instanceof PortInUseError)) throw err;
    }
  }
  throw lastError;
}

class PortInUseError extends Error {}

async function startOnPort(binary: string, port: number, opts: StartLocalRedisOptions): Promise<LocalRedis> {
  const own = opts.persistIn === undefined;
  const dir = opts.persistIn ?? (await mkdtemp(join(tmpdir(), 'perflab-redis-')));
  const args = [
    '--port', String(port),
    '--bind', HOST, ...(opts.alsoBind ?? []),
    ...(opts.password !== undefined ? ['--requirepass', opts.password] : []),
    '--save', '',
    ...(own ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always']),
    '--dir', dir,
    '--daemonize', 'no',
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child, own ? dir : undefined);

  // redis-server logs to stdout unless told otherwise; keep the tail of both for error messages.
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const exited = whenExited(child);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const earlyExit = exited.then((code): never => {
    throw new Error(`redis-server exited with code ${code} before answering`);
  });
  // Both only matter while starting; later they must not surface as unhandled rejections.
  spawnError.catch(() => undefined);
  earlyExit.catch(() => undefined);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      opts.signal?.removeEventListener('abort', onAbort);
      await terminate(child, exited, STOP_GRACE_MS);
      untrack(child);
      if (own) await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const onAbort = () => void stop();

  const polling = new AbortController();
  const pollSignal = opts.signal ? AbortSignal.any([opts.signal, polling.signal]) : polling.signal;
  try {
    await Promise.race([
      waitUntilServing(port, child.pid, opts.startTimeoutMs ?? 10_000, pollSignal, opts.password),
      spawnError,
      earlyExit,
    ]);
  } catch (err) {
    polling.abort();
    await stop();
    const tail = output.trim();
    if (/Address already in use/i.test(tail)) {
      throw new PortInUseError(`port ${port} is already in use; leave the port out to pick a free one`);
    }
    if (opts.signal?.aborted) throw opts.signal.reason;
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${binary} on ${HOST}:${port}: ${message}${tail ? `\n--- redis-server output ---\n${tail}` : ''}`);
  }

  opts.signal?.addEventListener('abort', onAbort, { once: true });
  return { url: `redis://${HOST}:${port}`, port, pid: child.pid ?? -1, dir, stop };
}

/**
 * Polls until the server on `port` answers and is the process we started: a free port can be
 * taken by another redis-server between probing and binding, and its PONG must not count.
 */
async function waitUntilServing(port: number, pid: number | undefined, timeoutMs: number, signal: AbortSignal, password?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal.throwIfAborted();
    if (pid !== undefined && (await serverPid(port, password)) === pid) return;
    if (Date.now() >= deadline) throw new Error(`no answer to PING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `process_id` from `INFO server`, or undefined while the server is not (yet) answering. */
function serverPid(port: number, password?: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let reply = '';
    const done = (value: number | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1_000, () => done(undefined));
    socket.once('error', () => done(undefined));
    // AUTH as one RESP array, so a password with spaces stays one argument.
    const auth = password !== undefined ? `*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(password)}\r\n${password}\r\n` : '';
    socket.once('connect', () => socket.write(`${auth}PING\r\nINFO server\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      // "-LOADING ..." or any other error reply means not ready yet.
      if (reply.startsWith('-')) return done(undefined);
      const match = /\r\nprocess_id:(\d+)\r\n/.exec(reply);
      if (match) done(Number(match[1]));
    });
  });
}

// Servers still running when this process exits are killed, so a crashed test run or an
// interrupted CLI leaves no stray redis-server (and no temp dir) behind.
const live = new Map<ChildProcess, string | undefined>();
let exitHookInstalled = false;

function track(child: ChildProcess, dir: string | undefined): void {
  live.set(child, dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killAllSync);
  }
}

function untrack(child: ChildProcess): void {
  live.delete(child);
}

function killAllSync(): void {
  for (const [child, dir] of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
    try {
      if (dir) rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort: the OS cleans its temp dir eventually
    }
  }
  live.clear();
}
