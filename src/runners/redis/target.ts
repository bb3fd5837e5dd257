/**
 * Which Redis a run talks to and how it connects: the URL from `stack.redis.url`, the password
 * only from `PERFLAB_REDIS_PASSWORD`, loopback unless `allowHosts` says otherwise, and a short
 * connect timeout whose failure tells the user what to check.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { isLoopbackHost, isUrlAllowed } from '../../core/config/hosts';
import { configLabel, PASSWORD_ENV, RunnerError, type RunnerContext } from '../types';

export { PASSWORD_ENV };
export const CONNECT_TIMEOUT_MS = 3_000;

/** A Redis server to connect to. `label` is safe to show and to record: it never holds a password. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
  /** `redis://host:port/db` (or `rediss://`), without credentials. */
  label: string;
  /** `host:port`, for messages. */
  address: string;
  /** The config file as messages name it (see configLabel). */
  configName?: string;
  loopback: boolean;
  /** The URL carried a password, which is ignored (it belongs in the environment). */
  urlHadPassword: boolean;
}

/** Reads `stack.redis.url` and the password from the environment; refuses a host that is not allowed. */
export function resolveRedisTarget(ctx: Pick<RunnerContext, 'config' | 'env' | 'configName'>): RedisTarget {
  const raw = ctx.config.stack.redis?.url;
  if (!raw) {
    throw new RunnerError(
      `no Redis configured: add "stack": { "redis": { "url": "redis://127.0.0.1:6379" } } to ${configLabel(ctx)}`,
      'config',
    );
  }
  const target: RedisTarget = { ...parseRedisUrl(raw, ctx.env[PASSWORD_ENV]), ...(ctx.configName !== undefined ? { configName: ctx.configName } : {}) };
  if (!isUrlAllowed(raw, ctx.config.allowHosts)) {
    throw new RunnerError(
      `Redis at ${target.address} is not loopback and not in allowHosts: PerfLab only benchmarks a remote ` +
        `Redis when the config's top-level "allowHosts" lists "${target.host}"`,
      'refused',
    );
  }
  return target;
}

/** Parses a `redis://[user@]host[:port][/db]` URL; `password` comes from the environment. */
export function parseRedisUrl(raw: string, password: string | undefined): RedisTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RunnerError(`stack.redis.url "${raw}" is not a URL; write e.g. "redis://127.0.0.1:6379"`, 'config');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RunnerError(`stack.redis.url "${raw}" must start with redis:// or rediss://`, 'config');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = url.port ? Number(url.port) : 6379;
  const dbPart = url.pathname.replace(/^\//, '');
  const db = dbPart === '' ? 0 : Number(dbPart);
  if (!Number.isInteger(db) || db < 0) {
    throw new RunnerError(`stack.redis.url "${raw}": "/${dbPart}" is not a database number; write e.g. "redis://127.0.0.1:6379/0"`, 'config');
  }
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const address = `${hostInUrl}:${port}`;
  return {
    host,
    port,
    db,
    tls: url.protocol === 'rediss:',
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(password ? { password } : {}),
    label: `${url.protocol}//${address}/${db}`,
    address,
    loopback: isLoopbackHost(host),
    urlHadPassword: url.password !== '',
  };
}

export interface ConnectOptions {
  /** Shown in `CLIENT LIST`, so an operator can tell PerfLab's connections apart. */
  name: string;
  autoPipelining?: boolean;
  timeoutMs?: number;
  /** Fail a command that gets no reply within this long (control connections); off by default. */
  commandTimeoutMs?: number;
  /**
   * Once connected, reconnect after a drop this many times (about half a second apart), queueing
   * commands meanwhile: for a control connection that must outlive a blip. Off by default.
   */
  reconnects?: number;
}

/** The connection options every client of the target starts from (BullMQ's own clients too): address, database, credentials, TLS. */
export function redisOptions(target: RedisTarget, connectionName: string): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: { servername: target.host } } : {}),
    connectionName,
    connectTimeout: CONNECT_TIMEOUT_MS,
  };
}

/**
 * Connects and waits until the server answers. Unless `reconnects` says otherwise, never
 * reconnects by itself and never queues commands while disconnected: a benchmark that lost its
 * server must stop, not wait. Fails with RunnerError('redis') naming the address and what to
 * check.
 */
export async function connectRedis(target: RedisTarget, opts: ConnectOptions, signal?: AbortSignal): Promise<Redis> {
  const timeoutMs = opts.timeoutMs ?? CONNECT_TIMEOUT_MS;
  let connected = false;
  const reconnects = opts.reconnects ?? 0;
  const options: RedisOptions = {
    ...redisOptions(target, opts.name),
    disableClientInfo: true,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: (times) => (!connected || times > reconnects ? null : Math.min(times * 100, 1_000)),
    ...(reconnects
      ? { maxRetriesPerRequest: 3 }
      : { maxRetriesPerRequest: 0, enableOfflineQueue: false, autoResendUnfulfilledCommands: false }),
    enableAutoPipelining: opts.autoPipelining ?? false,
    ...(opts.commandTimeoutMs ? { commandTimeout: opts.commandTimeoutMs } : {}),
  };
  const client = new Redis(options);
  // ioredis reports the real cause only as an 'error' event; connect() rejects with "Connection is closed".
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError = err;
  });

  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => client.disconnect();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs + 500);
      }),
    ]);
    connected = true;
  } catch (err) {
    client.disconnect();
    signal?.throwIfAborted();
    throw connectError(target, lastError ?? (err as Error));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  try {
    await selectDatabase(client, target);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  return client;
}

/**
 * Makes sure `client` works in the database the URL names, before anything is written. ioredis
 * sends the SELECT of its `db` option itself, but a refused one only becomes an 'error' event
 * and the connection carries on in db 0, where every write would then land. A SELECT of our own,
 * answered after that one, settles it; a reconnecting client selects the same database again.
 * Fails with RunnerError('redis') naming the database, how many the server has, and the fix.
 */
export async function selectDatabase(client: Redis, target: RedisTarget): Promise<void> {
  if (target.db === 0) return;
  try {
    await client.select(target.db);
  } catch (err) {
    throw await databaseError(client, target, err as Error);
  }
}

async function databaseError(client: Redis, target: RedisTarget, err: Error): Promise<RunnerError> {
  const reply = err.message.split('\n')[0] ?? err.message;
  const where = `stack.redis.url in ${configLabel(target)} (${target.label})`;
  if (!/DB index is out of range|invalid DB index/i.test(reply)) {
    return new RunnerError(`Redis at ${target.address} refused SELECT ${target.db} (${reply}): let the user select it, or point ${where} at a database it may use`, 'redis');
  }
  const count = await databaseCount(client);
  const has = count === undefined
    ? 'the server did not say how many it has (CONFIG GET databases is not allowed)'
    : `it has ${count} (0 to ${count - 1}, its "databases" setting)`;
  const fix = count === undefined
    ? `use a database it has in ${where}`
    : `use one of 0 to ${count - 1} in ${where}, e.g. ${target.label.replace(/\/\d+$/, `/${Math.min(target.db, count - 1)}`)}, or raise "databases" in the server's redis.conf`;
  return new RunnerError(`Redis at ${target.address} has no database ${target.db} (SELECT ${target.db}: ${reply}): ${has}. Nothing was written; ${fix}.`, 'redis');
}

/** The server's `databases` setting, or undefined when CONFIG is not allowed (managed servers often rename it). */
async function databaseCount(client: Redis): Promise<number | undefined> {
  try {
    const reply = (await client.config('GET', 'databases')) as unknown;
    const n = Array.isArray(reply) ? Number(reply[1]) : NaN;
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** A RunnerError that says what failed and what to check. */
export function connectError(target: RedisTarget, err: Error): RunnerError {
  const message = err.message || String(err);
  const code = (err as NodeJS.ErrnoException).code;
  if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(message)) {
    const fix = target.password
      ? `the password in ${PASSWORD_ENV} (or the one stored with "PerfLab: Set Redis Password") was refused: check it${target.username ? ` and the user "${target.username}" in stack.redis.url` : ''}`
      : `the server requires a password: set ${PASSWORD_ENV} in the environment (in VS Code: "PerfLab: Set Redis Password"), never in the URL`;
    return new RunnerError(`Redis at ${target.address} refused to authenticate (${message.split('\n')[0]}); ${fix}`, 'redis');
  }
  const reason = code === 'ECONNREFUSED'
    ? 'connection refused'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `host "${target.host}" not found`
      : message;
  return new RunnerError(
    `cannot connect to Redis at ${target.address} (${reason}). Check that redis-server is running and listening ` +
      `there, that stack.redis.url in ${configLabel(target)} (${target.label}) points to it, and, if the server ` +
      `requires a password, that ${PASSWORD_ENV} is set.`,
    'redis',
  );
}
