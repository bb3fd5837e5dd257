/**
 * What a run saw of the config's Redis (`stack.redis`) and its BullMQ queues (`stack.queues`)
 * while it ran, whatever the run's kind: the server's own accounting of its commands, its slow
 * log, its latency monitor, its memory and clients, and the queues' job counts. Read-only, on a
 * connection of its own (src/runners/stackEvidence.ts). Its summary is `stack` in run.json; the
 * series over time are the run's `stack` artifact ({@link StackSeriesFile}).
 */

/** The BullMQ job states sampled over a run, in BullMQ's words. */
export const EVIDENCE_JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
export type EvidenceJobState = (typeof EVIDENCE_JOB_STATES)[number];
export type QueueCounts = Record<EvidenceJobState, number>;

/** One command's share of the run: INFO commandstats at the end minus at the start. */
export interface CommandDelta {
  /** As Redis names it, lower case; a subcommand as `config|get` (Redis 7). */
  command: string;
  calls: number;
  /** Microseconds Redis spent executing it. */
  usec: number;
  usecPerCall: number;
  /** Redis 7: calls refused before running (ACL, OOM…) and calls that failed. */
  rejectedCalls?: number;
  failedCalls?: number;
}

/** A SLOWLOG entry that appeared during the run. */
export interface SlowlogEntry {
  id: number;
  /** ISO 8601, from the entry's Unix time (seconds). */
  at: string;
  durationUs: number;
  /** The command name, lower case. */
  command: string;
  /** Its first arguments, each cut short (Redis itself cuts them at 128 bytes and 32 arguments). */
  args: string[];
  /** `ip:port` of the client, when the server says (Redis 4+). */
  client?: string;
  clientName?: string;
}

/** One event of LATENCY LATEST that happened during the run. */
export interface LatencyEvent {
  event: string;
  /** ISO 8601 of its latest spike. */
  at: string;
  latestMs: number;
  /** The highest since the server started (or the event was reset). */
  maxMs: number;
}

/**
 * A command's latency during the run, from LATENCY HISTOGRAM (Redis 7) read at the start and at
 * the end: each figure is the upper bound of the bucket it falls in (the buckets about double).
 */
export interface CommandLatency {
  command: string;
  calls: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

/** A value read about once a second: its first, highest and last reading. */
export interface GaugeSummary {
  start: number;
  max: number;
  end: number;
}

/** One BullMQ queue of the config over the run. */
export interface QueueEvidence {
  name: string;
  prefix: string;
  /** Readings that succeeded. */
  samples: number;
  start?: QueueCounts;
  max?: QueueCounts;
  end?: QueueCounts;
  /** Why it could not be read (every time, or the last failure), in words. */
  error?: string;
}

/** What the run saw of its stack. Every part is optional: what could not be read is in `unavailable`. */
export interface StackEvidence {
  /** The Redis read: its URL without credentials. */
  target: string;
  /** `redis_version` of INFO, when it answered. */
  version?: string;
  intervalMs: number;
  /** Readings of memory, clients and queues that succeeded. */
  samples: number;
  /** The commands that took most of Redis's time during the run, most first (at most 20). */
  commands?: CommandDelta[];
  /** Commands that ran during the run, and all their calls and time. */
  commandTotals?: { commands: number; calls: number; usec: number };
  slowlog?: {
    /** Oldest first, at most 128. */
    entries: SlowlogEntry[];
    /** Entries that appeared but were gone by the end (slowlog-max-len), or beyond the 128 read. */
    missed: number;
    /** `slowlog-log-slower-than`, when CONFIG GET is allowed. */
    slowerThanUs?: number;
  };
  latency?: {
    events: LatencyEvent[];
    /** `latency-monitor-threshold` (0: the monitor is off), when CONFIG GET is allowed. */
    monitorThresholdMs?: number;
    histograms?: CommandLatency[];
  };
  /** `used_memory` in bytes. */
  memory?: GaugeSummary;
  /** `connected_clients` (PerfLab's own connections included). */
  clients?: GaugeSummary;
  queues: QueueEvidence[];
  /** What could not be read, and why, one sentence each. */
  unavailable: string[];
}

/** The evidence of a run whose stack could not be read at all, and why. */
export function stackNotRead(target: string, queues: readonly { name: string; prefix: string }[], intervalMs: number, why: string): StackEvidence {
  return { target, intervalMs, samples: 0, queues: queues.map((q) => ({ name: q.name, prefix: q.prefix, samples: 0, error: 'the stack Redis was not read' })), unavailable: [why] };
}

/** The artifact with the series (memory, clients, job counts over time). */
export const STACK_ARTIFACT = 'stack.json';
export const STACK_SERIES_FORMAT = 'perflab-stack-series';

/** The `stack` artifact: one reading per interval; null where a reading failed. */
export interface StackSeriesFile {
  format: typeof STACK_SERIES_FORMAT;
  version: 1;
  target: string;
  /** Seconds since sampling started. */
  t: number[];
  memory: (number | null)[];
  clients: (number | null)[];
  queues: { name: string; counts: Record<EvidenceJobState, (number | null)[]> }[];
}
