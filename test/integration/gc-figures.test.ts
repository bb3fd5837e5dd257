/**
 * The two GC figures of one capture against V8's own accounting of the same window. A real
 * allocating HTTP server runs under a load profile while PerfLab profiles it (profile under
 * load: the run's monitor and a CPU profile); the server was started with `--trace-gc` and V8's
 * GC trace events, which give the independent figures:
 * - "GC pauses" (monitor, perf_hooks) against the pauses `--trace-gc` prints between two markers;
 * - "time in GC" (the CPU profile's `(garbage collector)` samples) against the main thread's GC
 *   time in V8's trace events within the profile's own time span, which is `--trace-gc`'s pauses
 *   plus its incremental marking steps plus two things `--trace-gc` does not print: the start of
 *   incremental marking and the sweeping done on the main thread.
 *
 * The server runs with --single-threaded-gc. With GC helper threads on a machine with few cores,
 * a parallel scavenge keeps every core busy, V8's sampler thread is not scheduled until it ends,
 * and the `(garbage collector)` sample taken at its start is stretched past its end: on 2 cores
 * the profile then reads 20–30 % above V8's own figure. Even on one GC thread the profile is a
 * sample, not a trace: V8 reports some samples in its GC state where it traces no GC scope
 * (between two idle samples), and samples taken on a 1 ms clock meet work woken by millisecond
 * timers unevenly. Measured here it reads 5–16 % above V8's trace (the most on a CI run of the
 * whole suite), never below it, so the check allows 20 % above and 10 % below; the pauses,
 * measured rather than sampled, are held to 10 % either way.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/core/config';
import { processLines } from '../../src/core/report/process';
import { RunStore } from '../../src/core/runStore';
import { attach, type AttachedTarget } from '../../src/runners/profiler/attach';
import { profileUnderLoad } from '../../src/runners/profiler/underLoad';
import { startTarget, stopAllTargets } from '../fixtures/targets/harness';
import { sumTraceGc, traceEventGc } from '../helpers/v8gc';
import { waitUntil } from '../helpers/redis';

const dir = mkdtempSync(path.join(tmpdir(), 'perflab-gc-'));
const attached: AttachedTarget[] = [];
afterEach(async () => {
  await Promise.all(attached.splice(0).map((a) => a.close()));
  await stopAllTargets();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const within = (actual: number, expected: number, tolerance: number) => Math.abs(actual - expected) <= tolerance * expected;

describe('GC figures of one capture', () => {
  it('GC pauses match --trace-gc, time in GC matches V8\'s main-thread GC time, and the printed names say which is which', async () => {
    const traceFile = path.join(dir, 'gc-trace.log');
    const t = await startTarget('gc-server.cjs', {
      nodeArgs: ['--single-threaded-gc', '--trace-gc', '--trace-event-categories', 'v8.gc,disabled-by-default-v8.gc', `--trace-event-file-pattern=${traceFile}`, '--inspect=127.0.0.1:0'],
    });
    const port = Number((await t.waitForLine(/^ready (\d+)$/))[1]);
    const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
    attached.push(a);
    const { config } = parseConfigText(JSON.stringify({
      targets: { gc: { baseUrl: `http://127.0.0.1:${port}` } },
      profiles: {
        churn: {
          type: 'http', target: 'gc',
          phases: [{ name: 'churn', duration: '4s', arrivalRate: 400 }],
          scenarios: [{ name: 'orders', request: { path: '/' } }],
          thresholds: { 'eventLoop.lag.max': '< 10s' },
        },
      },
    }), path.join(dir, 'perflab.config.json'), { processNamedFor: 'churn' });

    // The server allocates only while it serves, so its GCs are those of the load run; the marks
    // bracket the run in its stdout, in order with the --trace-gc lines.
    t.send('mark');
    await t.waitForLine(/^mark 1$/);
    const result = await profileUnderLoad(a.session, {
      config: config!, profile: 'churn', configDir: dir, store: new RunStore(path.join(dir, 'runs')), trusted: true, targetPid: t.pid
    }).result;
    t.send('mark');
    await t.waitForLine(/^mark 2$/);
    await a.close();
    t.send('exit');
    expect(await t.exited).toBe(0);
    await waitUntil(() => existsSync(traceFile), 'the trace events file');

    // After its captures stop, PerfLab forces full collections to read the live heap (the
    // diagnosis's post-GC heap point, measureLiveHeap: HeapProfiler.collectGarbage, which V8 runs
    // as a "low memory notification"). They fall outside the monitor's window, so they are not
    // among the pauses it measured.
    const lines = t.stdout.slice(t.stdout.indexOf('mark 1') + 1, t.stdout.indexOf('mark 2')).filter((l) => !l.includes('low memory notification'));
    const traceGc = sumTraceGc(lines);
    const profile = JSON.parse(readFileSync(result.cpu!.file, 'utf8')) as { startTime: number; endTime: number };
    const v8 = traceEventGc(traceFile, profile.startTime, profile.endTime);
    const gc = result.record.process!.gc;
    const figures = `PerfLab: pauses ${gc.pauseMs.toFixed(1)} ms, time in GC ${gc.timeInGcMs!.toFixed(1)} ms; --trace-gc: ${traceGc.collections} collections, pauses ${traceGc.pauseMs.toFixed(1)} ms + incremental marking ${traceGc.incrementalMs.toFixed(1)} ms; V8 trace events, main thread: ${v8.totalMs.toFixed(1)} ms ${JSON.stringify(v8.byScope)}`;

    expect(traceGc.collections, figures).toBeGreaterThan(10);
    expect(traceGc.incrementalMs, figures).toBeGreaterThan(0);
    expect(within(gc.pauseMs, traceGc.pauseMs, 0.1), figures).toBe(true);
    // What --trace-gc prints, with the two parts it leaves out, is V8's main-thread GC time...
    const notPrinted = (v8.byScope['V8.GC_MC_INCREMENTAL_START'] ?? 0) + (v8.byScope['V8.GC_MC_SWEEP'] ?? 0) + (v8.byScope['V8.GC_MC_COMPLETE_SWEEPING'] ?? 0);
    expect(within(traceGc.pauseMs + traceGc.incrementalMs + notPrinted, v8.totalMs, 0.1), figures).toBe(true);
    // ...and that is what the profile's time in GC measures: more than the pauses, by the rest.
    expect(gc.timeInGcMs!, figures).toBeGreaterThan(gc.pauseMs);
    expect(gc.timeInGcMs! >= 0.9 * v8.totalMs && gc.timeInGcMs! <= 1.2 * v8.totalMs, figures).toBe(true);
    const printed = processLines(result.record.process!, result.record.process!.resolutionMs).join('\n');
    expect(printed).toMatch(/^GC pauses \(stop-the-world collections, from the monitor\): [\d,]+ collections, [\d.,]+ m?s in total/m);
    expect(printed).toMatch(/^time in GC \(CPU profile: pauses, incremental marking and sweeping on the main thread\): [\d.,]+ m?s$/m);
  });
});
