/**
 * What a heap snapshot costs the target in memory, said before it is taken. While V8 builds and
 * serialises a snapshot the target's resident memory grows to a large multiple of its heap in use
 * (bench/snapshot-memory.bench.mjs, through this capture: 12.3× for a 34 MB heap, 12.7× for a
 * 116 MB one; ANCHORS.md: 13× for a 1.13 GB heap; a 408 MB heap peaked at 6.0 GB, 14.7×), so a big
 * heap on a machine without that much free memory gets OOM-killed or swaps the machine to a halt.
 * The check projects the peak (heap in use × the factor), compares the growth with the memory the
 * machine has available, and says so; the CLI refuses without --force, the editor asks.
 */
import { freemem } from 'node:os';
import { isLoopbackHost } from '../../core/config/hosts';
import { readMemAvailable } from './procfs';
import type { InspectorSession } from './session';
import { formatBytes } from '../../core/format';

/**
 * Peak RSS of a target writing a heap snapshot ÷ its heap in use: the upper end of what was
 * measured (12–15× for heaps of objects; a heap of a few big strings or buffers needs far less).
 */
export const SNAPSHOT_PEAK_FACTOR = 15;

export interface SnapshotMemoryOptions {
  /** Peak RSS ÷ heap in use. Default SNAPSHOT_PEAK_FACTOR. */
  factor?: number;
  /**
   * The memory the machine has for the growth. Default: MemAvailable of /proc/meminfo (elsewhere
   * `os.freemem()`). A lower figure can be given to keep headroom for other work.
   */
  availableBytes?: number;
  /** Whether the target shares this machine's memory. Default: its inspector is on loopback. */
  local?: boolean;
}

/** The verdict, with the figures behind it. */
export interface SnapshotMemoryCheck {
  /** The target's heap in use and resident memory now. */
  heapUsed: number;
  rss?: number;
  factor: number;
  /** heapUsed × factor: the target's resident memory while the snapshot is written. */
  projectedPeak: number;
  /** What the target must grow by: projectedPeak − rss now. */
  growth: number;
  /** Free memory of this machine (undefined: a remote target, or unknown). */
  available?: number;
  /** False: the machine lacks the memory the projection needs. */
  ok: boolean;
  /** The warning to show before the snapshot (ok), or why it is refused. */
  message: string;
}

/** Reads the target's memory and this machine's, and says whether a snapshot fits. */
export async function checkSnapshotMemory(session: InspectorSession, opts: SnapshotMemoryOptions = {}): Promise<SnapshotMemoryCheck> {
  const factor = opts.factor ?? SNAPSHOT_PEAK_FACTOR;
  const usage = await targetMemory(session);
  const local = opts.local ?? isLoopbackHost(session.target.host);
  const available = local ? (opts.availableBytes ?? (await readMemAvailable()) ?? freemem()) : undefined;
  const projectedPeak = usage.heapUsed * factor;
  const growth = Math.max(0, projectedPeak - (usage.rss ?? 0));
  const ok = available === undefined || growth <= available;
  const figures = `heap in use ${formatBytes(usage.heapUsed)} × ${factor} ≈ ${formatBytes(projectedPeak)} RSS${usage.rss !== undefined ? ` (${formatBytes(usage.rss)} now)` : ''}`;
  const factorText = `about ${factor}× its heap in use (measured 12–15× for heaps of objects)`;
  const message = ok
    ? `taking a heap snapshot pauses the target until the heap is written and raises its memory to ${factorText}: ${figures}${available !== undefined ? `; ${formatBytes(available)} available on this machine` : ''}`
    : `refusing to take a heap snapshot: it would raise the target's memory to ${factorText}, ${figures}, ${formatBytes(growth)} more than now, and this machine has ${formatBytes(available!)} available; the target could be OOM-killed or the machine start swapping. Free memory first, use heap sampling (\`perflab profile heap\`, no such cost), or pass --force to take it anyway`;
  return { heapUsed: usage.heapUsed, ...(usage.rss !== undefined ? { rss: usage.rss } : {}), factor, projectedPeak, growth, ...(available !== undefined ? { available } : {}), ok, message };
}

/** Heap in use and RSS, from inside the target; the heap alone from V8 where evaluation fails. */
async function targetMemory(session: InspectorSession): Promise<{ heapUsed: number; rss?: number }> {
  const evaluated = await session
    .send('Runtime.evaluate', { expression: '(() => { const m = process.memoryUsage(); return { heapUsed: m.heapUsed, rss: m.rss }; })()', returnByValue: true })
    .catch(() => undefined);
  const value = evaluated?.result.value as { heapUsed?: unknown; rss?: unknown } | undefined;
  if (typeof value?.heapUsed === 'number' && typeof value.rss === 'number') return { heapUsed: value.heapUsed, rss: value.rss };
  const usage = await session.send('Runtime.getHeapUsage');
  return { heapUsed: usage.usedSize };
}
