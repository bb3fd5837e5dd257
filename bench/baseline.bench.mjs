// Regression gates on a noisy machine: PerfLab's verdicts (`perflab compare`, `--repeat`) side by
// side with the gate a k6 or Artillery user writes by hand, a fixed +10 % on each number of the
// baseline (k6 and Artillery only compare with absolute thresholds, so a baseline gate is the
// single number times 1.1). All runs are real: the built CLI, the demo stack with its own Redis, a
// target answering after a fixed delay.
//   1. False alarms: RUNS runs of an unchanged build, each compared with the first, every metric
//      a default rule covers. Both gates see the same pairs of runs.
//   2. A real change: the same profile against the demo with SLOW=/health:20. Both must flag it.
//   3. Sensitivity: `--repeat 5` on a target answering after 100 ms, then 105 ms (+5 % of p99),
//      and 100 ms again (no change), SETS times each.
// It also prints the spread between runs it saw per statistic, which the defaults of
// src/core/compare/rules.ts (DEFAULT_NOISE) must stay above.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fromSource } from './fixtures/from-source.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CLI = path.join(root, 'dist', 'cli.js');
const RUNS = 8;
const SETS = 2;

function perflab(dir, ...args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, out, errText) => {
      resolve({ code: err ? err.code : 0, out, err: errText });
    });
  });
}

const runId = (out) => /run record: \.perflab\/runs\/([^/]+)\/run\.json/.exec(out)?.[1];
const record = (dir, id) => JSON.parse(readFileSync(path.join(dir, '.perflab', 'runs', id, 'run.json'), 'utf8'));

function demoConfig(baseUrl) {
  return {
    targets: { api: { baseUrl } },
    profiles: {
      checkout: {
        type: 'http', target: 'api',
        phases: [{ name: 'steady', duration: '4s', arrivalRate: 60 }],
        scenarios: [
          { name: 'send-text', weight: 2, request: { method: 'POST', path: '/messages', json: { to: '{{phone}}', type: 'text', body: '{{words(5)}}' } } },
          { name: 'analytics', weight: 1, request: { method: 'POST', path: '/analytics/events', json: { type: '{{pick(sent,delivered,read)}}', phone: '{{phone}}' } } },
          { name: 'health', weight: 1, request: { method: 'GET', path: '/health' } },
        ],
      },
    },
  };
}

const steadyConfig = (baseUrl) => ({
  targets: { api: { baseUrl } },
  profiles: { steady: { type: 'http', target: 'api', phases: [{ name: 'main', duration: '5s', arrivalRate: 60 }], scenarios: [{ name: 'get', weight: 1, request: { path: '/' } }] } },
});

/** A target answering after `delayMs`, in a process of its own; resolves with its URL and a stop(). */
function delayTarget(delayMs) {
  const child = spawn(process.execPath, ['-e', `
    const http = require('node:http');
    const server = http.createServer((req, res) => setTimeout(() => res.end('ok'), ${delayMs}));
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.once('data', (d) => resolve({ url: `http://127.0.0.1:${String(d).trim()}`, stop: () => child.kill() }));
  });
}

/** The hand-written gate: a metric regressed when it is worse than the baseline's number by more than 10 %. */
function naiveRegressions(c) {
  return c.metrics.filter((m) => {
    const worseUp = m.rule.expression.startsWith('+');
    if (m.scale === 'points') return m.current - m.baseline > 0.01;
    return worseUp ? m.current > m.baseline * 1.1 : m.current < m.baseline / 1.1;
  }).length;
}

function logSd(values) {
  const logs = values.filter((v) => v > 0).map(Math.log);
  const mean = logs.reduce((s, x) => s + x, 0) / logs.length;
  return Math.sqrt(logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (logs.length - 1));
}

export default async function bench() {
  const { startDemo } = await fromSource('baseline', `export { startDemo } from './src/runners/demo';`);
  const dir = mkdtempSync(path.join(tmpdir(), 'perflab-bench-baseline-'));
  const [demo, slow] = await Promise.all([startDemo({ port: 0 }), startDemo({ port: 0, env: { SLOW: '/health:20' } })]);
  const rows = [];
  try {
    // 1. Unchanged runs.
    writeFileSync(path.join(dir, 'perflab.config.json'), JSON.stringify(demoConfig(demo.url)));
    const ids = [];
    for (let i = 0; i < RUNS; i++) ids.push(runId((await perflab(dir, 'run', 'checkout')).out));
    let ours = 0;
    let naive = 0;
    let checks = 0;
    for (const id of ids.slice(1)) {
      const c = JSON.parse((await perflab(dir, 'compare', ids[0], id, '--json')).out);
      ours += c.regressions;
      for (const m of c.metrics.filter((x) => x.verdict === 'regression')) {
        process.stderr.write(`baseline: false regression ${m.metric}: ${m.baseline} → ${m.current} (${(m.change.estimate * 100).toFixed(1)} %, interval from ${(m.change.low * 100).toFixed(1)} %, basis ${m.change.basis})\n`);
      }
      naive += naiveRegressions(c);
      checks += c.metrics.length;
    }
    process.stderr.write(`baseline: ${RUNS - 1} comparisons of unchanged runs, ${checks} checks: PerfLab ${ours} false regressions, +10 % gate ${naive}\n`);
    rows.push({ metric: `false regressions, ${RUNS - 1} unchanged run pairs (${checks} checks)`, perflab: ours, anchor: naive, anchorLabel: '+10 % on the baseline number', better: 'lower', targetRatio: naive ? 0 : null });

    const records = ids.map((id) => record(dir, id));
    // Medians rest on hundreds of requests, so their spread is the machine's; a p99 of 240 requests
    // is mostly its own sampling (the comparison adds that from the histograms): shown, no target.
    for (const [label, metric, noise, target] of [['p50', 'latency.p50', 0.15, 1], ['scenario p50', 'scenario.send-text.latency.p50', 0.15, 1], ['p99, sampling included', 'latency.p99', 0.3, null]]) {
      const sd = logSd(records.map((r) => r.metrics[metric]));
      process.stderr.write(`baseline: spread between runs of ${metric}: ${(sd * 100).toFixed(1)} % (assumed ${noise * 100} %)\n`);
      rows.push({ metric: `spread between unchanged runs, ${label} (% sd)`, perflab: sd * 100, anchor: noise * 100, anchorLabel: 'PerfLab default assumed', better: 'lower', targetRatio: target });
    }

    // 2. A real change: +20 ms on GET /health.
    writeFileSync(path.join(dir, 'perflab.config.json'), JSON.stringify(demoConfig(slow.url)));
    const slowRun = await perflab(dir, 'run', 'checkout', '--baseline', ids[0]);
    const c = record(dir, runId(slowRun.out)).comparison;
    const health = c.metrics.filter((m) => m.metric.startsWith('scenario.health.') && m.verdict === 'regression').length;
    const others = c.metrics.filter((m) => m.metric.startsWith('scenario.') && !m.metric.startsWith('scenario.health.') && m.verdict === 'regression').length;
    process.stderr.write(`baseline: +20 ms on /health: ${health} health regressions, ${others} in other scenarios (PerfLab); the +10 % gate flags ${naiveRegressions(c)} metrics\n`);
    rows.push({ metric: '+20 ms on /health: regressions in other scenarios', perflab: others, anchor: 1, anchorLabel: 'must be 0', better: 'lower', targetRatio: 0 });

    // 3. --repeat 5 at +5 % and at 0 %.
    const targets = await Promise.all([delayTarget(100), delayTarget(105), delayTarget(100)]);
    let found = 0;
    let falseFound = 0;
    const seen = [];
    try {
      // A first run against each target warms it and the generator (JIT, sockets): in no set.
      for (const t of targets) {
        writeFileSync(path.join(dir, 'perflab.config.json'), JSON.stringify(steadyConfig(t.url)));
        await perflab(dir, 'run', 'steady');
      }
      for (let s = 0; s < SETS; s++) {
        writeFileSync(path.join(dir, 'perflab.config.json'), JSON.stringify(steadyConfig(targets[0].url)));
        const base = runId((await perflab(dir, 'run', 'steady', '--repeat', '5')).out);
        for (const [t, changed] of [[targets[1], true], [targets[2], false]]) {
          writeFileSync(path.join(dir, 'perflab.config.json'), JSON.stringify(steadyConfig(t.url)));
          const r = record(dir, runId((await perflab(dir, 'run', 'steady', '--repeat', '5', '--baseline', base)).out));
          const p99 = r.comparison.metrics.find((m) => m.metric === 'latency.p99');
          if (changed) {
            seen.push(p99.change.estimate);
            if (p99.verdict === 'regression') found++;
          } else if (p99.verdict === 'regression') {
            falseFound++;
          }
        }
      }
    } finally {
      for (const t of targets) t.stop();
    }
    process.stderr.write(`baseline: --repeat 5, +5 % service time: p99 changes seen ${seen.map((x) => `${(x * 100).toFixed(1)} %`).join(', ')}; found ${found}/${SETS}; unchanged flagged ${falseFound}/${SETS}\n`);
    rows.push({ metric: `--repeat 5: +5 % p99 found (of ${SETS})`, perflab: found, anchor: SETS, anchorLabel: 'every set', better: 'higher', targetRatio: 1 });
    rows.push({ metric: `--repeat 5: unchanged p99 flagged (of ${SETS})`, perflab: falseFound, anchor: SETS, anchorLabel: 'sets', better: 'lower', targetRatio: 0 });
  } finally {
    await Promise.all([demo.stop(), slow.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
