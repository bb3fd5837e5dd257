// What a heap snapshot costs the target in memory: a live heap of the shape heap-target.cjs
// builds (the analysis bench's fixture, kept alive), a snapshot taken through PerfLab's own capture
// (bundled from the sources), and the target's resident memory polled from /proc every 10 ms
// (its VmHWM, reset just before, as a cross-check). The figure is peak RSS ÷ heap in use as the
// check reads it before the snapshot: the factor PerfLab's warning and refusal use
// (src/runners/profiler/snapshotMemory.ts), which must not be below what is measured here.
// Linux only (/proc). Two heap sizes; the larger is the one ANCHORS.md measured (113 MB heap).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fromSource } from './fixtures/from-source.mjs';
import { here } from './fixtures/cache.mjs';

const SCALES = [0.1, 0.4];

const loadProfiler = () =>
  fromSource('snapshot-memory', `export { attach } from './src/runners/profiler/attach';
export { takeHeapSnapshot } from './src/runners/profiler/snapshot';
export { checkSnapshotMemory, SNAPSHOT_PEAK_FACTOR } from './src/runners/profiler/snapshotMemory';`);

const statusBytes = (pid, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** Starts heap-target.cjs at `scale`, kept alive with its inspector on a free loopback port. */
function startTarget(scale) {
  const child = spawn(process.execPath, ['--max-old-space-size=8192', '--inspect=127.0.0.1:0', path.join(here, 'heap-target.cjs'), String(scale), '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let port;
    let out = '';
    child.stderr.on('data', (d) => {
      port ??= Number(/ws:\/\/[^:]+:(\d+)\//.exec(String(d))?.[1]) || undefined;
    });
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n') && port) resolve({ child, port });
    });
    child.once('exit', (code) => reject(new Error(`heap-target.cjs exited with ${code}`)));
  });
}

async function measure(profiler, scale, dir) {
  const { child, port } = await startTarget(scale);
  const target = await profiler.attach({ kind: 'address', address: { host: '127.0.0.1', port } });
  try {
    const check = await profiler.checkSnapshotMemory(target.session);
    try {
      writeFileSync(`/proc/${child.pid}/clear_refs`, '5'); // resets VmHWM to the RSS now
    } catch {
      // Not permitted: VmHWM then includes the build-up, the polled peak still counts.
    }
    let polled = statusBytes(child.pid, 'VmRSS');
    const timer = setInterval(() => (polled = Math.max(polled, statusBytes(child.pid, 'VmRSS'))), 10);
    const result = await profiler.takeHeapSnapshot(target.session, { out: path.join(dir, `s${scale}.heapsnapshot`), force: true }).result;
    clearInterval(timer);
    const peak = Math.max(polled, statusBytes(child.pid, 'VmHWM'));
    rmSync(result.file, { force: true });
    return { heapUsed: check.heapUsed, peak, factor: peak / check.heapUsed, snapshotBytes: result.bytes };
  } finally {
    await target.close();
    child.kill('SIGKILL');
  }
}

export default async function bench() {
  if (process.platform !== 'linux') return [];
  const profiler = await loadProfiler();
  const dir = mkdtempSync(path.join(tmpdir(), 'perflab-bench-snapmem-'));
  const rows = [];
  try {
    for (const scale of SCALES) {
      const m = await measure(profiler, scale, dir);
      const mb = (b) => (b / 2 ** 20).toFixed(0);
      process.stderr.write(`bench: snapshot of a ${mb(m.heapUsed)} MB heap (${mb(m.snapshotBytes)} MB file): target peak ${mb(m.peak)} MB RSS, ${m.factor.toFixed(2)}× its heap\n`);
      rows.push({
        metric: `heap snapshot: target peak RSS ÷ heap in use (${mb(m.heapUsed)} MB heap)`,
        perflab: m.factor,
        anchor: profiler.SNAPSHOT_PEAK_FACTOR,
        anchorLabel: "the factor PerfLab's warning uses",
        better: 'lower',
        targetRatio: 1,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push({ metric: '  ANCHORS: 1.13 GB heap → 14.7 GB RSS', perflab: 14.7 / 1.13, anchor: profiler.SNAPSHOT_PEAK_FACTOR, anchorLabel: "the factor PerfLab's warning uses", better: 'lower', targetRatio: null });
  return rows;
}
