/**
 * Counts, errors and HDR latencies of one operation, in one-second intervals for the live line
 * and the timeline, merged into the operation's totals as each interval closes.
 */
import type { LatencySummary, OperationResult, TimelinePoint } from '../../core/runRecord';
import { LatencyHistogram, errorRate, latencyMetrics } from '../../core/stats';

export class OperationRecorder {
  count = 0;
  errors = 0;
  readonly errorsByKind: Record<string, number> = {};
  /** performance.now() of the first send and the last completion; the rate's interval. */
  startedAt = 0;
  endedAt = 0;

  private readonly total = LatencyHistogram.create();
  private readonly interval = LatencyHistogram.create();
  private intervalCount = 0;
  private intervalErrors = 0;
  private intervalStart = 0;

  constructor(readonly name: string) {}

  start(now: number): void {
    this.startedAt = now;
    this.endedAt = now;
    this.intervalStart = now;
  }

  /** One successful operation that took `us` microseconds. */
  ok(us: number): void {
    this.interval.recordMicros(us);
    this.count++;
    this.intervalCount++;
  }

  /** One failed operation; its latency is not recorded (a refused command says nothing about speed). */
  fail(err: unknown): void {
    const kind = errorKind(err);
    this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + 1;
    this.count++;
    this.errors++;
    this.intervalCount++;
    this.intervalErrors++;
  }

  /** Closes the current interval: its point for the timeline, its values added to the totals. */
  closeInterval(now: number, runStart: number): TimelinePoint {
    const seconds = Math.max(1e-3, (now - this.intervalStart) / 1000);
    const point: TimelinePoint = {
      t: Math.round((now - runStart) / 100) / 10,
      phase: this.name,
      rps: Math.round(this.intervalCount / seconds),
      p50: this.interval.percentileMs(50),
      p99: this.interval.percentileMs(99),
      errors: this.intervalErrors,
    };
    this.total.add(this.interval);
    this.interval.reset();
    this.intervalCount = 0;
    this.intervalErrors = 0;
    this.intervalStart = now;
    return point;
  }

  /** Operations per second over the measured interval. */
  get rate(): number {
    const seconds = (this.endedAt - this.startedAt) / 1000;
    return seconds > 0 ? this.count / seconds : 0;
  }

  /** Totals so far (call after the last {@link closeInterval}). */
  histogram(): LatencyHistogram {
    return this.total;
  }

  result(): OperationResult {
    return {
      name: this.name,
      count: this.count,
      errors: this.errors,
      ...(this.errors ? { errorsByKind: { ...this.errorsByKind } } : {}),
      rate: round(this.rate),
      latency: clampToExtremes(this.total.summary()),
    };
  }
}

/**
 * HDR reports a percentile as the top of its bucket, which can lie a hair above the exact maximum
 * (or below the exact minimum); the extremes are exact, so percentiles are kept inside them.
 */
export function clampToExtremes(s: LatencySummary): LatencySummary {
  const clamp = (v: number) => Math.min(s.max, Math.max(s.min, v));
  return { ...s, p50: clamp(s.p50), p90: clamp(s.p90), p95: clamp(s.p95), p99: clamp(s.p99) };
}

/** The whole run: counts summed, histograms merged, the rate over the time spent measuring. */
export function overallResult(recorders: readonly OperationRecorder[]): OperationResult {
  const merged = LatencyHistogram.create();
  let count = 0;
  let errors = 0;
  let ms = 0;
  const byKind: Record<string, number> = {};
  for (const r of recorders) {
    merged.add(r.histogram());
    count += r.count;
    errors += r.errors;
    ms += r.endedAt - r.startedAt;
    for (const [k, v] of Object.entries(r.errorsByKind)) byKind[k] = (byKind[k] ?? 0) + v;
  }
  return {
    name: 'overall',
    count,
    errors,
    ...(errors ? { errorsByKind: byKind } : {}),
    rate: ms > 0 ? round(count / (ms / 1000)) : 0,
    latency: clampToExtremes(merged.summary()),
  };
}

/** `op.<name>.rate`, `op.<name>.latency.<stat>` and `errors.rate`, as the metric catalog names them. */
export function redisMetrics(operations: readonly OperationResult[], overall: OperationResult): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const op of operations) {
    metrics[`op.${op.name}.rate`] = op.rate;
    Object.assign(metrics, latencyMetrics(`op.${op.name}.`, op.latency));
  }
  metrics['errors.rate'] = errorRate(overall);
  return metrics;
}

/**
 * A short, stable name for a failure: the Redis error code (`WRONGTYPE`, `OOM`, `READONLY`, …),
 * `connection` when the connection was lost, `timeout`, or the Node error code.
 */
export function errorKind(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/Connection is closed|Stream isn't writeable|connection (?:lost|closed)|ECONNRESET|EPIPE/i.test(message)) return 'connection';
  if (/timed? ?out/i.test(message)) return 'timeout';
  const code = /^([A-Z][A-Z0-9_]+)\b/.exec(message);
  if (code) return code[1]!;
  const node = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof node === 'string' ? node : 'error';
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
