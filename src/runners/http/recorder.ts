/**
 * What a phase records inside the worker: per-scenario HDR histograms (corrected and, for open
 * phases, uncorrected), error counts by kind, and a rolling one-second interval for the live
 * timeline. Phase and run totals are built later by merging these histograms, never by averaging
 * percentiles. Every failure belongs to a scenario, so the scenario rows add up to the phase and
 * the run. Each completion also tells the run's {@link TargetLiveness} whether the target answered.
 */
import { Recorder, Window } from '../recorder';
import type { TargetLiveness } from './liveness';
import type { ScenarioData } from './protocol';

/** What the recorders of a run share: completions so far, and whether the target answers. */
export interface RunTally {
  count: number;
  readonly liveness: TargetLiveness;
}

export class PhaseRecorder {
  /** The phase's completions since the last live sample, all scenarios together. */
  readonly window = new Window();
  private readonly scenarios: Recorder[];

  /** `open`: keep uncorrected latency too; `raw`: also push every corrected latency there (tests of a merge). */
  constructor(names: readonly string[], open: boolean, private readonly run: RunTally, private readonly raw?: number[]) {
    this.scenarios = names.map((name) => new Recorder(name, { uncorrected: open, window: this.window }));
  }

  /**
   * A response arrived. `latencyMs` is from the intended send time (open) or the send (closed);
   * `uncorrectedMs` from the actual send (open only). `errorKind` when a check failed.
   */
  response(scenario: number, latencyMs: number, uncorrectedMs: number, errorKind: string | undefined): void {
    this.scenarios[scenario]!.record(latencyMs, uncorrectedMs, errorKind);
    this.raw?.push(latencyMs);
    this.run.count++;
    this.run.liveness.answered();
  }

  /** A request ended without a response (timeout, connection error) or was refused before sending. */
  failure(scenario: number, kind: string): void {
    this.scenarios[scenario]!.fail(kind);
    this.run.count++;
    this.run.liveness.failed(kind);
  }

  finish(): ScenarioData[] {
    return this.scenarios.map((r) => ({
      name: r.name,
      count: r.count,
      errors: r.errors,
      errorsByKind: r.errorsByKind,
      latency: r.latency.serialize(),
      ...(r.uncorrected ? { uncorrected: r.uncorrected.serialize() } : {}),
    }));
  }
}
