/**
 * Whether the load generator, not the target, was the limit of a phase. When it was, the latency
 * numbers describe PerfLab's own delays, and the run says so instead of blaming the target.
 *
 * Time a request waited for its connection (busy with the previous request) is put on the
 * target: the connection was waiting for the target's answer, so the wait is part of the latency
 * a user arriving on schedule sees, and more connections would only put more requests in flight
 * on a target that is already slow. Only the delay past a free connection (late sends), the
 * generator's own lag and a shortfall while the target answered quickly make a phase
 * generator-bound.
 */
import { LATE_SEND_MS, type PhaseHealth } from './protocol';
import { formatMs, formatPercent } from '../../core/format';

/** Generator event-loop lag (p99) above which its timing cannot be trusted. */
export const LAG_LIMIT_MS = 20;
/**
 * Late sends that mean the schedule was not kept: more than 5 % of them, or more than 1 % when
 * the worst was also later than {@link LAG_LIMIT_MS} (a few ms late now and then barely moves the
 * percentiles; tens of ms on 1 % of requests moves p99).
 */
export const LATE_SHARE_LIMIT = 0.05;
export const LATE_SHARE_WITH_LONG_DELAYS = 0.01;
/** Below this many late sends the share says nothing (one late send of ten in a 1-second warm-up). */
export const MIN_LATE_SENDS = 5;
/** An open phase that sent less than this share of its planned requests fell short. */
export const SHORTFALL_LIMIT = 0.9;
/** Connection wait (p99) past which the run says the target held the requests back. */
export const CONNECTION_WAIT_LIMIT_MS = LAG_LIMIT_MS;

export interface HealthInput {
  phase: string;
  lagP99Ms: number;
  /** Open phases only. */
  open?: {
    sent: number;
    /** Refused before sending (invalid requests): handled, not a shortfall. */
    refused: number;
    planned: number;
    dropped: number;
    stopped: boolean;
    lateSends: number;
    lateSendMaxMs: number;
    connections: number;
    /** Mean intended rate over the phase, per second. */
    meanRate: number;
    /** Uncorrected latency p90, ms: how fast the target answered. */
    answerP90Ms: number;
    /** How long requests waited for their connection, ms. */
    connectionWait: { p99: number; max: number };
  };
}

export interface HealthVerdict {
  health: PhaseHealth;
  /** Worth telling the user even though the generator was not the limit, one line each. */
  warnings: string[];
}

export function assessHealth(input: HealthInput): HealthVerdict {
  const { phase, lagP99Ms, open } = input;
  const reasons: string[] = [];
  const warnings: string[] = [];
  if (lagP99Ms > LAG_LIMIT_MS) {
    reasons.push(`its event loop lagged ${formatMs(lagP99Ms)} at p99 (limit ${formatMs(LAG_LIMIT_MS)})`);
  }
  const lateShare = open && open.sent > 0 ? open.lateSends / open.sent : 0;
  const manyLate = open !== undefined && open.lateSends >= MIN_LATE_SENDS;
  if (open && manyLate && (lateShare > LATE_SHARE_LIMIT || (lateShare > LATE_SHARE_WITH_LONG_DELAYS && open.lateSendMaxMs > LAG_LIMIT_MS))) {
    reasons.push(`${open.lateSends} of ${open.sent} requests left more than ${LATE_SEND_MS} ms behind schedule (worst ${formatMs(open.lateSendMaxMs)})`);
  }
  if (open && !open.stopped && open.planned > 0 && open.sent + open.refused < open.planned * SHORTFALL_LIMIT) {
    const share = formatPercent(open.sent / open.planned);
    // Little's law: connections busy on average = rate × latency. Far below the pool size means
    // the connections mostly sat idle, so the target was not what held the requests back.
    const busy = (open.meanRate * open.answerP90Ms) / 1000;
    if (busy < open.connections * 0.5) {
      reasons.push(`it sent only ${share} of the ${open.planned} planned requests although the target answered in ${formatMs(open.answerP90Ms)} (p90)`);
    } else {
      warnings.push(`phase "${phase}": the target could not keep up: ${share} of the ${open.planned} planned requests were sent ` +
        `(${open.dropped} dropped) with ${open.connections} connections; latencies from the intended send times show the wait.`);
    }
  }
  if (open && open.connectionWait.p99 > CONNECTION_WAIT_LIMIT_MS) {
    warnings.push(`phase "${phase}": requests waited up to ${formatMs(open.connectionWait.max)} (p99 ${formatMs(open.connectionWait.p99)}) for their connection ` +
      'to carry the previous request: the target\'s answers held them back, not the generator; latencies from the intended send times include the wait.');
  }
  const health: PhaseHealth = {
    lagP99Ms,
    lateSends: open?.lateSends ?? 0,
    lateSendMaxMs: open?.lateSendMaxMs ?? 0,
    generatorBound: reasons.length > 0,
    ...(open ? {
      sent: open.sent, refused: open.refused, planned: open.planned, connections: open.connections, dropped: open.dropped,
      connectionWait: { p99: open.connectionWait.p99, max: open.connectionWait.max },
    } : {}),
  };
  if (reasons.length) {
    health.message = `phase "${phase}": the load generator was the limit, not the target: ${reasons.join('; ')}. ` +
      'These latencies include its own delays: close other CPU-heavy programs, lower the rate, or run the target on another machine.';
  }
  return { health, warnings };
}
