/**
 * Shared shapes of the profiler engine: the handle every capture returns, its events, and the
 * error it fails with. Like the load runners, captures never print: the CLI and the editor attach
 * presentation to these events.
 */
import type { LoopDelaySummary } from '../../core/runRecord';
import { RunnerError, type RunLog, type RunProgress, TaskHandle } from '../types';

/** One point of the monitor timeline, measured inside the target. Sizes in bytes, times in ms. */
export interface MonitorSample {
  /** Seconds since the monitor started. */
  t: number;
  /** Wall clock of the target (epoch ms). */
  at: number;
  /**
   * The target's monotonic clock in µs: the clock of a `.cpuprofile`'s `startTime` and samples,
   * so a timeline and a CPU profile of the same process line up.
   */
  monoUs: number;
  /** Time this sample covers (from the previous one). */
  intervalMs: number;
  /** Event-loop delay over the interval, net of the timer resolution (src/runners/loopDelay.ts). */
  loopDelay: LoopDelaySummary;
  /** At the end of the interval (`process.memoryUsage()`). */
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  /** The highest heap used and RSS read during the interval (every timer tick, 10 ms). */
  peak: { heapUsed: number; rss: number };
  /** CPU time over the interval as a fraction of one core (1 = one core busy the whole time). */
  cpu: { user: number; system: number };
  /**
   * Stop-the-world collections (scavenges and mark-compacts) reported in the interval: how many,
   * their pause time (each millisecond once), the longest; and the heap used right after each
   * major GC (the points of the heap-growth slope).
   */
  gc: { count: number; pauseMs: number; maxPauseMs: number; afterMajor: { monoUs: number; heapUsed: number }[] };
}

export interface CaptureEvents {
  progress: [RunProgress];
  log: [RunLog];
  /** Monitor samples, as they arrive from the target. */
  sample: [MonitorSample];
}

/** Why a capture stopped. */
export type CaptureEnd = 'duration' | 'cancelled' | 'target-exit' | 'done';

/**
 * A running capture: typed events, the result, and `cancel()`, which stops the capture early and
 * still saves what was captured (the result then says `endedBy: 'cancelled'`).
 */
export class CaptureHandle<T> extends TaskHandle<T, CaptureEvents> {
  constructor(execute: (handle: CaptureHandle<T>, signal: AbortSignal) => Promise<T>, parent?: AbortSignal) {
    super((handle, signal) => execute(handle as CaptureHandle<T>, signal), parent);
  }

  log(level: RunLog['level'], message: string): void {
    this.emit('log', { level, message });
  }
}

export type ProfilerErrorReason =
  /** Nothing answers at the given address, or the process is gone. */
  | 'unreachable'
  /** The inspector port the target wants is held by another process. */
  | 'port-held'
  /** The target exited (or the connection dropped) before the capture finished. */
  | 'target-exit'
  /** A remote host was given where only loopback is allowed, or similar. */
  | 'refused'
  /** The action a capture depends on failed (a leak hunt's requests answered errors). */
  | 'action-failed'
  | 'timeout'
  | 'internal';

/**
 * A profiler failure the user can act on. `partial` lists files that hold what was captured
 * before the failure (a partial timeline, an incomplete snapshot kept as `.partial`).
 */
export class ProfilerError extends RunnerError {
  constructor(
    message: string,
    readonly reason: ProfilerErrorReason,
    readonly partial: string[] = [],
  ) {
    super(message, reason === 'refused' ? 'refused' : reason === 'internal' ? 'internal' : 'unreachable');
    this.name = 'ProfilerError';
  }
}

