/**
 * The run record: what every runner fills and what `.perflab/runs/<id>/run.json` holds.
 * One shape for HTTP, Redis and BullMQ runs, so the store, the reports, the comparison and the
 * webviews read all of them the same way. Times are milliseconds unless a name says otherwise.
 */

import type { CapacityResult } from './capacity';
import type { Comparison } from './compare/compare';
import type { Diagnosis } from './diagnosis';
import type { StackEvidence } from './stackEvidence';

/** Bump when a field changes meaning; readers skip records of a newer version with a warning. */
export const RUN_RECORD_VERSION = 1;

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

/**
 * Event-loop delay of a window, in ms, net of the timer resolution: what the loop added to the
 * 10 ms timer of `perf_hooks.monitorEventLoopDelay` (an idle loop reads about 0).
 */
export interface LoopDelaySummary {
  /** Timer ticks recorded. */
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** What a sampled Node process did over a window (a run, a monitor capture). Sizes in bytes. */
export interface ProcessStats {
  /** Monitor samples (one per interval). */
  samples: number;
  /** Seconds the samples cover. */
  coveredS: number;
  /** Over the whole window: percentiles of one distribution, never a mean of per-interval ones. */
  loopDelay: LoopDelaySummary;
  /** Peaks, read every 10 ms (the heap saw-tooths between collections). */
  heapUsedMax: number;
  rssMax: number;
  /**
   * Least-squares slope of the heap used right after each major GC, in bytes per minute: the
   * heap that survives collection, so a leak shows as a steady positive slope. Absent with fewer
   * than two major GCs in the window.
   */
  heapGrowthPerMin?: number;
  /** Major GCs in the window (the points of the slope). */
  majorGcs: number;
  /** CPU (user + system) as a fraction of one core: the mean and the busiest interval. */
  cpu: { mean: number; max: number };
  gc: {
    /** Stop-the-world collections (scavenges, mark-compacts). */
    count: number;
    /** **GC pauses**: the time JavaScript was stopped for them (perf_hooks `gc` entries, each millisecond once). */
    pauseMs: number;
    maxPauseMs: number;
    /**
     * **Time in GC**, where a CPU profile of the same window exists (profile under load): the
     * profile's `(garbage collector)` time, which also counts incremental marking and sweeping
     * on the main thread, so it is at least the pauses.
     */
    timeInGcMs?: number;
  };
}

/** The Node process a run sampled over the inspector (a `process` in the config, or `--attach`). */
export interface ProcessSummary extends ProcessStats {
  /** `pid 1234 (node server.js), inspector 127.0.0.1:40123`. */
  description: string;
  pid?: number;
  intervalMs: number;
  /** The timer resolution taken off the event-loop delays. */
  resolutionMs: number;
  /**
   * False when the process exited or the connection dropped before the run ended: the figures
   * cover the run up to then, and no process metric is reported to the thresholds.
   */
  complete: boolean;
}

/** Memory of the Redis server over a Redis or BullMQ run (`used_memory` of `INFO memory`). */
export interface RedisMemorySummary {
  startBytes: number;
  maxBytes: number;
  endBytes: number;
  /** INFO readings taken. */
  samples: number;
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
  /** The whole run's result only: its latency distribution (the run page plots it), and the uncorrected one where there is one. */
  distribution?: LatencyDistribution;
}

/** The latency at a percentile (0–100) of the recorded values, in ms. */
export interface DistributionPoint {
  p: number;
  ms: number;
}

/** Latency by percentile, from the merged histogram of the run (core/stats.ts, LatencyHistogram.distribution). */
export interface LatencyDistribution {
  latency: DistributionPoint[];
  uncorrected?: DistributionPoint[];
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
  /** Requests sent more than 5 ms after the generator could have sent them (a free connection, the time due). */
  lateSends: number;
  lateSendMaxMs: number;
  /**
   * With an arrival rate: how long requests waited past their intended send time for their
   * connection, busy with the previous request, over every request sent (ms). The target's
   * answers cause it, so it does not make the run generator-bound.
   */
  connectionWait?: { p99: number; max: number };
  generatorBound: boolean;
  message?: string;
}

/** One load agent of a distributed run: who it was, its share, its clock, what it measured. */
export interface AgentSummary {
  name: string;
  /** The machine it ran on, as it named itself. */
  host: string;
  pid?: number;
  /** Its share of each phase: share `index` (0-based) of `of`. */
  share: { index: number; of: number };
  /**
   * `stopped`: the coordinator stopped it early (another agent was lost, or the run was
   * cancelled), what it measured until then is kept; `cancelled`: it was stopped on its own
   * machine (Ctrl-C), what it measured is kept; `lost`: it stopped answering (died or stalled) and
   * its measurements are gone; `failed`: it reported an error.
   */
  status: 'completed' | 'stopped' | 'cancelled' | 'failed' | 'lost';
  /** Its clock against the coordinator's (+: ahead), ms, measured through the Redis server's clock. */
  clockOffsetMs: number;
  /** How far off that reading may be (half the fastest round trips to Redis of both), ms. */
  clockUncertaintyMs: number;
  /** What it measured (absent for a lost agent). */
  overall?: OperationResult;
  generator?: GeneratorHealth;
  error?: string;
}

/** A run whose load came from several agents (`perflab run --agents N`); its figures are their merged histograms. */
export interface DistributedSummary {
  /** Agents asked for. */
  requested: number;
  /** The Redis the run was coordinated on, without credentials. */
  redis: string;
  /** Some agent was lost, failed or stopped early: the figures are those of the others, until the run ended. */
  partial: boolean;
  /** Names of the agents that did not run their whole shard of their own accord: lost, failed or cancelled on their machine. */
  missing: string[];
  agents: AgentSummary[];
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
/** The unit a metric is measured and compared in (the catalog gives every metric one). */
export type MetricUnit = 'ms' | 'ops/s' | 'ratio' | 'count' | 'bytes' | 'bytes/min';

export interface ThresholdVerdict {
  /** Metric name, e.g. `latency.p99`. */
  metric: string;
  /** The expression as written in the config, e.g. `< 100ms`. */
  limit: string;
  /** Measured value in the metric's unit, or null when the run produced no value for it. */
  actual: number | null;
  unit: MetricUnit;
  pass: boolean;
}

/** A file the run produced next to `run.json` (a profile, a snapshot, a report). */
export interface RunArtifact {
  /** File name inside the run folder. */
  file: string;
  kind: 'cpuprofile' | 'heapprofile' | 'heapsnapshot' | 'timeline' | 'samples' | 'stack' | 'report' | 'other';
  label?: string;
}

export interface RepeatInfo {
  group: string;
  /** 1-based. */
  index: number;
  of: number;
}

export interface RunRecord {
  version: typeof RUN_RECORD_VERSION;
  id: string;
  profile: string;
  /** The profile's kind (`http`, …: src/runners/registry.ts); a record of another version may name one this one does not know. */
  type: string;
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
  /** The Node process sampled during the run, when one was named; its timeline is the `timeline` artifact. */
  process?: ProcessSummary;
  /** Redis and BullMQ runs: the Redis server's memory during the run. */
  redisMemory?: RedisMemorySummary;
  /**
   * Any run whose config names a stack Redis: what the server and the config's BullMQ queues did
   * meanwhile (commands, slow log, latency, memory, clients, job counts); the series over time are
   * the `stack` artifact.
   */
  stack?: StackEvidence;
  /** Every metric the run measured, by its catalog name, in the catalog's unit (what thresholds and comparisons read). */
  metrics?: Record<string, number>;
  thresholds: ThresholdVerdict[];
  /** The comparison with a baseline, when one was asked for (`--baseline`, or a baseline set in the editor). */
  comparison?: Comparison;
  /** One of several runs of one invocation (`--repeat N`): they share `group`, the id of the first. */
  repeat?: RepeatInfo;
  /**
   * A capacity search (`perflab capacity`): the steps tried and the highest rate that met every
   * threshold. Its `phases` are the steps, its overall figures and metrics the capacity step's.
   */
  capacity?: CapacityResult;
  /** What the run's evidence says is wrong with the target, ranked (src/core/diagnosis.ts); absent for failed runs and capacity searches. */
  diagnosis?: Diagnosis;
  artifacts: RunArtifact[];
  /** All thresholds (and the baseline comparison, when asked for) passed and the run completed; a capacity search found a rate. */
  pass: boolean;
  /** A distributed run: its agents, their shares and clocks, and what each measured. */
  distributed?: DistributedSummary;
  /** Present when status is `failed`: what went wrong, in words a user can act on. */
  error?: string;
}
