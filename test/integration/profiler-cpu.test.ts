/**
 * CPU profiles of real Node processes: attached by inspector address (CommonJS and ESM targets),
 * by pid through SIGUSR1 (a target started without --inspect), and launched by PerfLab. The known
 * hot function of each target must be the top self-time entry.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { analyzeCpuProfile } from '../../src/runners/profiler/analysis';
import { attach, type AttachedTarget } from '../../src/runners/profiler/attach';
import { captureCpuProfile } from '../../src/runners/profiler/cpu';
import { listNodeProcesses } from '../../src/runners/profiler/discovery';
import { selfTimeByFunction, startTarget, stopAllTargets, TARGETS_DIR } from '../fixtures/targets/harness';

const dir = mkdtempSync(path.join(tmpdir(), 'perflab-cpu-'));
const attached: AttachedTarget[] = [];

afterEach(async () => {
  await Promise.all(attached.splice(0).map((a) => a.close()));
  await stopAllTargets();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function profileFor(target: AttachedTarget, name: string, durationMs = 1_500) {
  const capture = captureCpuProfile(target.session, { out: path.join(dir, name), durationMs });
  const result = await capture.result;
  const analysis = await analyzeCpuProfile(result.file, { top: 10 });
  return { result, analysis };
}

describe('CPU profile', () => {
  it('finds the hot function of a CommonJS target attached by --inspect address', async () => {
    const t = await startTarget('hot.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
    attached.push(a);
    const { result, analysis } = await profileFor(a, 'cjs.cpuprofile');
    expect(result.endedBy).toBe('duration');
    expect(result.sampleCount).toBeGreaterThan(0);
    expect(result.requestedIntervalUs).toBe(1_000);
    expect(result.intervalUs).toBeGreaterThan(0);
    // The capture and the analysis of the file give one interval, one sampled time.
    expect(analysis.intervalUs).toBe(result.intervalUs);
    expect(analysis.durationMs).toBe(result.durationMs);
    expect(analysis.sampleCount).toBe(result.sampleCount);
    expect(analysis.functions[0]!.name).toBe('spinPrimesCjs');
    expect(analysis.functions[0]!.url).toContain('hot.cjs');
    expect(selfTimeByFunction(result.file)[0]!.name).toBe('spinPrimesCjs');
    // A valid DevTools profile: nodes, samples and time deltas of equal length.
    const profile = JSON.parse(readFileSync(result.file, 'utf8'));
    expect(profile.nodes.length).toBeGreaterThan(0);
    expect(profile.samples.length).toBe(profile.timeDeltas.length);
  });

  it('finds the hot function of an ES module target', async () => {
    const t = await startTarget('hot.mjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
    attached.push(a);
    const { analysis } = await profileFor(a, 'esm.cpuprofile');
    expect(analysis.functions[0]!.name).toBe('spinPrimesEsm');
    expect(analysis.functions[0]!.url).toContain('hot.mjs');
  });

  it('attaches by pid to a target started without --inspect (SIGUSR1) and finds its hot function', async () => {
    // --inspect-port=0 opens nothing at start; it makes SIGUSR1 pick a free port instead of 9229,
    // so the test passes whoever holds 9229 on this machine.
    const t = await startTarget('hot.cjs', { nodeArgs: ['--inspect-port=0'] });
    const before = (await listNodeProcesses()).find((p) => p.pid === t.pid);
    expect(before).toBeDefined();
    expect(before!.inspector).toBeUndefined();
    const logs: string[] = [];
    const a = await attach({ kind: 'pid', pid: t.pid }, { log: (_, m) => logs.push(m) });
    attached.push(a);
    expect(a.pid).toBe(t.pid);
    expect(logs.join('\n')).toContain('SIGUSR1');
    const { analysis } = await profileFor(a, 'pid.cpuprofile');
    expect(analysis.functions[0]!.name).toBe('spinPrimesCjs');
  });

  it('launches a command with its inspector on a free port and profiles it from its first line', async () => {
    const a = await attach({ kind: 'launch', command: process.execPath, args: [path.join(TARGETS_DIR, 'hot.mjs')], env: { HOT_SECONDS: '30' } });
    attached.push(a);
    expect(a.launched?.waitingForDebugger).toBe(true);
    const capture = captureCpuProfile(a.session, { out: path.join(dir, 'launch.cpuprofile'), durationMs: 1_500, onStarted: () => a.resume() });
    const result = await capture.result;
    const analysis = await analyzeCpuProfile(result.file, { top: 5 });
    expect(analysis.functions[0]!.name).toBe('spinPrimesEsm');
  });

  it('launches a non-node command through NODE_OPTIONS and stops the whole process group', async () => {
    // sh → node: the inspector is the node grandchild's, found through its "Debugger listening" line.
    const script = `"${process.execPath}" "${path.join(TARGETS_DIR, 'hot.cjs')}"; echo done`;
    const a = await attach({ kind: 'launch', command: '/bin/sh', args: ['-c', script], env: { HOT_SECONDS: '60' } });
    attached.push(a);
    expect(a.launched?.waitingForDebugger).toBe(false);
    const { result } = await a.session.send('Runtime.evaluate', { expression: 'process.pid', returnByValue: true });
    const nodePid = result.value as number;
    expect(nodePid).not.toBe(a.pid);
    const { analysis } = await profileFor(a, 'sh.cpuprofile', 1_000);
    expect(analysis.functions[0]!.name).toBe('spinPrimesCjs');
    await a.close();
    // Gone once reaped (the group got SIGTERM; its reaper may take a moment).
    const deadline = Date.now() + 10_000;
    while (isRunning(nodePid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(isRunning(nodePid)).toBe(false);
  });

  it('ends without a duration when a launched program exits, keeping the whole profile', async () => {
    const a = await attach({ kind: 'launch', command: process.execPath, args: [path.join(TARGETS_DIR, 'hot.cjs')], env: { HOT_SECONDS: '1' } });
    attached.push(a);
    const capture = captureCpuProfile(a.session, { out: path.join(dir, 'until-exit.cpuprofile'), onStarted: () => a.resume() });
    const result = await capture.result;
    expect(result.endedBy).toBe('target-exit');
    const analysis = await analyzeCpuProfile(result.file, { top: 5 });
    expect(analysis.functions[0]!.name).toBe('spinPrimesCjs');
    await a.close();
    expect(await a.launched!.exited).toBe(0);
  });
});
