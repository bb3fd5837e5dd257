// What CPU profiling at 1 ms costs the profiled service: demo-stack throughput (POST
// /analytics/events, a Redis pipeline per request, autocannon closed loop) in three states, in
// rotating rounds so drift hits all alike. The route leaves no work behind (POST /messages would
// leave a queue backlog that the demo's worker drains during the next round, on another side).
// In one process, attached by PerfLab (by pid):
//   - PerfLab's CPU profiler running (Profiler.start over the inspector's WebSocket);
//   - the V8 floor: V8's sampler at the same interval started by an in-process inspector session,
//     as `node --cpu-prof` does it (bench/fixtures/inproc-cpu-prof.cjs, toggled by SIGUSR2);
//   - not profiling.
// And, for comparison, a second process under `node --cpu-prof --cpu-prof-interval 1000` and a
// third with no flags: two processes differ by up to 10 % here whatever they do, so the
// --cpu-prof floor is taken against its twin, never against PerfLab's process directly.
// PerfLab must keep ≥ 0.98× of the throughput the floor keeps: whatever it adds on top of V8's
// sampler (polling, evaluation, transfer) shows as the difference. The profiler code is bundled
// from the sources with esbuild; each demo runs with its own private redis-server.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fromSource } from './fixtures/from-source.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
const ROUNDS = 6;
const ROUND_S = 6;
const CONNECTIONS = 10;

const loadProfiler = () =>
  fromSource('profiler', `export { startDemo } from './src/runners/demo';
export { attach } from './src/runners/profiler/attach';
export { startCpuProfile } from './src/runners/profiler/cpu';`);

function load(url, seconds) {
  const autocannon = require(path.join(root, 'node_modules', 'autocannon'));
  return autocannon({
    url: `${url}/analytics/events`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'sent', phone: '+15551234567' }),
    connections: CONNECTIONS,
    duration: seconds,
  }).then((r) => {
    if (r.errors || r.non2xx) throw new Error(`the demo stack answered ${r.errors} errors and ${r.non2xx} non-2xx responses`);
    return r.requests.total / r.duration;
  });
}

export default async function bench() {
  const { startDemo, attach, startCpuProfile } = await loadProfiler();
  const work = mkdtempSync(path.join(tmpdir(), 'perflab-bench-cpuprof-'));
  const stateFile = path.join(work, 'inproc-state');
  // --inspect-port=0: the inspector opens on a free port when attached, whoever holds 9229.
  const demo = await startDemo({
    port: 0,
    nodeArgs: ['--require', path.join(root, 'bench/fixtures/inproc-cpu-prof.cjs')],
    env: { NODE_OPTIONS: '--inspect-port=0', PERFLAB_BENCH_INPROC_STATE: stateFile },
  });
  let floorDemo;
  let plainDemo;
  let target;
  try {
    floorDemo = await startDemo({ port: 0, nodeArgs: ['--cpu-prof', '--cpu-prof-interval', '1000', `--cpu-prof-dir=${work}`] });
    plainDemo = await startDemo({ port: 0 });
    target = await attach({ kind: 'pid', pid: demo.pid });
    for (const d of [demo, floorDemo, plainDemo]) await load(d.url, 5); // warm-up: JIT, connections, Redis
    const inproc = async (want) => {
      rmSync(stateFile, { force: true });
      process.kill(demo.pid, 'SIGUSR2');
      while (!existsSync(stateFile) || readFileSync(stateFile, 'utf8') !== want) await new Promise((r) => setTimeout(r, 20));
    };
    const sides = { perflab: [], inproc: [], attached: [], cpuProf: [], plain: [] };
    let samples = 0;
    const run = {
      perflab: async () => {
        const recording = await startCpuProfile(target.session, { intervalUs: 1_000 });
        sides.perflab.push(await load(demo.url, ROUND_S));
        samples += (await recording.stop()).samples?.length ?? 0;
      },
      inproc: async () => {
        await inproc('on');
        sides.inproc.push(await load(demo.url, ROUND_S));
        await inproc('off');
      },
      attached: async () => sides.attached.push(await load(demo.url, ROUND_S)),
      cpuProf: async () => sides.cpuProf.push(await load(floorDemo.url, ROUND_S)),
      plain: async () => sides.plain.push(await load(plainDemo.url, ROUND_S)),
    };
    // Rotate the order each round: a slow drift (Redis filling up, a neighbour's job) hits every side alike.
    const order = Object.keys(run);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < order.length; k++) await run[order[(round + k) % order.length]]();
    }
    if (samples === 0) throw new Error('the CPU profiler recorded no samples');
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const show = (xs) => xs.map(Math.round).join(', ');
    process.stderr.write(
      `profiler overhead (req/s): PerfLab profiling ${show(sides.perflab)}; in-process V8 profiler ${show(sides.inproc)}; ` +
        `not profiling ${show(sides.attached)}; --cpu-prof process ${show(sides.cpuProf)}; its twin without flags ${show(sides.plain)}\n`,
    );
    const kept = (side, base) => (100 * mean(sides[side])) / mean(sides[base]);
    return [
      {
        metric: `demo-stack throughput, CPU profiling at 1 ms (req/s, ${ROUNDS}×${ROUND_S} s each)`,
        perflab: mean(sides.perflab),
        anchor: mean(sides.inproc),
        anchorLabel: 'V8 floor: the same process, its own in-process session (as --cpu-prof)',
        better: 'higher',
        targetRatio: 0.98,
      },
      {
        metric: 'demo-stack throughput kept while CPU profiling at 1 ms (%)',
        perflab: kept('perflab', 'attached'),
        anchor: kept('cpuProf', 'plain'),
        anchorLabel: 'node --cpu-prof at 1 ms vs its twin without flags',
        better: 'higher',
        targetRatio: 0.98,
      },
    ];
  } finally {
    await target?.close();
    await demo.stop();
    await floorDemo?.stop();
    await plainDemo?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
