// Redis runner overhead: side by side in one run, against one private redis-server, PerfLab's
// Redis runner (bundled and minified as in production) and a bare ioredis loop doing the same
// work (SET ... PX and GET of 100-byte values over 100 keys), in each mode. Short rounds alternate
// (after one warm-up round) and each side's upper quartile over the rounds counts: on a busy
// machine a round can stall for 100 ms or more, which only ever lowers a rate, while the single
// best round is too often a lucky one. The rate is SET and GET operations together per second of
// measuring.
// redis-benchmark's figure for the comparable modes is printed as an informational row.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);

/** Measured time per operation and side in each round, and measured rounds per mode. */
const OP_MS = 300;
const ROUNDS = 9;
const VALUE_SIZE = 100;
const KEYS = 100;
const TTL_MS = 600_000;

const MODES = [
  { mode: 'sequential', label: 'sequential', concurrency: 1, pipeline: 16, redisBenchmark: ['-c', '1', '-P', '1'] },
  { mode: 'concurrent', label: '50 in flight', concurrency: 50, pipeline: 16 },
  { mode: 'auto-pipeline', label: 'auto-pipelining, 50 in flight', concurrency: 50, pipeline: 16 },
  { mode: 'pipeline', label: 'pipeline of 16', concurrency: 1, pipeline: 16, redisBenchmark: ['-c', '1', '-P', '16'] },
];
const OPS = ['set', 'get'];

/**
 * The runner and the local server from a production-style bundle of the sources, and ioredis from
 * the same bundle, so both sides run the very same client code.
 */
async function bundle(dir) {
  const outfile = path.join(dir, 'redis-runner.cjs');
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  await build({
    stdin: {
      contents: `export { runRedisProfile } from './src/runners/redis';
                 export { startLocalRedis } from './src/runners/redis/localServer';
                 export { Redis } from 'ioredis';`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    define: { PERFLAB_VERSION: JSON.stringify(version) },
    outfile,
    logLevel: 'silent',
  });
  return require(outfile);
}

async function runnerRates(runRedisProfile, url, m) {
  const profile = {
    name: 'bench', type: 'redis', operations: OPS, mode: m.mode, concurrency: m.concurrency, pipeline: m.pipeline,
    durationMs: OP_MS * OPS.length, valueSize: VALUE_SIZE, thresholds: [], source: { line: 1, column: 1 },
  };
  const config = { stack: { redis: { url }, queues: [] }, targets: {}, allowHosts: [], profiles: {} };
  const outcome = await runRedisProfile(profile, { config, configDir: root, env: {}, trusted: true }).result;
  if (outcome.status !== 'completed' || outcome.overall.errors) throw new Error(`runner run ${outcome.status}: ${outcome.error ?? 'errors'}`);
  return combined(outcome.operations.map((o) => ({ ops: o.count, seconds: o.count / o.rate })));
}

/** Operations per second over all measured operations. */
function combined(parts) {
  const ops = parts.reduce((a, p) => a + p.ops, 0);
  return ops / parts.reduce((a, p) => a + p.seconds, 0);
}

/** The value below which three quarters of `values` lie (nearest rank). */
function upperQuartile(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.75 * sorted.length) - 1)];
}

/** The same work written as anyone would with ioredis: no measurement beyond the count. */
async function bareRates(Redis, url, m) {
  const client = new Redis(url, { lazyConnect: true, enableAutoPipelining: m.mode === 'auto-pipeline' });
  await client.connect();
  // Key names of the same shape and length as the runner's, so both send the same bytes.
  const prefix = `perflab:bench:${Date.now().toString(36)}${randomBytes(6).toString('hex')}:`;
  const value = Buffer.alloc(VALUE_SIZE, 'x').toString('latin1');
  const keys = {
    set: Array.from({ length: KEYS }, (_, i) => `${prefix}set:${i}`),
    get: Array.from({ length: KEYS }, (_, i) => `${prefix}get:${i}`),
  };
  const seed = client.pipeline();
  for (const k of keys.get) seed.set(k, value, 'PX', TTL_MS);
  await seed.exec();
  const send = {
    set: (c, i) => c.set(keys.set[i % KEYS], value, 'PX', TTL_MS),
    get: (c, i) => c.get(keys.get[i % KEYS]),
  };
  const parts = [];
  try {
    for (const op of OPS) {
      let count = 0;
      const started = performance.now();
      const deadline = started + OP_MS;
      if (m.mode === 'pipeline') {
        while (performance.now() < deadline) {
          const p = client.pipeline();
          for (let j = 0; j < m.pipeline; j++) send[op](p, count + j);
          await p.exec();
          count += m.pipeline;
        }
      } else {
        const worker = async () => {
          while (performance.now() < deadline) {
            await send[op](client, count);
            count++;
          }
        };
        await Promise.all(Array.from({ length: m.mode === 'sequential' ? 1 : m.concurrency }, worker));
      }
      parts.push({ ops: count, seconds: (performance.now() - started) / 1000 });
    }
    await client.unlink(...keys.set, ...keys.get);
  } finally {
    client.disconnect();
  }
  return combined(parts);
}

function redisBenchmark(port, args) {
  const out = execFileSync('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), ...args, '-t', 'set,get', '-n', '20000', '-d', String(VALUE_SIZE), '--csv'], { encoding: 'utf8' });
  const rates = [];
  for (const line of out.split('\n')) {
    const m = /^"(?:SET|GET)","([\d.]+)"/.exec(line);
    if (m) rates.push(Number(m[1]));
  }
  // The same number of SETs and GETs: together they take the sum of their times.
  return rates.length === 2 ? combined(rates.map((r) => ({ ops: 1, seconds: 1 / r }))) : undefined;
}

function hasRedisBenchmark() {
  try {
    execFileSync('redis-benchmark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export default async function bench() {
  const dir = mkdtempSync(path.join(tmpdir(), 'perflab-redis-bench-'));
  let server;
  try {
    const { runRedisProfile, startLocalRedis, Redis } = await bundle(dir);
    server = await startLocalRedis();
    const rows = [];
    for (const m of MODES) {
      const rates = { perflab: [], bare: [] };
      for (let round = -1; round < ROUNDS; round++) {
        const sides = [['perflab', () => runnerRates(runRedisProfile, server.url, m)], ['bare', () => bareRates(Redis, server.url, m)]];
        if (round % 2) sides.reverse();
        for (const [side, run] of sides) {
          const rate = await run();
          if (round >= 0) rates[side].push(rate); // round -1 warms up
        }
      }
      const perflab = upperQuartile(rates.perflab);
      rows.push({
        metric: `redis SET+GET ${m.label} (ops/s)`,
        perflab,
        anchor: upperQuartile(rates.bare),
        anchorLabel: 'bare ioredis loop',
        better: 'higher',
        targetRatio: 0.9,
      });
      const rb = m.redisBenchmark && hasRedisBenchmark() ? redisBenchmark(server.port, m.redisBenchmark) : undefined;
      if (rb) {
        rows.push({
          metric: `redis SET+GET ${m.label} (ops/s, info)`,
          perflab,
          anchor: rb,
          anchorLabel: `redis-benchmark ${m.redisBenchmark.join(' ')}`,
          better: 'higher',
          targetRatio: 0,
        });
      }
    }
    return rows;
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
