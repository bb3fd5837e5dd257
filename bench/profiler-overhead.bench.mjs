// What CPU profiling at 1 ms costs the profiled service: demo-stack throughput (POST /messages,
// autocannon closed loop) with PerfLab's CPU profiler running in it, against the same process with
// the profiler stopped, in alternating rounds so drift hits both sides alike. The profiler code is
// bundled from the sources with esbuild; the demo stack runs with its own private redis-server.
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
const ROUNDS = 4;
const ROUND_S = 6;
const CONNECTIONS = 10;

async function loadProfiler() {
  const dir = path.join(root, 'node_modules', '.cache', 'perflab-bench');
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, `profiler-${process.pid}.cjs`);
  await esbuild.build({
    stdin: {
      contents: `export { startDemo } from './src/cli/demo';
export { attach } from './src/runners/profiler/attach';
export { startCpuProfile } from './src/runners/profiler/cpu';`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'warning',
  });
  try {
    return require(outfile);
  } finally {
    rmSync(outfile, { force: true });
  }
}

function load(url, seconds) {
  const autocannon = require(path.join(root, 'node_modules', 'autocannon'));
  return autocannon({
    url: `${url}/messages`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: '+15551234567', type: 'text', body: 'bench' }),
    connections: CONNECTIONS,
    duration: seconds,
  }).then((r) => {
    if (r.errors || r.non2xx) throw new Error(`the demo stack answered ${r.errors} errors and ${r.non2xx} non-2xx responses`);
    return r.requests.total / r.duration;
  });
}

export default async function bench() {
  const { startDemo, attach, startCpuProfile } = await loadProfiler();
  // --inspect-port=0: the inspector opens on a free port when attached, whoever holds 9229.
  const demo = await startDemo({ port: 0, env: { NODE_OPTIONS: '--inspect-port=0' } });
  let target;
  try {
    target = await attach({ kind: 'pid', pid: demo.pid });
    await load(demo.url, 5); // warm-up: JIT, connections, Redis
    const without = [];
    const withProfiler = [];
    let samples = 0;
    const profiled = async () => {
      const recording = await startCpuProfile(target.session, { intervalUs: 1_000 });
      withProfiler.push(await load(demo.url, ROUND_S));
      samples += (await recording.stop()).samples?.length ?? 0;
    };
    // A B, B A, A B, ...: a slow drift (Redis filling up, a neighbour's job) hits both sides alike.
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2) await profiled();
      without.push(await load(demo.url, ROUND_S));
      if (round % 2 === 0) await profiled();
    }
    if (samples === 0) throw new Error('the CPU profiler recorded no samples');
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    process.stderr.write(`profiler overhead: without ${without.map(Math.round).join(', ')} req/s; with ${withProfiler.map(Math.round).join(', ')} req/s\n`);
    return [
      {
        metric: `demo-stack throughput, CPU profiling at 1 ms (req/s, ${ROUNDS}×${ROUND_S} s each)`,
        perflab: mean(withProfiler),
        anchor: mean(without),
        anchorLabel: 'same process, not profiling',
        better: 'higher',
        targetRatio: 0.9,
      },
    ];
  } finally {
    await target?.close();
    await demo.stop();
  }
}
