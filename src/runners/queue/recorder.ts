/**
 * Counting and timing: one {@link OpRecorder} per reported operation (HDR latency in µs, count,
 * errors by kind, rate over its own measured interval), and {@link LiveFeed}, which turns the
 * completions of the current phase into a `sample` about once a second, a `progress` twice a
 * second, and the run's timeline.
 */
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../../core/stats';
import type { OperationResult, TimelinePoint } from '../../core/runRecord';
import type { RunHandle } from '../types';

export class OpRecorder {
  readonly latency = LatencyHistogram.create();
  readonly uncorrected?: LatencyHistogram;
  count = 0;
  errors = 0;
  readonly errorsByKind: Record<string, number> = {};
  private startMs?: number;
  private endMs?: number;
  /** Completions also go to the live feed when it follows this recorder. */
  feed?: LiveFeed;

  constructor(readonly name: string, opts: { uncorrected?: boolean } = {}) {
    if (opts.uncorrected) this.uncorrected = LatencyHistogram.create();
  }

  start(at = performance.now()): void {
    this.startMs ??= at;
  }

  /** Ends the measured interval; the last call wins, so it can follow the last completion. */
  stop(at = performance.now()): void {
    this.endMs = at;
  }

  /** `n` successful operations (jobs) timed as one call of `latencyMs`. */
  ok(latencyMs: number, uncorrectedMs?: number, n = 1): void {
    this.count += n;
    this.latency.recordMs(latencyMs);
    if (uncorrectedMs !== undefined) this.uncorrected?.recordMs(uncorrectedMs);
    this.feed?.record(n, 0, latencyMs);
  }

  /** `n` failed operations of one kind; a latency is recorded only when one is given. */
  fail(kind: string, latencyMs?: number, n = 1): void {
    this.count += n;
    this.errors += n;
    this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + n;
    if (latencyMs !== undefined) this.latency.recordMs(latencyMs);
    this.feed?.record(n, n, latencyMs);
  }

  /** Seconds of the measured interval (up to now while it runs). */
  get seconds(): number {
    if (this.startMs === undefined) return 0;
    return Math.max(0, (this.endMs ?? performance.now()) - this.startMs) / 1000;
  }

  result(): OperationResult {
    const secs = this.seconds;
    return {
      name: this.name,
      count: this.count,
      errors: this.errors,
      ...(this.errors ? { errorsByKind: { ...this.errorsByKind } } : {}),
      rate: secs > 0 ? round(this.count / secs) : 0,
      latency: this.latency.summary(),
      ...(this.uncorrected ? { uncorrectedLatency: this.uncorrected.summary() } : {}),
    };
  }
}

const SAMPLE_MS = 1_000;
const PROGRESS_MS = 500;

/** The live numbers of a run: samples of the recorder that is currently followed, progress of the plan. */
export class LiveFeed {
  readonly timeline: TimelinePoint[] = [];
  private readonly window = LatencyHistogram.create();
  private windowCount = 0;
  private windowErrors = 0;
  private total = 0;
  private readonly startedAt = performance.now();
  private lastSampleAt = this.startedAt;
  private phase?: string;
  private fraction: () => number = () => 0;
  private followed?: OpRecorder;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly handle: RunHandle, private readonly totalMs?: number) {}

  begin(): void {
    const sample = setInterval(() => this.sample(), SAMPLE_MS);
    const progress = setInterval(() => this.progress(), PROGRESS_MS);
    sample.unref();
    progress.unref();
    this.timers.push(sample, progress);
  }

  /** Samples follow `recorder` from now on; `fraction` says how far the whole run is (0..1). */
  follow(phase: string, recorder: OpRecorder, fraction: () => number): void {
    if (this.followed) this.followed.feed = undefined;
    this.followed = recorder;
    recorder.feed = this;
    this.phase = phase;
    this.fraction = fraction;
    this.progress(phase);
  }

  record(n: number, errors: number, latencyMs?: number): void {
    this.windowCount += n;
    this.windowErrors += errors;
    this.total += n;
    if (latencyMs !== undefined) this.window.recordMs(latencyMs);
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

  /** Emits the last interval's numbers; also called once at the end so the tail is not lost. */
  sample(): void {
    const now = performance.now();
    const secs = (now - this.lastSampleAt) / 1000;
    if (secs <= 0.05) return;
    const point: TimelinePoint = {
      t: round((now - this.startedAt) / 1000),
      ...(this.phase ? { phase: this.phase } : {}),
      rps: round(this.windowCount / secs),
      p50: this.window.percentileMs(50),
      p99: this.window.percentileMs(99),
      errors: this.windowErrors,
    };
    this.timeline.push(point);
    this.handle.emit('sample', { ...point, total: this.total });
    this.window.reset();
    this.windowCount = 0;
    this.windowErrors = 0;
    this.lastSampleAt = now;
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
