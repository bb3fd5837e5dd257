/**
 * Counting and timing, the same for every kind of run. A {@link Recorder} holds one reported
 * operation (an HTTP scenario, a Redis command, a BullMQ step): count, errors by kind, HDR latency
 * (from the intended start; with an arrival rate also from the actual send), and the interval its
 * rate is taken over. A {@link Window} collects the completions of the last second for the live
 * line and the run's timeline; several recorders can feed one window (a phase's scenarios).
 * {@link LiveFeed} turns a window into a `sample` about once a second and the plan into a
 * `progress` twice a second. Totals are merged histograms, never averaged percentiles.
 */
import { performance } from 'node:perf_hooks';
import { LatencyHistogram, type SerializedHistogram } from '../core/stats';
import type { PartSamples } from '../core/compare/samples';
import type { LatencyDistribution, OperationResult, TimelinePoint } from '../core/runRecord';
import type { RunHandle } from './types';

export class Recorder {
  readonly latency = LatencyHistogram.create();
  readonly uncorrected?: LatencyHistogram;
  count = 0;
  errors = 0;
  readonly errorsByKind: Record<string, number> = {};
  private startMs?: number;
  private endMs?: number;
  /** Every completion also counts in this window, while one is set. */
  window?: Window;

  /** `uncorrected`: keep the latency from the actual send too (runs with an arrival rate). */
  constructor(readonly name: string, opts: { uncorrected?: boolean; window?: Window } = {}) {
    if (opts.uncorrected) this.uncorrected = LatencyHistogram.create();
    this.window = opts.window;
  }

  /** Starts the measured interval; later calls keep the first start. */
  start(at = performance.now()): void {
    this.startMs ??= at;
  }

  /** Ends the measured interval; the last call wins, so it can follow the last completion. */
  stop(at = performance.now()): void {
    this.endMs = at;
  }

  /**
   * `n` operations that took `latencyMs` (undefined: no latency to record, as for a refused call),
   * `uncorrectedMs` from the actual send, failed with `errorKind` when one is given (an HTTP error
   * status still has a latency).
   */
  record(latencyMs: number | undefined, uncorrectedMs: number | undefined, errorKind: string | undefined, n = 1): void {
    this.count += n;
    if (latencyMs !== undefined) this.latency.recordMs(latencyMs);
    if (uncorrectedMs !== undefined) this.uncorrected?.recordMs(uncorrectedMs);
    if (errorKind !== undefined) {
      this.errors += n;
      this.errorsByKind[errorKind] = (this.errorsByKind[errorKind] ?? 0) + n;
    }
    this.window?.record(n, errorKind !== undefined ? n : 0, latencyMs);
  }

  /** `n` successful operations timed as one call of `latencyMs`. */
  ok(latencyMs: number, uncorrectedMs?: number, n = 1): void {
    this.record(latencyMs, uncorrectedMs, undefined, n);
  }

  /** `n` failed operations of one kind; a latency is recorded only when one is given (a refused call says nothing about speed). */
  fail(kind: string, latencyMs?: number, n = 1): void {
    this.record(latencyMs, undefined, kind, n);
  }

  /** Seconds of the measured interval (up to now while it runs). */
  get seconds(): number {
    if (this.startMs === undefined) return 0;
    return Math.max(0, (this.endMs ?? performance.now()) - this.startMs) / 1000;
  }

  /** Operations per second over the measured interval. */
  get rate(): number {
    const secs = this.seconds;
    return secs > 0 ? this.count / secs : 0;
  }

  /** Its latency by percentile (and the uncorrected one, when kept): for the run's headline result. */
  distribution(): LatencyDistribution {
    return { latency: this.latency.distribution(), ...(this.uncorrected ? { uncorrected: this.uncorrected.distribution() } : {}) };
  }

  /** What a comparison needs of it: its count, errors and histogram. */
  samples(): PartSamples {
    return { count: this.count, errors: this.errors, latency: this.latency.serialize() };
  }

  result(): OperationResult {
    return {
      name: this.name,
      count: this.count,
      errors: this.errors,
      ...(this.errors ? { errorsByKind: { ...this.errorsByKind } } : {}),
      rate: round(this.rate),
      latency: this.latency.summary(),
      ...(this.uncorrected ? { uncorrectedLatency: this.uncorrected.summary() } : {}),
    };
  }
}

/** Several recorders as one (the run's headline result): counts summed, histograms merged, the rate over the time they spent measuring. */
export function mergedResult(name: string, recorders: readonly Recorder[]): OperationResult {
  const merged = LatencyHistogram.create();
  let count = 0;
  let errors = 0;
  let seconds = 0;
  const byKind: Record<string, number> = {};
  for (const r of recorders) {
    merged.add(r.latency);
    count += r.count;
    errors += r.errors;
    seconds += r.seconds;
    for (const [k, v] of Object.entries(r.errorsByKind)) byKind[k] = (byKind[k] ?? 0) + v;
  }
  return {
    name,
    count,
    errors,
    ...(errors ? { errorsByKind: byKind } : {}),
    rate: seconds > 0 ? round(count / seconds) : 0,
    latency: merged.summary(),
    distribution: { latency: merged.distribution() },
  };
}

/** The completions since the window was last taken: one point of the live timeline. */
export class Window {
  private readonly histogram = LatencyHistogram.create();
  private count = 0;
  private errors = 0;

  constructor(private from = performance.now()) {}

  record(n: number, errors: number, latencyMs?: number): void {
    this.count += n;
    this.errors += errors;
    if (latencyMs !== undefined) this.histogram.recordMs(latencyMs);
  }

  /** The window's latencies so far, as they travel (a distributed run merges the windows of its agents). */
  serialize(): SerializedHistogram {
    return this.histogram.serialize();
  }

  /** Completions since the last {@link take}. */
  get pending(): number {
    return this.count;
  }

  /** performance.now() when the window began. */
  get since(): number {
    return this.from;
  }

  /** Forgets what the window holds; it begins again at `now`. */
  restart(now: number): void {
    this.histogram.reset();
    this.count = 0;
    this.errors = 0;
    this.from = now;
  }

  /** The point of the window up to `now` (`t` in seconds since `runStart`, to the ms), then a new window from `now`. */
  take(now: number, runStart: number, phase?: string): TimelinePoint {
    const seconds = (now - this.from) / 1000;
    const point: TimelinePoint = {
      t: Math.round(now - runStart) / 1000,
      ...(phase !== undefined ? { phase } : {}),
      rps: seconds > 0 ? round(this.count / seconds) : 0,
      p50: this.histogram.percentileMs(50),
      p99: this.histogram.percentileMs(99),
      errors: this.errors,
    };
    this.restart(now);
    return point;
  }
}

const SAMPLE_MS = 1_000;
const PROGRESS_MS = 500;

/**
 * The live numbers of a run in this thread: a sample of the recorder being followed about once a
 * second (and when the followed recorder changes, so each point belongs to one phase), progress of
 * the plan twice a second, and the run's timeline.
 */
export class LiveFeed {
  readonly timeline: TimelinePoint[] = [];
  private startedAt = performance.now();
  private readonly window = new Window(this.startedAt);
  private total = 0;
  private phase?: string;
  private fraction: () => number = () => 0;
  private followed?: Recorder;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly handle: RunHandle, private readonly totalMs?: number) {}

  /** Starts the clock of the timeline and the timers; before it, only logs go out. */
  begin(): void {
    this.startedAt = performance.now();
    this.window.restart(this.startedAt);
    const sample = setInterval(() => this.sample(), SAMPLE_MS);
    const progress = setInterval(() => this.progress(), PROGRESS_MS);
    sample.unref();
    progress.unref();
    this.timers.push(sample, progress);
  }

  /** Samples follow `recorder` (as `phase`) from now on; `fraction` says how far the whole run is (0..1). */
  follow(phase: string, recorder: Recorder, fraction: () => number): void {
    if (this.followed) {
      if (this.window.pending) this.sample();
      this.followed.window = undefined;
    }
    this.followed = recorder;
    recorder.window = this.window;
    this.phase = phase;
    this.fraction = fraction;
    this.progress(phase);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.handle.emit('log', { level, message });
  }

  progress(message?: string): void {
    const elapsedMs = performance.now() - this.startedAt;
    this.handle.emit('progress', {
      fraction: Math.min(1, Math.max(0, this.fraction())),
      elapsedMs: Math.round(elapsedMs),
      ...(this.totalMs ? { totalMs: this.totalMs } : {}),
      ...(this.phase ? { phase: this.phase } : {}),
      ...(message ? { message } : {}),
    });
  }

  /** Emits the window's numbers; also called at the end so the tail is not lost (an empty window under 50 ms is skipped). */
  sample(): void {
    const now = performance.now();
    if (now - this.window.since < 50 && !this.window.pending) return;
    this.total += this.window.pending;
    const point = this.window.take(now, this.startedAt, this.phase);
    this.timeline.push(point);
    this.handle.emit('sample', { ...point, total: this.total });
  }

  end(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    this.sample();
    this.progress();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
