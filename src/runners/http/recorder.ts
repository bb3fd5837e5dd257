/**
 * What a phase records inside the worker: per-scenario HDR histograms (corrected and, for open
 * phases, uncorrected), error counts by kind, and a rolling one-second interval for the live
 * timeline. Phase and run totals are built later by merging these histograms, never by averaging
 * percentiles. Every failure belongs to a scenario, so the scenario rows add up to the phase and
 * the run. Each completion also tells the run's {@link TargetLiveness} whether the target answered.
 */
import { LatencyHistogram } from '../../core/stats';
import type { TargetLiveness } from './liveness';
import type { Counts, ScenarioData } from './protocol';

interface ScenarioTally extends Counts {
  latency: LatencyHistogram;
  uncorrected?: LatencyHistogram;
}

/** One interval of the live timeline. */
export interface IntervalSnapshot {
  count: number;
  errors: number;
  p50: number;
  p99: number;
}

const newCounts = (): Counts => ({ count: 0, errors: 0, errorsByKind: {} });

function countError(c: Counts, kind: string): void {
  c.errors++;
  c.errorsByKind[kind] = (c.errorsByKind[kind] ?? 0) + 1;
}

/** What the recorders of a run share: completions so far, and whether the target answers. */
export interface RunTally {
  count: number;
  readonly liveness: TargetLiveness;
}

export class PhaseRecorder {
  private readonly tallies: ScenarioTally[];
  private readonly interval = LatencyHistogram.create();
  private intervalCount = 0;
  private intervalErrors = 0;

  /** `open`: keep uncorrected latency too. */
  constructor(private readonly names: readonly string[], private readonly open: boolean, private readonly run: RunTally) {
    this.tallies = names.map(() => ({
      ...newCounts(),
      latency: LatencyHistogram.create(),
      ...(open ? { uncorrected: LatencyHistogram.create() } : {}),
    }));
  }

  /**
   * A response arrived. `latencyUs` is from the intended send time (open) or the send (closed);
   * `uncorrectedUs` from the actual send (open only). `errorKind` when a check failed.
   */
  response(scenario: number, latencyUs: number, uncorrectedUs: number, errorKind: string | undefined): void {
    const t = this.tallies[scenario]!;
    t.count++;
    t.latency.recordMicros(latencyUs);
    t.uncorrected?.recordMicros(uncorrectedUs);
    this.interval.recordMicros(latencyUs);
    this.intervalCount++;
    this.run.count++;
    this.run.liveness.answered();
    if (errorKind !== undefined) {
      countError(t, errorKind);
      this.intervalErrors++;
    }
  }

  /** A request ended without a response (timeout, connection error) or was refused before sending. */
  failure(scenario: number, kind: string): void {
    const t = this.tallies[scenario]!;
    t.count++;
    countError(t, kind);
    this.intervalCount++;
    this.intervalErrors++;
    this.run.count++;
    this.run.liveness.failed(kind);
  }

  /** The interval since the last call, then starts a new one. */
  takeInterval(): IntervalSnapshot {
    const snap = {
      count: this.intervalCount,
      errors: this.intervalErrors,
      p50: this.interval.percentileMs(50),
      p99: this.interval.percentileMs(99),
    };
    this.interval.reset();
    this.intervalCount = 0;
    this.intervalErrors = 0;
    return snap;
  }

  /** Completions in the current interval. */
  get pending(): number {
    return this.intervalCount;
  }

  finish(): ScenarioData[] {
    return this.tallies.map((t, i) => ({
      name: this.names[i]!,
      count: t.count,
      errors: t.errors,
      errorsByKind: t.errorsByKind,
      latency: t.latency.serialize(),
      ...(t.uncorrected && this.open ? { uncorrected: t.uncorrected.serialize() } : {}),
    }));
  }
}
