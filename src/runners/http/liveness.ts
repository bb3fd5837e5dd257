/**
 * Whether the target still answers. A target that died (killed, crashed, out of memory) refuses
 * or resets every connection, and a run that went on would load a dead port to its end and
 * report the refusals as measurements. The rule:
 *
 * - the target is **down** once, for {@link DOWN_AFTER_MS}, every request that ended failed with
 *   a connection error ({@link CONNECTION_ERRORS}: refused, reset, unreachable, …), at least
 *   {@link MIN_DOWN_FAILURES} of them, and no answer came (any status counts as an answer);
 * - a timeout neither starts nor ends that streak: a slow target is alive, and its answers (or
 *   their timeouts) are what the run is there to measure;
 * - a request refused before sending (`invalid-request`) says nothing about the target.
 *
 * Every completion passes through here (from the recorder), so the bookkeeping is a counter and a
 * comparison; the clock is read once per streak.
 */
import { performance } from 'node:perf_hooks';

/** How long every request must have failed with a connection error before the run stops. */
export const DOWN_AFTER_MS = 3_000;
/** Fewer failures than this in the window say too little (a slow arrival rate). */
export const MIN_DOWN_FAILURES = 3;

/** Error kinds that mean the connection itself failed: nothing is listening, or it went away. */
export const CONNECTION_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN',
  'ENETDOWN', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'socket-error',
]);

/** An unbroken run of connection errors with no answer. */
export interface FailureStreak {
  /** performance.now() of its first failure. */
  since: number;
  failures: number;
  byKind: Record<string, number>;
}

export class TargetLiveness {
  private since = 0;
  private failures = 0;
  private byKind: Record<string, number> = {};

  /** An answer arrived (of any status). */
  answered(): void {
    if (this.failures !== 0) this.failures = 0;
  }

  /** A request ended without an answer, with this error kind. */
  failed(kind: string): void {
    if (!CONNECTION_ERRORS.has(kind)) return;
    if (this.failures === 0) {
      this.since = performance.now();
      this.byKind = {};
    }
    this.failures++;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
  }

  /** The streak going on now, if any. */
  streak(): FailureStreak | undefined {
    return this.failures ? { since: this.since, failures: this.failures, byKind: { ...this.byKind } } : undefined;
  }

  /** The streak when it makes the target down at `now` (see the rule above). */
  down(now = performance.now()): FailureStreak | undefined {
    return this.failures >= MIN_DOWN_FAILURES && now - this.since >= DOWN_AFTER_MS ? this.streak() : undefined;
  }
}
