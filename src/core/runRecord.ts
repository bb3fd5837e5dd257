/**
 * The run record: what every runner fills and what `.perflab/runs/<id>/run.json` holds.
 * One shape for HTTP, Redis and BullMQ runs, so the store, the reports, the comparison and the
 * webviews read all of them the same way. Times are milliseconds unless a name says otherwise.
 */

/** Bump when a field changes meaning; readers skip records of a newer version with a warning. */
export const RUN_RECORD_VERSION = 1;

export type RunType = 'http' | 'redis' | 'bullmq';
export type RunStatus = 'completed' | 'cancelled' | 'failed';

/** Percentiles of one latency distribution, in milliseconds, from an HDR histogram. */
export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Result of one operation, scenario, phase or the whole run. */
export interface OperationResult {
  name: string;
  /** Completed requests or operations, successful or not. */
  count: number;
  /** Failed ones; `errorsByKind` splits them (e.g. `status:500`, `timeout`, `ECONNREFUSED`). */
  errors: number;
  errorsByKind?: Record<string, number>;
  /** Completions per second over the measured interval. */
  rate: number;
  /** Latency; with an arrival rate, measured from each request's intended send time. */
  latency: LatencySummary;
  /** With an arrival rate only: latency from the actual send, for comparison. */
  uncorrectedLatency?: LatencySummary;
}

export interface PhaseResult extends OperationResult {
  durationMs: number;
  /** `closed` = fixed connections; `open` = arrival rate. */
  model?: 'closed' | 'open';
}

/** One second of a run, for charts. */
export interface TimelinePoint {
  /** Seconds since the run started. */
  t: number;
  phase?: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** The load generator's own health: when it was the limit, the numbers are not the target's. */
export interface GeneratorHealth {
  lagP99Ms: number;
  lateSends: number;
  lateSendMaxMs: number;
  generatorBound: boolean;
  message?: string;
}

/** Where and on what the run happened. */
export interface RunEnvironment {
  perflabVersion: string;
  node: string;
  platform: string;
  release: string;
  arch: string;
  cpuCount: number;
  cpuModel: string;
  totalMemoryBytes: number;
  loadAverage: number[];
}

/** The verdict of one threshold, as shown in reports and the run's threshold table. */
export interface ThresholdVerdict {
  /** Metric name, e.g. `latency.p99`. */
  metric: string;
  /** The expression as written in the config, e.g. `< 100ms`. */
  limit: string;
  /** Measured value in the metric's unit, or null when the run produced no value for it. */
  actual: number | null;
  unit: string;
  pass: boolean;
}

/** A file the run produced next to `run.json` (a profile, a snapshot, a report). */
export interface RunArtifact {
  /** File name inside the run folder. */
  file: string;
  kind: 'cpuprofile' | 'heapprofile' | 'heapsnapshot' | 'timeline' | 'report' | 'other';
  label?: string;
}

export interface RunRecord {
  version: typeof RUN_RECORD_VERSION;
  id: string;
  profile: string;
  type: RunType;
  status: RunStatus;
  /** ISO 8601. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** sha256 of the normalized profile config, to tell whether two runs ran the same thing. */
  configHash: string;
  environment: RunEnvironment;
  /** Target description without secrets (URL without credentials, Redis host:port). */
  target?: string;
  overall?: OperationResult;
  phases: PhaseResult[];
  operations: OperationResult[];
  timeline?: TimelinePoint[];
  generator?: GeneratorHealth;
  thresholds: ThresholdVerdict[];
  artifacts: RunArtifact[];
  /** All thresholds (and the baseline comparison, when asked for) passed and the run completed. */
  pass: boolean;
  /** Present when status is `failed`: what went wrong, in words a user can act on. */
  error?: string;
}
