// BullMQ runner vs a bare bullmq script doing the same work, side by side against one private
// redis-server: add one by one, addBulk ×100, worker drain at c=10, and end-to-end latency at a
// fixed 500 jobs/s with c=10. The runner is bundled from src with esbuild into a temp file
// (bullmq, ioredis and hdr-histogram-js stay external and load from node_modules; the key sweeper
// runs from dist/key-sweeper.js). Rounds alternate (bare, PerfLab, PerfLab, bare, …) so drift on
// a busy machine hits both sides alike;
// each side reports its median round (single rounds vary by ±25 % here even on a quiet machine).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const rootRequire = createRequire(path.join(root, 'package.json'));
// The same copy of bullmq for both sides.
const { Queue, Worker } = rootRequire('bullmq');
const { Redis } = rootRequire('ioredis');

const ADD_JOBS = 5_000;
const BULK_JOBS = 12_000;
const BULK_SIZE = 100;
const DRAIN_JOBS = 6_000;
const E2E_JOBS = 6_000;
const E2E_RATE = 500;
const CONCURRENCY = 10;
const PAYLOAD = 256;

async function loadRunner(dir) {
  const outfile = path.join(dir, 'bullmq-runner.cjs');
  await build({
    stdin: {
      contents: `export { runBullmqProfile } from './src/runners/queue';\nexport { startLocalRedis } from './src/runners/redis/localServer';`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'silent',
    plugins: [{
      name: 'node-modules-external',
      setup(b) {
        // Absolute paths, so the temp bundle loads the project's own copies.
        b.onResolve({ filter: /^(bullmq|ioredis|hdr-histogram-js)$/ }, (args) => ({ path: rootRequire.resolve(args.path), external: true }));
      },
    }],
  });
  return createRequire(outfile)(outfile);
}

// --- PerfLab ------------------------------------------------------------------------------------

async function perflab(runner, url, overrides) {
  const profile = {
    name: 'bench', type: 'bullmq', queue: 'bench', mode: 'add', bulkSize: BULK_SIZE, workerConcurrency: [CONCURRENCY],
    failRate: 0, attempts: 1, payloadSize: PAYLOAD, processTimeMs: 0, thresholds: [], source: { line: 1, column: 1 },
    ...overrides,
  };
  const config = { stack: { redis: { url }, queues: [] }, targets: {}, allowHosts: [], profiles: {} };
  const outcome = await runner.runBullmqProfile(profile, { config, configDir: root, env: {}, trusted: true }).result;
  if (outcome.status !== 'completed' || outcome.overall?.errors) throw new Error(`PerfLab run ${profile.mode}: ${outcome.status} ${outcome.error ?? ''}`);
  return outcome.metrics;
}

// --- bare bullmq --------------------------------------------------------------------------------

const payload = 'x'.repeat(PAYLOAD);

async function bare(url, fn) {
  const { port } = new URL(url);
  const connection = { host: '127.0.0.1', port: Number(port) };
  const prefix = `bare-${randomBytes(4).toString('hex')}`;
  const queue = new Queue('bench', { connection, prefix });
  await queue.waitUntilReady();
  try {
    return await fn(queue, connection, prefix);
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

const bareAdd = (url) => bare(url, async (queue) => {
  const t0 = performance.now();
  for (let i = 0; i < ADD_JOBS; i++) await queue.add('bench', { seq: i, payload });
  return ADD_JOBS / ((performance.now() - t0) / 1000);
});

const bareAddBulk = (url) => bare(url, async (queue) => {
  const t0 = performance.now();
  for (let i = 0; i < BULK_JOBS; i += BULK_SIZE) {
    await queue.addBulk(Array.from({ length: BULK_SIZE }, (_, k) => ({ name: 'bench', data: { seq: i + k, payload } })));
  }
  return BULK_JOBS / ((performance.now() - t0) / 1000);
});

const bareDrain = (url) => bare(url, async (queue, connection, prefix) => {
  for (let i = 0; i < DRAIN_JOBS; i += BULK_SIZE) {
    await queue.addBulk(Array.from({ length: BULK_SIZE }, (_, k) => ({ name: 'bench', data: { seq: i + k, payload } })));
  }
  const worker = new Worker('bench', async () => {}, { connection, prefix, concurrency: CONCURRENCY, autorun: false });
  let done = 0;
  let last = 0;
  const finished = new Promise((resolve) => worker.on('completed', () => {
    last = performance.now();
    if (++done === DRAIN_JOBS) resolve();
  }));
  await worker.waitUntilReady();
  const t0 = performance.now();
  worker.run();
  await finished;
  await worker.close();
  return DRAIN_JOBS / ((last - t0) / 1000);
});

/** p99 in ms of add-to-completion, each job timed from its scheduled add (evenly spaced). */
const bareE2e = (url) => bare(url, async (queue, connection, prefix) => {
  const due = new Float64Array(E2E_JOBS);
  const latencies = [];
  const worker = new Worker('bench', async () => {}, { connection, prefix, concurrency: CONCURRENCY, autorun: false });
  const finished = new Promise((resolve) => worker.on('completed', (job) => {
    latencies.push(performance.now() - due[job.data.seq]);
    if (latencies.length === E2E_JOBS) resolve();
  }));
  await worker.waitUntilReady();
  worker.run();
  const start = performance.now();
  for (let i = 0; i < E2E_JOBS; ) {
    const at = start + (i * 1000) / E2E_RATE;
    const now = performance.now();
    if (at > now) {
      await new Promise((r) => setTimeout(r, at - now));
      continue;
    }
    due[i] = at;
    void queue.add('bench', { seq: i, payload });
    i++;
  }
  await finished;
  await worker.close();
  latencies.sort((a, b) => a - b);
  return latencies[Math.ceil(E2E_JOBS * 0.99) - 1];
});

// --- the comparison -----------------------------------------------------------------------------

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * `pairs` rounds per side, the order flipping each pair (bare first, then PerfLab first, …): the
 * median of each side. One pair before them warms both sides up (JIT, connections, Redis's
 * memory) and is not counted: on this machine a first round ran at about half the speed of the
 * later ones (add: 4,700 against 8,000–10,800 jobs/s), and its e2e p99 at twice theirs.
 */
async function sideBySide(label, better, pairs, runBare, runPerflab) {
  await runBare();
  await runPerflab();
  const b = [];
  const p = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      b.push(await runBare());
      p.push(await runPerflab());
    } else {
      p.push(await runPerflab());
      b.push(await runBare());
    }
  }
  process.stderr.write(`  ${label}: bare ${b.map((v) => v.toFixed(1)).join(' / ')}, PerfLab ${p.map((v) => v.toFixed(1)).join(' / ')}\n`);
  return { bare: median(b), perflab: median(p) };
}

export default async function bench() {
  // Inside the project, so the runner finds dist/key-sweeper.js above its bundle (run `npm run build` first).
  mkdirSync(path.join(root, 'node_modules', '.cache'), { recursive: true });
  const dir = mkdtempSync(path.join(root, 'node_modules', '.cache', 'perflab-bench-bullmq-'));
  let redis;
  try {
    const runner = await loadRunner(dir);
    redis = await runner.startLocalRedis();
    const url = redis.url;
    const label = 'bare bullmq, same run';

    const add = await sideBySide('add', 'higher', 7, () => bareAdd(url), async () => (await perflab(runner, url, { mode: 'add', jobs: ADD_JOBS }))['add.rate']);
    const bulk = await sideBySide('addBulk', 'higher', 5, () => bareAddBulk(url), async () => (await perflab(runner, url, { mode: 'addBulk', jobs: BULK_JOBS }))['add.rate']);
    const drain = await sideBySide('drain', 'higher', 5, () => bareDrain(url), async () => (await perflab(runner, url, { mode: 'drain', jobs: DRAIN_JOBS }))['drain.rate']);
    const e2e = await sideBySide('e2e p99', 'lower', 5, () => bareE2e(url),
      async () => (await perflab(runner, url, { mode: 'e2e', jobs: E2E_JOBS, arrivalRate: E2E_RATE }))['e2e.latency.p99']);

    // Nothing of either side may be left in the server.
    const admin = new Redis(url);
    const left = await admin.dbsize();
    admin.disconnect();
    if (left) throw new Error(`${left} keys left in the bench's redis-server`);

    return [
      { metric: 'BullMQ add one by one (jobs/s)', perflab: add.perflab, anchor: add.bare, anchorLabel: label, better: 'higher', targetRatio: 0.9 },
      { metric: `BullMQ addBulk ×${BULK_SIZE} (jobs/s)`, perflab: bulk.perflab, anchor: bulk.bare, anchorLabel: label, better: 'higher', targetRatio: 0.9 },
      { metric: `BullMQ drain c=${CONCURRENCY} (jobs/s)`, perflab: drain.perflab, anchor: drain.bare, anchorLabel: label, better: 'higher', targetRatio: 0.9 },
      { metric: `BullMQ e2e ${E2E_RATE} jobs/s c=${CONCURRENCY} p99 (ms)`, perflab: e2e.perflab, anchor: e2e.bare, anchorLabel: label, better: 'lower', targetRatio: 1.1 },
    ];
  } finally {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
