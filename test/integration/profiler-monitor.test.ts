/**
 * The monitor timeline inside real targets (CommonJS and ESM): a 200 ms event-loop block shows
 * up as a max delay of at least 180 ms, and after detach the target has exactly the handles and
 * globals it had before PerfLab attached.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { attach, type AttachedTarget } from '../../src/runners/profiler/attach';
import { captureMonitor, type TimelineFile } from '../../src/runners/profiler/monitor';
import type { MonitorSample } from '../../src/runners/profiler/types';
import { startTarget, stopAllTargets, type TargetProcess } from '../fixtures/targets/harness';

const dir = mkdtempSync(path.join(tmpdir(), 'perflab-monitor-'));
const attached: AttachedTarget[] = [];

afterEach(async () => {
  await Promise.all(attached.splice(0).map((a) => a.close()));
  await stopAllTargets();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function handles(t: TargetProcess): Promise<string> {
  const seen = t.stdout.length;
  t.send('handles');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const line = t.stdout.slice(seen).find((l) => l.startsWith('handles '));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the target did not report its handles');
}

/** Resolves once `count` more samples have arrived. */
function samplesArrive(list: MonitorSample[], count: number): Promise<void> {
  const target = list.length + count;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (list.length >= target) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
  });
}

describe.each([
  ['CommonJS', 'blocker.cjs'],
  ['ESM', 'blocker.mjs'],
])('monitor on a %s target', (_kind, script) => {
  it('sees a 200 ms event-loop block and leaves no handle or global behind', async () => {
    const t = await startTarget(script, { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const before = await handles(t);

    const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
    attached.push(a);
    const live: MonitorSample[] = [];
    const out = path.join(dir, `${script}.timeline.json`);
    const capture = captureMonitor(a.session, { out, intervalMs: 100 });
    capture.on('sample', (s) => live.push(s));

    await samplesArrive(live, 2);
    // The check below can see the sampler: while it runs, its (unref'd) timer is counted.
    expect(await handles(t)).not.toBe(before);
    t.send('block 200');
    await t.waitForLine(/^blocked 200$/);
    await samplesArrive(live, 3);
    capture.cancel();
    const result = await capture.result;

    expect(result.endedBy).toBe('cancelled');
    expect(result.summary.loopDelay.max).toBeGreaterThanOrEqual(180);
    expect(result.samples.length).toBeGreaterThanOrEqual(live.length);
    const sample = result.samples[0]!;
    expect(sample.heapUsed).toBeGreaterThan(0);
    expect(sample.rss).toBeGreaterThan(sample.heapUsed);
    expect(sample.heapTotal).toBeGreaterThanOrEqual(sample.heapUsed);
    expect(sample.cpu.user).toBeGreaterThanOrEqual(0);
    // Samples are in order on the target's clock.
    for (let i = 1; i < result.samples.length; i++) expect(result.samples[i]!.t).toBeGreaterThan(result.samples[i - 1]!.t);

    const file = JSON.parse(readFileSync(out, 'utf8')) as TimelineFile;
    expect(file.format).toBe('perflab-timeline');
    expect(file.complete).toBe(true);
    expect(file.samples.length).toBe(result.samples.length);

    // Nothing of the sampler may remain: same handles, no global left.
    const check = await a.session.send('Runtime.evaluate', {
      expression: "Object.getOwnPropertySymbols(globalThis).filter((s) => String(s).includes('perflab')).length",
      returnByValue: true,
    });
    expect(check.result.value).toBe(0);
    await a.close();
    expect(await handles(t)).toBe(before);
  });
});

describe('monitor faults', () => {
  it('keeps the partial timeline and says so when the target exits mid-capture', async () => {
    const t = await startTarget('blocker.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
    attached.push(a);
    const out = path.join(dir, 'exit.timeline.json');
    const live: MonitorSample[] = [];
    const capture = captureMonitor(a.session, { out, intervalMs: 100, durationMs: 60_000 });
    capture.on('sample', (s) => live.push(s));
    await samplesArrive(live, 3);
    t.send('exit 0');
    const err = await capture.result.then(() => undefined, (e: unknown) => e as Error & { reason?: string; partial?: string[] });
    expect(err).toBeDefined();
    expect(err!.reason).toBe('target-exit');
    expect(err!.message).toMatch(/target exited/);
    expect(err!.message).toContain(out);
    expect(err!.partial).toEqual([out]);
    const file = JSON.parse(readFileSync(out, 'utf8')) as TimelineFile;
    expect(file.complete).toBe(false);
    expect(file.endedBy).toBe('target-exit');
    expect(file.samples.length).toBeGreaterThanOrEqual(3);
    await a.close();
    expect(await t.exited).toBe(0);
  });

  it('keeps the partial timeline when the target is killed', async () => {
    const t = await startTarget('blocker.mjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
    attached.push(a);
    const out = path.join(dir, 'killed.timeline.json');
    const live: MonitorSample[] = [];
    const capture = captureMonitor(a.session, { out, intervalMs: 100, durationMs: 60_000 });
    capture.on('sample', (s) => live.push(s));
    await samplesArrive(live, 3);
    t.child.kill('SIGKILL');
    const err = await capture.result.then(() => undefined, (e: unknown) => e as Error & { reason?: string; partial?: string[] });
    expect(err?.reason).toBe('target-exit');
    expect(err?.partial).toEqual([out]);
    const file = JSON.parse(readFileSync(out, 'utf8')) as TimelineFile;
    expect(file.complete).toBe(false);
    expect(file.samples.length).toBeGreaterThanOrEqual(3);
  });
});
