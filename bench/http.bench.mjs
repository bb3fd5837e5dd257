// HTTP load generation against bare autocannon and the wrk2 figures of ../shared ANCHORS, side by
// side in one run on the same machine. Every generator and every target runs in its own child
// process, so CPU time is per generator and a stalling target never blocks a generator.
// PerfLab runs from the production bundle (dist/runners-http.js, dist/http-worker.js).
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CLOSED_MS = 3_000;
const CLOSED_ROUNDS = 6;
const RATE = 2_000;
const PACING_MS = 5_000;
const STALL_MS = 20_000;

const SERVER = `
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const o = JSON.parse(process.argv[1]);
let buckets = new Map();
const server = http.createServer((req, res) => {
  const b = Math.floor(performance.now() / 100);
  buckets.set(b, (buckets.get(b) || 0) + 1);
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
  res.end('ok');
});
server.keepAliveTimeout = 60000;
if (o.stallMs) {
  const t0 = performance.now();
  let k = 1;
  const stall = () => {
    const end = performance.now() + o.stallMs;
    while (performance.now() < end);
    k = Math.max(k + 1, Math.ceil((performance.now() - t0) / 1000));
    setTimeout(stall, Math.max(0, t0 + k * 1000 - performance.now()));
  };
  setTimeout(stall, 1000);
}
process.on('message', (m) => {
  if (m === 'reset') buckets = new Map();
  const keys = [...buckets.keys()];
  const lo = Math.min(...keys), hi = Math.max(...keys);
  process.send(keys.length ? Array.from({ length: hi - lo + 1 }, (_, i) => buckets.get(lo + i) || 0) : []);
});
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
`;

// One generator run; prints a JSON line with completions per second, CPU seconds per second and
// latencies. `perflab` drives the production runner, `autocannon` the bare library.
const DRIVER = `
const o = JSON.parse(process.argv[1]);
(async () => {
  const wall0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let out;
  if (o.tool === 'autocannon') {
    const autocannon = require(o.root + '/node_modules/autocannon');
    const opts = { url: o.url, duration: o.durationMs / 1000, connections: o.connections };
    if (o.rate) opts.overallRate = o.rate;
    const r = await autocannon(opts);
    out = { rps: r.requests.total / r.duration, errors: r.errors + r.non2xx };
  } else {
    const { runHttpProfile } = require(o.root + '/dist/runners-http.js');
    const phase = o.rate
      ? { name: 'p', model: 'open', arrivalRate: o.rate, durationMs: o.durationMs, duration: o.durationMs + 'ms' }
      : { name: 'p', model: 'closed', connections: o.connections, pipelining: 1, durationMs: o.durationMs, duration: o.durationMs + 'ms' };
    const profile = { name: 'bench', type: 'http', target: 't', scale: 1, phases: [phase], timeoutMs: 10000, thresholds: [], source: { line: 1, column: 1 },
      scenarios: [{ name: 'root', weight: 1, request: { method: 'GET', path: '/', headers: {}, query: {} }, expect: {} }] };
    const config = { stack: { queues: [] }, targets: { t: { name: 't', baseUrl: o.url, headers: {}, allowHosts: [] } }, allowHosts: [], profiles: {} };
    const r = await runHttpProfile(profile, { config, configDir: process.cwd(), env: {}, trusted: false }).result;
    out = { rps: r.overall.rate, errors: r.overall.errors, latency: r.overall.latency, uncorrected: r.overall.uncorrectedLatency, generator: r.generator };
  }
  const cpu = process.cpuUsage(cpu0);
  const wallS = Number(process.hrtime.bigint() - wall0) / 1e9;
  out.cpuPerS = (cpu.user + cpu.system) / 1e6 / wallS;
  process.stdout.write(JSON.stringify(out) + '\\n');
})().catch((err) => { console.error(err); process.exit(1); });
`;

function startServer(options = {}) {
  const child = spawn(process.execPath, ['-e', SERVER, JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', ({ port }) => {
      const ask = (msg) => new Promise((r) => {
        child.once('message', r);
        child.send(msg);
      });
      resolve({
        url: `http://127.0.0.1:${port}`,
        reset: () => ask('reset'),
        arrivals: () => ask('arrivals'),
        stop: async () => {
          child.kill();
          await exited;
        },
      });
    });
  });
}

function drive(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', DRIVER, JSON.stringify({ root, ...options })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${options.tool} run failed (exit ${code})`));
      const result = JSON.parse(out.trim().split('\n').pop());
      if (result.errors) return reject(new Error(`${options.tool} saw ${result.errors} errors`));
      resolve(result);
    });
  });
}

/** Coefficient of variation of arrivals per 100 ms, without the partial first and last buckets. */
function cv(buckets) {
  const b = buckets.slice(1, -1);
  const mean = b.reduce((s, x) => s + x, 0) / b.length;
  const variance = b.reduce((s, x) => s + (x - mean) ** 2, 0) / b.length;
  return Math.sqrt(variance) / mean;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export default async function bench() {
  const rows = [];
  const normal = await startServer();
  try {
    // Closed loop: short runs in alternating order, medians, so that drift and bursts of other
    // work on the machine hit both alike.
    for (const connections of [10, 100]) {
      const ours = [];
      const theirs = [];
      for (let round = 0; round < CLOSED_ROUNDS; round++) {
        const pair = [['perflab', ours], ['autocannon', theirs]];
        if (round % 2) pair.reverse();
        for (const [tool, into] of pair) into.push((await drive({ tool, url: normal.url, connections, durationMs: CLOSED_MS })).rps);
      }
      rows.push({
        metric: `closed loop c=${connections} (req/s, median of ${CLOSED_ROUNDS})`, perflab: median(ours), anchor: median(theirs),
        anchorLabel: 'bare autocannon', better: 'higher', targetRatio: 0.95,
      });
    }

    // Fixed rate: pacing seen by the server, and what the evenness costs in CPU.
    await normal.reset();
    const ours = await drive({ tool: 'perflab', url: normal.url, rate: RATE, durationMs: PACING_MS });
    const ourCv = cv(await normal.arrivals());
    await normal.reset();
    const theirs = await drive({ tool: 'autocannon', url: normal.url, rate: RATE, connections: 10, durationMs: PACING_MS });
    const theirCv = cv(await normal.arrivals());
    rows.push(
      { metric: 'pacing CV of arrivals per 100 ms at 2,000/s', perflab: ourCv, anchor: 0.03, anchorLabel: 'target 0.03; wrk2 ≤ 0.006', better: 'lower' },
      { metric: 'pacing CV at 2,000/s vs autocannon overallRate', perflab: ourCv, anchor: theirCv, anchorLabel: 'autocannon overallRate', better: 'lower' },
      { metric: 'generator CPU at 2,000/s (s per s)', perflab: ours.cpuPerS, anchor: theirs.cpuPerS, anchorLabel: 'autocannon overallRate', better: 'lower', targetRatio: 3 },
      { metric: 'normal target at 2,000/s: corrected p99 (ms)', perflab: ours.latency.p99, anchor: 20, anchorLabel: 'budget 20 ms; wrk2 2.6', better: 'lower' },
    );
  } finally {
    await normal.stop();
  }

  // Stall test: 200 ms stall once a second, 2,000 req/s for 20 s, latency from intended times.
  const stalling = await startServer({ stallMs: 200 });
  try {
    const r = await drive({ tool: 'perflab', url: stalling.url, rate: RATE, durationMs: STALL_MS });
    process.stderr.write(`bench: stall test corrected ${JSON.stringify(r.latency)}, uncorrected p90 ${r.uncorrected.p90} ms, generator ${JSON.stringify(r.generator)}\n`);
    rows.push(
      { metric: 'stall test p99 (ms), at most +5 %', perflab: r.latency.p99, anchor: 192, anchorLabel: 'wrk2 192', better: 'lower', targetRatio: 1.05 },
      { metric: 'stall test p99 (ms), at least -5 %', perflab: r.latency.p99, anchor: 192, anchorLabel: 'wrk2 192', better: 'higher', targetRatio: 0.95 },
      { metric: 'stall test p90 (ms), at most 130', perflab: r.latency.p90, anchor: 130, anchorLabel: 'range 100–130', better: 'lower' },
      { metric: 'stall test p90 (ms), at least 100', perflab: r.latency.p90, anchor: 100, anchorLabel: 'range 100–130', better: 'higher' },
    );
  } finally {
    await stalling.stop();
  }
  return rows;
}
