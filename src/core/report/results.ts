/**
 * What every report shows of a run's results, decided once for the text report, the Markdown
 * report and the run page: which rows the results table has, and what its latencies are measured
 * from (that depends on the run type and on whether an arrival rate set a schedule).
 */
import type { OperationResult, RunRecord } from '../runRecord';

/**
 * The operations and the overall row. A BullMQ run's `overall` is not a sum but its headline: one
 * of its operations (the best step of a sweep, or the only one). It is shown once, in its
 * operation's place, under the headline's name (`e2e.c4 (best of c=1, 4)`).
 */
export function resultRows(record: Pick<RunRecord, 'type' | 'operations' | 'overall'>): OperationResult[] {
  const { overall, operations } = record;
  if (!overall) return [...operations];
  const headline = record.type === 'bullmq' ? operations.findIndex((op) => sameResult(op, overall)) : -1;
  if (headline < 0) return [...operations, overall];
  return operations.map((op, i) => (i === headline ? { ...op, name: overall.name } : op));
}

function sameResult(a: OperationResult, b: OperationResult): boolean {
  const numbers = (r: OperationResult) => JSON.stringify([r.count, r.errors, r.rate, r.latency, r.uncorrectedLatency ?? null]);
  return numbers(a) === numbers(b);
}

/** What the latencies are measured from, and what the uncorrected ones (when there) are measured from. */
export interface LatencyBasis {
  /** e.g. `latency from each request's intended send time`. */
  text: string;
  /** e.g. `the actual send`, when the overall row has uncorrected latencies. */
  uncorrectedFrom?: string;
}

/** One phrase per kind of BullMQ row: [row names, without an arrival rate, with one]. */
const BULLMQ_ROWS: [RegExp, string, string][] = [
  [/^(add|addBulk|(fill|add)\.c\d+)$/, "add: one add or addBulk call, to Redis's reply", "add: from each job's scheduled add to Redis's reply"],
  [/^e2e\.c\d+/, "e2e: from each job's add call to its completion", "e2e: from each job's scheduled add to its completion"],
  [/^drain\.c\d+/, 'drain: from the processor taking a job to its completion', 'drain: from the processor taking a job to its completion'],
  [/^attempts\.c\d+/, 'attempts: each processing attempt', 'attempts: each processing attempt'],
];

/**
 * What the run's latencies are measured from, or undefined when there is nothing to say beyond
 * "from the send" (a closed-loop HTTP run, a Redis run). With an arrival rate an HTTP request is
 * timed from its intended send time and a BullMQ job from its scheduled add; without one, BullMQ
 * rows time each call.
 */
export function latencyBasis(record: Pick<RunRecord, 'type' | 'operations' | 'overall'>): LatencyBasis | undefined {
  const uncorrected = record.overall?.uncorrectedLatency !== undefined;
  if (record.type === 'http') return uncorrected ? { text: "latency from each request's intended send time", uncorrectedFrom: 'the actual send' } : undefined;
  if (record.type !== 'bullmq') return undefined;
  // Producers on a schedule also time from the actual add: that is how a rate shows in the rows.
  const paced = record.operations.some((op) => op.uncorrectedLatency !== undefined);
  // In the table's order: one phrase per kind of row present.
  const phrases = [...new Set(record.operations.map((op) => BULLMQ_ROWS.find(([names]) => names.test(op.name))).filter((k) => k !== undefined))]
    .map(([, free, scheduled]) => (paced ? scheduled : free));
  if (!phrases.length) return undefined;
  return {
    text: `${paced ? 'latency on the arrival rate\'s schedule' : 'latency per call, no arrival rate'}: ${phrases.join('; ')}`,
    ...(uncorrected ? { uncorrectedFrom: 'the actual add' } : {}),
  };
}
