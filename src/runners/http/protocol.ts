/**
 * Messages between the HTTP runner (caller's thread) and its load-generator worker. Everything is
 * structured-clone data: histograms travel in HDR's compressed form.
 */
import type { Phase, Scenario } from '../../core/config/types';
import type { TimelinePoint } from '../../core/runRecord';
import type { SerializedHistogram } from '../../core/stats';

/** What the worker needs to run a profile (its `workerData`). */
export interface WorkerInit {
  baseUrl: string;
  targetHeaders: Record<string, string>;
  phases: Phase[];
  scenarios: Scenario[];
  timeoutMs: number;
  /** Absolute path of a custom generator module (already checked: the workspace is trusted). */
  generatorModule?: string;
  /** Open model: connections to start with and the most the pool may grow to. */
  connections: { initial: number; max: number };
  /** A distributed run: this generator's share of it (an agent's shard). */
  shard?: WorkerShard;
}

/**
 * One generator's part of a distributed run. Open phases send share `index` of `of` of the
 * schedule (./schedule.ts, ScheduleShare); closed phases arrive with their connections already
 * divided. Every phase starts at its planned time on the shared clock, so the shares stay
 * interleaved at the target, and samples carry their window's histogram for an exact merge.
 */
export interface WorkerShard {
  index: number;
  of: number;
  /** When the first phase starts, ms since the epoch on this machine's clock (already corrected for its offset). */
  startAtEpochMs: number;
  /** Keep every corrected latency (ms) and send them with `done`: for tests that check the merge. */
  keepRaw?: boolean;
}

export type ToWorker = { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'phase-start'; index: number; name: string; elapsedMs: number }
  | { type: 'sample'; point: TimelinePoint; total: number; elapsedMs: number; histogram?: SerializedHistogram }
  | { type: 'phase-end'; phase: PhaseData }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'done'; lagP99Ms: number; unanswered?: Unanswered; raw?: number[] }
  | { type: 'fatal'; code: 'config' | 'internal'; message: string };

/**
 * The target stopped answering: an unbroken run of connection errors (see ./liveness.ts) that
 * stopped the run (`stoppedRun`), or was still going on when the run ended.
 */
export interface Unanswered {
  /** When the first of the failures came, ms since the run started. */
  sinceMs: number;
  /** How long the streak had lasted when the run stopped or ended, ms. */
  forMs: number;
  failures: number;
  byKind: Record<string, number>;
  stoppedRun: boolean;
}

/** Counts that are not tied to one latency distribution. */
export interface Counts {
  /** Completed requests, successful or not. */
  count: number;
  errors: number;
  errorsByKind: Record<string, number>;
}

/** One scenario's share of a phase. */
export interface ScenarioData extends Counts {
  name: string;
  latency: SerializedHistogram;
  /** Open phases only: latency from the actual send. */
  uncorrected?: SerializedHistogram;
}

/** The generator's view of its own health during one phase. */
export interface PhaseHealth {
  lagP99Ms: number;
  /** Sends more than {@link LATE_SEND_MS} later than the generator could have sent them. */
  lateSends: number;
  lateSendMaxMs: number;
  /** Open phases: requests sent, requests planned up to where the phase ended, connections used. */
  sent?: number;
  /** Open phases: requests due but refused before sending (invalid-request errors). */
  refused?: number;
  planned?: number;
  connections?: number;
  /** Due but never completed: not sent by the end of the phase, or cut off in flight. */
  dropped?: number;
  /**
   * Open phases: how long requests waited for their connection to be free (it still carried
   * the previous request) past their intended send time, ms.
   */
  connectionWait?: { p99: number; max: number };
  generatorBound: boolean;
  message?: string;
}

export interface PhaseData {
  index: number;
  name: string;
  model: 'open' | 'closed';
  /** Measured duration (until the phase stopped sending and its last answer arrived). */
  durationMs: number;
  /** Cut short by a stop request. */
  stopped: boolean;
  scenarios: ScenarioData[];
  /** Open phases: the connection wait of every request sent (0 for most), to merge across phases. */
  connectionWait?: SerializedHistogram;
  health: PhaseHealth;
}

/**
 * A send is late when it leaves more than this after the moment the generator could have sent
 * it (its intended time, or when its connection became free if that was later). Every ms-timer
 * generator sends about a third of its requests more than 1 ms late, so only lateness well past
 * the timer resolution says something about the generator.
 */
export const LATE_SEND_MS = 5;
