// What CPU profiling at 1 ms costs the profiled service: demo-stack throughput (POST /messages,
// autocannon closed loop) in three states, in rotating rounds so drift hits all alike:
//   - PerfLab's CPU profiler running in it (attached by pid, Profiler.start over the inspector);
//   - the V8 floor: a second demo process started with `node --cpu-prof --cpu-prof-interval 1000`,
//     V8's own sampler at the same interval with nothing of PerfLab in the process;
//   - the first process with PerfLab attached but not profiling (what profiling costs at all).
// PerfLab must reach 0.98× of the floor: whatever it adds on top of V8's sampler (polling,
// evaluation, transfer) shows as the difference. The profiler code is bundled from the sources
// with esbuild; each demo runs with its own private redis-server.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  const profDir = mkdtempSync(path.join(tmpdir(), 'perflab-bench-cpuprof-'));
  // --inspect-port=0: the inspector opens on a free port when attached, whoever holds 9229.
  const demo = await startDemo({ port: 0, env: { NODE_OPTIONS: '--inspect-port=0' } });
  let floorDemo;
  let target;
  try {
    floorDemo = await startDemo({ port: 0, nodeArgs: ['--cpu-prof', '--cpu-prof-interval', '1000', `--cpu-prof-dir=${profDir}`] });
    target = await attach({ kind: 'pid', pid: demo.pid });
    await load(demo.url, 5); // warm-up: JIT, connections, Redis
    await load(floorDemo.url, 5);
    const sides = { perflab: [], floor: [], attached: [] };
    let samples = 0;
    const run = {
      perflab: async () => {
        const recording = await startCpuProfile(target.session, { intervalUs: 1_000 });
        sides.perflab.push(await load(demo.url, ROUND_S));
        samples += (await recording.stop()).samples?.length ?? 0;
      },
      floor: async () => sides.floor.push(await load(floorDemo.url, ROUND_S)),
      attached: async () => sides.attached.push(await load(demo.url, ROUND_S)),
    };
    // Rotate the order each round (P F A, F A P, A P F, ...): a slow drift (Redis filling up, a
    // neighbour's job) hits every side alike.
    const order = ['perflab', 'floor', 'attached'];
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < order.length; k++) await run[order[(round + k) % order.length]]();
    }
    if (samples === 0) throw new Error('the CPU profiler recorded no samples');
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const show = (xs) => xs.map(Math.round).join(', ');
    process.stderr.write(`profiler overhead (req/s): PerfLab profiling ${show(sides.perflab)}; --cpu-prof ${show(sides.floor)}; attached, not profiling ${show(sides.attached)}\n`);
    return [
      {
        metric: `demo-stack throughput, CPU profiling at 1 ms (req/s, ${ROUNDS}×${ROUND_S} s each)`,
        perflab: mean(sides.perflab),
        anchor: mean(sides.floor),
        anchorLabel: 'V8 floor: node --cpu-prof at 1 ms, same run',
        better: 'higher',
        targetRatio: 0.98,
      },
      {
        metric: 'demo-stack throughput, CPU profiling at 1 ms vs not profiling (req/s)',
        perflab: mean(sides.perflab),
        anchor: mean(sides.attached),
        anchorLabel: 'same process, attached, not profiling',
        better: 'higher',
        targetRatio: null,
      },
    ];
  } finally {
    await target?.close();
    await demo.stop();
    await floorDemo?.stop();
    rmSync(profDir, { recursive: true, force: true });
  }
}
