/**
 * The lines that describe a sampled Node process, as the CLI prints them after a monitor
 * capture, a run with a named process, and a profile under load. The two GC figures carry names
 * that say what they count: "GC pauses" (stop-the-world, from the monitor) and "time in GC"
 * (every main-thread GC state sample of a CPU profile, incremental marking and sweeping too).
 */
import type { ProcessStats, RedisMemorySummary } from '../runRecord';
import { formatBytes, formatBytesPerMin, formatCount, formatDuration, formatMs, formatPercent } from '../format';

/** One line each: event-loop delay, memory, CPU, GC pauses, and time in GC when a CPU profile gave it. */
export function processLines(s: ProcessStats, resolutionMs: number): string[] {
  const d = s.loopDelay;
  const growth = s.heapGrowthPerMin !== undefined
    ? `heap after major GCs ${formatBytesPerMin(s.heapGrowthPerMin)} (${s.majorGcs} major GCs)`
    : `heap growth unknown (${s.majorGcs} major GC${s.majorGcs === 1 ? '' : 's'}; it takes two)`;
  const lines = [
    `event loop delay (net of the ${resolutionMs} ms timer): p50 ${formatMs(d.p50)}, p99 ${formatMs(d.p99)}, max ${formatMs(d.max)} over ${formatDuration(s.coveredS * 1000)}`,
    `memory: heap used max ${formatBytes(s.heapUsedMax)}, ${growth}, RSS max ${formatBytes(s.rssMax)}`,
    `CPU: ${formatPercent(s.cpu.mean)} of a core on average, ${formatPercent(s.cpu.max)} in the busiest interval`,
    `GC pauses (stop-the-world collections, from the monitor): ${formatCount(s.gc.count)} collections, ${formatMs(s.gc.pauseMs)} in total, longest ${formatMs(s.gc.maxPauseMs)}`,
  ];
  if (s.gc.timeInGcMs !== undefined) {
    lines.push(`time in GC (CPU profile: pauses, incremental marking and sweeping on the main thread): ${formatMs(s.gc.timeInGcMs)}`);
  }
  return lines;
}

/** `Redis memory: 1.2 MB at start, max 3.4 MB, 1.3 MB at end (INFO used_memory)`. */
export function redisMemoryLine(m: RedisMemorySummary): string {
  return `Redis memory (INFO used_memory): ${formatBytes(m.startBytes)} at start, max ${formatBytes(m.maxBytes)}, ${formatBytes(m.endBytes)} at end`;
}
