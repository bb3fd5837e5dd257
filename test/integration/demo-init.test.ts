// A newcomer's first steps, as the demo prints them: `perflab demo`, then in the same folder
// `perflab init`, `validate` and `run redis-ops`, with no hand edit. The benchmark must land on the
// demo's own redis-server, never on a Redis the user did not point it at.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/core/config';
import { DEFAULT_DEMO_REDIS_URL, DEFAULT_DEMO_URL, DEMO_STATE_FILE } from '../../src/core/demoState';
import { startDemoCli, type DemoCli } from '../helpers/demoCli';

const CLI = path.resolve('dist/cli.js');
let dir: string;
let demo: DemoCli | undefined;

function perflab(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function configIn(folder: string) {
  const { config, problems } = parseConfigText(readFileSync(path.join(folder, 'perflab.config.json'), 'utf8'));
  expect(problems).toEqual([]);
  return config!;
}

/** Calls per command from INFO commandstats, e.g. { set: 10000, get: 10000 }. */
async function commandCalls(url: string): Promise<Record<string, number>> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('commandstats');
    return Object.fromEntries([...info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
  } finally {
    redis.disconnect();
  }
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-newcomer-'));
  demo = await startDemoCli([process.execPath, CLI], dir);
});
afterAll(async () => {
  await demo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('demo → init → validate → run redis-ops', () => {
  it('init writes a config that targets the running demo, and says so', () => {
    const { state } = demo!;
    const init = perflab('init');
    expect(init.code, init.err).toBe(0);
    expect(init.out).toContain(`It targets the demo running in this folder (pid ${state.pid}): API ${state.url}, Redis ${state.redisUrl}.`);
    const config = configIn(dir);
    expect(config.targets.api!.baseUrl).toBe(state.url);
    expect(config.stack.redis!.url).toBe(state.redisUrl);
    expect(perflab('validate')).toMatchObject({ code: 0 });
  });

  it("run redis-ops benchmarks the demo's own redis-server", async () => {
    const { state } = demo!;
    // The Redis at the URL is the one the demo started: its process is a child of `perflab demo`.
    const redis = new Redis(state.redisUrl, { maxRetriesPerRequest: 1 });
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
    redis.disconnect();
    const children = execFileSync('pgrep', ['-P', String(state.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    expect(children).toContain(redisPid);

    const before = await commandCalls(state.redisUrl);
    const run = perflab('run', 'redis-ops', '--json', 'redis-ops.json');
    const record = JSON.parse(readFileSync(path.join(dir, 'redis-ops.json'), 'utf8'));
    expect(record).toMatchObject({ profile: 'redis-ops', status: 'completed', target: `${state.redisUrl}/0` });
    // The starter's speed limits (get rate, set p99) are meant for a developer's machine; on a busy
    // shared one they may miss (exit 1), but errors never.
    const missed = record.thresholds.filter((t: { pass: boolean }) => !t.pass).map((t: { metric: string }) => t.metric);
    expect(missed.filter((metric: string) => !/latency|rate$/.test(metric) || metric === 'errors.rate'), run.err).toEqual([]);
    expect(run.code, run.err).toBe(missed.length ? 1 : 0);

    // The starter's 10,000 iterations of each operation reached this server.
    const after = await commandCalls(state.redisUrl);
    for (const command of ['set', 'get', 'incr', 'lpush', 'zadd']) {
      expect((after[command] ?? 0) - (before[command] ?? 0), command).toBeGreaterThanOrEqual(10_000);
    }
  });

  it('Ctrl-C stops the demo and removes its state file; init then names the default addresses', async () => {
    expect(await demo!.stop()).toBe(0);
    expect(existsSync(path.join(dir, DEMO_STATE_FILE))).toBe(false);
    demo = undefined;

    const init = perflab('init', '--force');
    expect(init.code, init.err).toBe(0);
    expect(init.out).toContain(`No demo is running in this folder, so it targets the demo's default addresses: API ${DEFAULT_DEMO_URL}, Redis ${DEFAULT_DEMO_REDIS_URL}.`);
    const config = configIn(dir);
    expect(config.stack.redis!.url).toBe(DEFAULT_DEMO_REDIS_URL);
    expect(new URL(config.stack.redis!.url).port).not.toBe('6379');
  });
});

describe('perflab demo refuses ports it cannot use', () => {
  let held: Server;
  let port: number;
  beforeAll(async () => {
    held = createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    port = (held.address() as AddressInfo).port;
  });
  afterAll(() => held?.close());

  it('a taken --port or --redis-port is a usage error that says what to do', () => {
    const api = perflab('demo', '--port', String(port));
    expect(api.code).toBe(2);
    expect(api.err).toContain(`port ${port} on 127.0.0.1 is in use; give --port another port, or --port 0 for any free one`);
    const redis = perflab('demo', '--port', '0', '--redis-port', String(port));
    expect(redis.code).toBe(2);
    expect(redis.err).toContain(`port ${port} on 127.0.0.1 is in use; give --redis-port another port`);
    expect(existsSync(path.join(dir, DEMO_STATE_FILE))).toBe(false);
  });

  it('--redis-port with --redis-url, or a port that is no number, is a usage error', () => {
    const both = perflab('demo', '--redis-url', 'redis://127.0.0.1:1', '--redis-port', '0');
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/cannot be combined with --redis-url/);
    const bad = perflab('demo', '--redis-port', 'six');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--redis-port six is not a port number/);
  });
});
