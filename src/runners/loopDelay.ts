/**
 * Event-loop delay, defined once for every place PerfLab measures it (the load generator, the
 * BullMQ producer, the monitor injected into a target).
 *
 * `perf_hooks.monitorEventLoopDelay({ resolution })` (and the monitor's sampler, which works the
 * same way) arms a timer every `resolution` ms and records the time between two of its ticks,
 * so an idle loop records about `resolution` (10 ms and a little), not 0. The delay is what the loop added on top of that: the recorded value
 * minus the resolution, never below 0 (libuv rounds timers to whole milliseconds, so a tick may
 * come a fraction of a millisecond early). Subtracting a constant keeps the order of the values,
 * so a percentile of the net delays is the percentile of the recorded ones minus the resolution.
 */
import type { LoopDelaySummary } from '../core/runRecord';

/** The timer resolution of every event-loop delay histogram PerfLab creates, in ms. */
export const LOOP_DELAY_RESOLUTION_MS = 10;

/** A recorded value (ms between two timer ticks) as event-loop delay, in ms. */
export function netLoopDelayMs(recordedMs: number, resolutionMs: number = LOOP_DELAY_RESOLUTION_MS): number {
  return Math.max(0, recordedMs - resolutionMs);
}

/** The shape of a Node event-loop delay histogram (`IntervalHistogram`, `RecordableHistogram`): values in ns. */
export interface DelayHistogram {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  percentile(p: number): number;
}

const NS_PER_MS = 1e6;

/**
 * Net statistics of a histogram in ns (all zero when it recorded nothing). The mean is the
 * recorded mean minus the resolution: the few ticks that came early are not told apart.
 */
export function loopDelayStats(h: DelayHistogram, resolutionMs: number = LOOP_DELAY_RESOLUTION_MS): LoopDelaySummary {
  if (!h.count) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const net = (ns: number) => netLoopDelayMs(ns / NS_PER_MS, resolutionMs);
  return {
    count: h.count,
    min: net(h.min),
    mean: net(h.mean),
    p50: net(h.percentile(50)),
    p90: net(h.percentile(90)),
    p99: net(h.percentile(99)),
    max: net(h.max),
  };
}

/** Net statistics of values already in ms (as the injected monitor reports them). */
export function netLoopDelayStats(recorded: LoopDelaySummary, resolutionMs: number): LoopDelaySummary {
  const net = (ms: number) => netLoopDelayMs(ms, resolutionMs);
  return {
    count: recorded.count,
    min: net(recorded.min),
    mean: net(recorded.mean),
    p50: net(recorded.p50),
    p90: net(recorded.p90),
    p99: net(recorded.p99),
    max: net(recorded.max),
  };
}
