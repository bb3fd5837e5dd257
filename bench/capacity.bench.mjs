// Capacity search (`perflab capacity`), against what the answer must be:
//   1. A service that spends COST_MS of CPU on each request on its one thread: the capacity found
//      against the rate its CPU time per request implies (requests served / CPU seconds used,
//      HTTP handling included), within 10 %.
//   2. The demo stack (API, BullMQ producer and worker, its own Redis), POST /messages, with the
//      demo's queue in the config as `perflab init` writes it: three searches in a row, whose
//      results must agree within 10 % of their median. Each step also reads the queue's backlog,
//      so the rate found is the one the demo's worker keeps up with, not only its HTTP side.
// No load tool finds a capacity by itself; the anchors are the answer the service time implies
// and the repeatability a user needs to trust one search.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fromSource } from './fixtures/from-source.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CLI = path.join(root, 'dist', 'cli.js');
const COST_MS = 4;
const DEMO_SEARCHES = 3;

function perflab(dir, ...args) {
  return new Promise((resolve) => {
    const started = Date.now();
    execFile(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, out, errText) => {
      resolve({ code: err ? err.code : 0, out, err: errText, ms: Date.now() - started });
    });
  });
}

function capacityOf(dir, out) {
  const file = /run record: (.+run\.json)/.exec(out)?.[1];
  if (!file) throw new Error(`no run record in:\n${out}`);
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')).capacity;
}

function fixedCost() {
  const child = spawn(process.execPath, [path.join(root, 'test/fixtures/targets/fixed-cost.cjs')], { env: { ...process.env, COST_MS: String(COST_MS) }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.once('data', (d) => resolve({ url: `http://127.0.0.1:${/listening (\d+)/.exec(String(d))[1]}`, stop: () => child.kill() }));
  });
}

const profile = (scenarios) => ({ type: 'http', target: 'api', phases: [{ name: 'steady', duration: '5s', arrivalRate: 10 }], scenarios, thresholds: { 'latency.p99': '< 100ms', 'errors.rate': '< 1%' } });

export default async function bench() {
  const dir = mkdtempSync(path.join(tmpdir(), 'perflab-bench-capacity-'));
  const rows = [];
  try {
    // 1. The fixed service time.
    const target = await fixedCost();
    try {
      writeFileSync(path.join(dir, 'perflab.config.json'), JSON.stringify({ targets: { api: { baseUrl: target.url } }, profiles: { work: profile([{ name: 'work', request: { path: '/work' } }]) } }));
      const run = await perflab(dir, 'capacity', 'work', '--start-rate', '60', '--step', '5s');
      const c = capacityOf(dir, run.out);
      const stats = await (await fetch(`${target.url}/stats`)).json();
      const implied = stats.served / (stats.cpuMs / 1000);
      const off = Math.abs(c.rate / implied - 1) * 100;
      process.stderr.write(`capacity: ${COST_MS} ms of CPU per request: found ${c.rate}/s, implied ${implied.toFixed(0)}/s (${(stats.cpuMs / stats.served).toFixed(2)} ms per request), ${c.steps.length} steps in ${(run.ms / 1000).toFixed(0)} s\n`);
      rows.push({ metric: `capacity of a ${COST_MS} ms-per-request service, off the implied rate (%)`, perflab: off, anchor: 10, anchorLabel: 'within 10 % of the service time\'s rate', better: 'lower', targetRatio: 1 });
    } finally {
      target.stop();
    }

    // 2. The demo stack, three times.
    const { startDemo } = await fromSource('capacity', `export { startDemo } from './src/runners/demo';`);
    const demo = await startDemo({ port: 0 });
    try {
      writeFileSync(path.join(dir, 'perflab.config.json'), JSON.stringify({
        targets: { api: { baseUrl: demo.url } },
        // As `perflab init` writes it: the demo's Redis and its queue, whose backlog each step reads.
        stack: { redis: { url: demo.redisUrl }, queues: [{ name: 'messages' }] },
        profiles: {
          // Each request adds a BullMQ job (a Redis round trip or more): the demo's own work, more than the generator's.
          send: profile([
            { name: 'send-text', request: { method: 'POST', path: '/messages', json: { to: '{{phone}}', type: 'text', body: '{{words(5)}}' } } },
          ]),
        },
      }));
      const found = [];
      for (let i = 0; i < DEMO_SEARCHES; i++) {
        const run = await perflab(dir, 'capacity', 'send', '--start-rate', '100');
        const c = capacityOf(dir, run.out);
        found.push(c.rate);
        process.stderr.write(`capacity: demo search ${i + 1}: ${c.rate}/s (${c.stop}), ${c.steps.length} steps in ${(run.ms / 1000).toFixed(0)} s\n`);
      }
      const sorted = [...found].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      const spread = ((sorted.at(-1) - sorted[0]) / median) * 100;
      rows.push({ metric: `capacity of the demo stack, ${DEMO_SEARCHES} searches: max − min (% of median ${median}/s)`, perflab: spread, anchor: 10, anchorLabel: 'within 10 %', better: 'lower', targetRatio: 1 });
    } finally {
      await demo.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
