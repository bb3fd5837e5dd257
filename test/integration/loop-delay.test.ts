/**
 * Event-loop delay as the monitor reports it, net of the 10 ms timer resolution, in real
 * processes: an idle one reads well under a millisecond (as Node's own monitorEventLoopDelay of
 * the same process does, less its 10 ms), a known 200 ms block reads 190–210 ms,
 * and the p99 of a window is a percentile of the whole window's delays (not a mean of
 * per-interval percentiles), checked against what a known pattern of blocks must give.
 *
 * The expectations come from how the delay is measured: a timer armed every 10 ms that is due
 * during a block of B ms fires when the block ends, between 0 and 10 ms after it was due, so
 * that tick is late by B − (0..10] ms, and every tick of an idle loop is late by about 0.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { attach, type AttachedTarget } from '../../src/runners/profiler/attach';
import { captureMonitor, startMonitor } from '../../src/runners/profiler/monitor';
import type { MonitorSample } from '../../src/runners/profiler/types';
import { startTarget, stopAllTargets, type TargetProcess } from '../fixtures/targets/harness';
import { waitUntil } from '../helpers/redis';

const attached: AttachedTarget[] = [];
afterEach(async () => {
  await Promise.all(attached.splice(0).map((a) => a.close()));
  await stopAllTargets();
});

async function monitored(): Promise<{ t: TargetProcess; live: MonitorSample[]; capture: ReturnType<typeof captureMonitor> }> {
  // On a machine busy with other work, waiting for a CPU adds milliseconds to a few ticks: a
  // raised priority keeps most of that out, so what is measured is the target's own loop.
  const t = await startTarget('blocker.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'], priority: -20 });
  const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
  attached.push(a);
  const live: MonitorSample[] = [];
  const capture = captureMonitor(a.session, { intervalMs: 250 });
  capture.on('sample', (s) => live.push(s));
  return { t, live, capture };
}

describe('event-loop delay, net of the timer resolution', () => {
  it('reads well under 1 ms in an idle process, as Node measures that process itself', async () => {
    const t = await startTarget('idle-delay.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'], priority: -20 });
    const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
    attached.push(a);
    // The two windows coincide: the target measures its own delay (monitorEventLoopDelay) from
    // just after the monitor starts to just before it stops.
    const recording = await startMonitor(a.session, { intervalMs: 250 });
    t.send('start');
    await t.waitForLine(/^started$/);
    await waitUntil(() => recording.samples.length >= 12, 'three seconds of samples', 30_000);
    t.send('stop');
    const [, ownP50, ownP99] = (await t.waitForLine(/^delay ([\d.]+) ([\d.]+) ([\d.]+)$/)).map(Number);
    const { loopDelay: d } = await recording.stop();
    const figures = `monitor ${JSON.stringify(d)}; the process itself: p50 ${ownP50} ms, p99 ${ownP99} ms`;
    expect(d.count).toBeGreaterThan(250);
    expect(d.p50, figures).toBeLessThan(0.5);
    expect(Math.abs(d.p50 - ownP50!), figures).toBeLessThan(0.25);
    // The tail is a few ticks out of hundreds, which the two timers (ticking at different moments)
    // meet differently when the machine is busy: the p99s agree to within a millisecond.
    expect(Math.abs(d.p99 - ownP99!), figures).toBeLessThan(1);
    // Well under 1 ms, unless the machine is so busy that the process's own reading is late too.
    expect(d.p99, figures).toBeLessThan(Math.max(1, ownP99! + 1));
  });

  it('reads a 200 ms block as 190–210 ms', async () => {
    const { t, live, capture } = await monitored();
    await waitUntil(() => live.length >= 2, 'two monitor samples');
    t.send('block 200');
    await t.waitForLine(/^blocked 200$/);
    const seen = live.length;
    await waitUntil(() => live.length >= seen + 2, 'two samples after the block');
    capture.cancel();
    const { summary, samples } = await capture.result;
    expect(summary.loopDelay.max).toBeGreaterThanOrEqual(190);
    expect(summary.loopDelay.max).toBeLessThanOrEqual(210);
    // The interval that saw the block says the same.
    expect(Math.max(...samples.map((s) => s.loopDelay.max))).toBeCloseTo(summary.loopDelay.max, 0);
  });

  it('gives the p99 of the whole window, which a mean of per-interval p99s is not', async () => {
    const { t, live, capture } = await monitored();
    await waitUntil(() => live.length >= 4, 'a second of idle samples');
    // Ten 60 ms blocks, one every 100 ms: about 2 % of the window's ticks are late by 50–60 ms.
    t.send('blocks 10 60 100');
    await t.waitForLine(/^blocks done 10$/);
    const seen = live.length;
    await waitUntil(() => live.length >= seen + 8, 'two more seconds of idle samples');
    capture.cancel();
    const { summary, samples } = await capture.result;

    const d = summary.loopDelay;
    const lateTicks = 10;
    // The window has more than 1 % late ticks, fewer than 10 %: its p99 is a late tick, its p90 an idle one.
    expect(lateTicks / d.count).toBeGreaterThan(0.01);
    expect(lateTicks / d.count).toBeLessThan(0.1);
    // A late tick waits out the 60 ms block less up to 10 ms; a machine that takes the CPU away
    // right after a block (a VM's steal time) makes it later still, so no tight upper bound
    // here: the 200 ms block above checks that the resolution is taken off.
    expect(d.p99).toBeGreaterThanOrEqual(50);
    expect(d.p99).toBeLessThanOrEqual(100);
    // An idle tick: about 0, a few ms where the machine takes the CPU away now and then (a VM's
    // steal time), and far from the 50–60 ms of a late one.
    expect(d.p90).toBeLessThan(5);
    // Most intervals saw no block: the mean of their p99s is far below the window's p99.
    const meanOfP99s = samples.reduce((a, s) => a + s.loopDelay.p99, 0) / samples.length;
    expect(meanOfP99s).toBeLessThan(d.p99 / 2);
  });
});
