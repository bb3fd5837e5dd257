/**
 * The heap snapshot's memory warning tells the truth and the check refuses what the machine
 * cannot hold: the projection comes from the real target's heap and this machine's real
 * MemAvailable, the refusal is tested with a lower limit injected, and --force overrides it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { attach, type AttachedTarget } from '../../src/runners/profiler/attach';
import { takeHeapSnapshot } from '../../src/runners/profiler/snapshot';
import { checkSnapshotMemory, SNAPSHOT_PEAK_FACTOR } from '../../src/runners/profiler/snapshotMemory';
import { ProfilerError } from '../../src/runners/profiler/types';
import { cliFolder } from '../helpers/cli';
import { startTarget, stopAllTargets } from '../fixtures/targets/harness';

const folder = cliFolder('perflab-snapshot-memory-');
const attached: AttachedTarget[] = [];
afterEach(async () => {
  await Promise.all(attached.splice(0).map((a) => a.close()));
  await stopAllTargets();
});
afterAll(() => folder.remove());

const memAvailable = () => Number(/^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
const vmRss = (pid: number) => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const MB = 2 ** 20;

async function widgets() {
  const t = await startTarget('instances.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'], env: { INSTANCES: '200000' } });
  const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
  attached.push(a);
  return { t, a };
}

describe('heap snapshot memory', () => {
  it('warns with the measured factor and the projected peak of this target', async () => {
    const t = await startTarget('instances.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'], env: { INSTANCES: '200000' } });
    const r = await folder.runAsync('profile', 'snapshot', '--inspect', String(t.inspectorPort), '--out', 'w.heapsnapshot');
    expect(r.code).toBe(0);
    const m = /warn: taking a heap snapshot pauses the target until the heap is written and raises its memory to about 15× its heap in use \(measured 12–15× for heaps of objects\): heap in use ([\d.]+) MB × 15 ≈ ([\d.]+) (MB|GB) RSS \([\d.]+ MB now\); [\d.]+ GB available on this machine/.exec(r.err);
    expect(m, r.err).not.toBeNull();
    const projected = Number(m![2]) * (m![3] === 'GB' ? 1024 : 1);
    expect(Math.abs(projected - Number(m![1]) * 15)).toBeLessThanOrEqual(1.5);
    expect(r.err).not.toMatch(/~3×/);
  });

  it('projects from the real heap and compares with the real MemAvailable', async () => {
    const { t, a } = await widgets();
    const before = memAvailable();
    const check = await checkSnapshotMemory(a.session);
    const after = memAvailable();
    expect(check.factor).toBe(SNAPSHOT_PEAK_FACTOR);
    // 200,000 widgets: several MB of heap, all of it the target's.
    expect(check.heapUsed).toBeGreaterThan(5 * MB);
    expect(check.projectedPeak).toBe(check.heapUsed * SNAPSHOT_PEAK_FACTOR);
    expect(Math.abs(check.rss! - vmRss(t.pid))).toBeLessThan(0.2 * vmRss(t.pid));
    expect(check.growth).toBe(Math.max(0, check.projectedPeak - check.rss!));
    expect(check.available!).toBeGreaterThanOrEqual(Math.min(before, after) - 64 * MB);
    expect(check.available!).toBeLessThanOrEqual(Math.max(before, after) + 64 * MB);
    expect(check.ok).toBe(true);
  });

  it('refuses when the machine has less than the projection needs (a lower limit injected), and --force takes it', async () => {
    const { a } = await widgets();
    const real = await checkSnapshotMemory(a.session);
    const limit = Math.floor(real.growth / 2);
    const refused = await checkSnapshotMemory(a.session, { availableBytes: limit });
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^refusing to take a heap snapshot: .* this machine has [\d.]+ MB available; .*--force/);

    const dir = path.join(folder.dir, 'refused');
    const out = path.join(dir, 'r.heapsnapshot');
    const err = await takeHeapSnapshot(a.session, { out, memory: { availableBytes: limit } }).result.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ProfilerError);
    expect((err as ProfilerError).reason).toBe('refused');
    expect((err as ProfilerError).message).toMatch(/^refusing to take a heap snapshot: .* this machine has [\d.]+ MB available; .*--force/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);

    const logs: string[] = [];
    const forced = takeHeapSnapshot(a.session, { out, force: true, memory: { availableBytes: limit } });
    forced.on('log', (l) => logs.push(l.message));
    const result = await forced.result;
    expect(existsSync(result.file)).toBe(true);
    expect(logs.join('\n')).toMatch(/^--force: taking the heap snapshot although the target is projected to grow by/m);
  });

  it('takes --force only where a snapshot is taken', async () => {
    const r = await folder.runAsync('profile', 'cpu', '--pid', '1', '--force');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--force works with snapshot and leaks/);
  });
});
