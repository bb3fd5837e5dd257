/**
 * The bullmq kind's part of the config: its profile's shape, the checks the schema cannot
 * express (the queue named in stack.queues, a mode's options, what one add carries) and its
 * normalization (defaults, durations in ms, one concurrency or a sweep).
 */
import { checkDuration, obj, strings, type Obj } from '../../core/config/checks';
import { parseDuration } from '../../core/config/duration';
import { echo, quoted } from '../../core/config/echo';
import { checkRate, checkValueSize } from '../../core/config/limits';
import type { ProblemInput, Segment } from '../../core/config/locate';
import { didYouMeanPrefix, listOf } from '../../core/config/suggest';
import type { ProfileBase } from '../../core/config/types';
import type { CheckEnv, KindConfig, MetricNames, RawProfile } from '../kind';

export const DEFAULT_JOBS = 10_000;
/** BullMQ jobs per addBulk call. */
export const DEFAULT_BULK_SIZE = 100;

export type BullmqMode = 'add' | 'addBulk' | 'drain' | 'e2e';

export interface BullmqProfile extends ProfileBase {
  type: 'bullmq';
  queue: string;
  mode: BullmqMode;
  /** Exactly one of `jobs` and `durationMs` is set (default 10000 jobs). */
  jobs?: number;
  durationMs?: number;
  bulkSize: number;
  /** One benchmark per value (a sweep when there are several). */
  workerConcurrency: number[];
  /** Jobs per second; absent means as fast as possible. */
  arrivalRate?: number;
  priorities?: number[];
  delayed?: { ratio: number; delayMs: number };
  failRate: number;
  attempts: number;
  backoff?: { type: 'fixed' | 'exponential'; delayMs: number };
  limiter?: { max: number; durationMs: number };
  payloadSize: number;
  /** Simulated work per job; 0 for none. */
  processTimeMs: number;
}

export const bullmqConfig: KindConfig<BullmqProfile> = { check, normalize };

function check(out: ProblemInput[], at: Segment[], p: Obj, { queues }: CheckEnv): MetricNames {
  const known = strings(queues);
  if (typeof p.queue === 'string' && known.length > 0 && !known.includes(p.queue)) {
    out.push({
      path: [...at, 'queue'], severity: 'warning', code: 'unknown-queue', message: `queue ${quoted(p.queue)} is not listed in stack.queues`,
      hint: `${didYouMeanPrefix(p.queue, known)}stack.queues: ${listOf(known)}; add it there to see it in the Stack view`,
    });
  }
  const mode = p.mode ?? 'e2e';
  if (mode === 'drain' && 'duration' in p) {
    out.push({
      path: [...at, 'duration'], anchor: 'key', code: 'conflict', message: '"drain" mode needs a fixed number of jobs, not a duration',
      hint: 'replace "duration" with "jobs", e.g. "jobs": 20000',
    });
  }
  if ('bulkSize' in p && mode !== 'addBulk') {
    out.push({
      path: [...at, 'bulkSize'], anchor: 'key', severity: 'warning', code: 'ignored', message: `"bulkSize" only applies in "addBulk" mode (this profile's mode is ${echo(mode)})`,
      hint: 'set "mode": "addBulk", or remove "bulkSize"',
    });
  }
  checkDuration(out, [...at, 'duration'], p.duration, false);
  checkRate(out, [...at, 'arrivalRate'], p.arrivalRate);
  const bulk = mode === 'addBulk' ? (typeof p.bulkSize === 'number' ? p.bulkSize : DEFAULT_BULK_SIZE) : 1;
  checkValueSize(out, [...at, 'payloadSize'], p.payloadSize, bulk, bulk > 1 ? 'jobs per addBulk call (bulkSize)' : 'job');
  checkDuration(out, [...at, 'processTime'], p.processTime, true);
  checkDuration(out, [...at, 'delayed', 'delay'], obj(p.delayed)?.delay, true);
  checkDuration(out, [...at, 'backoff', 'delay'], obj(p.backoff)?.delay, true);
  checkDuration(out, [...at, 'limiter', 'duration'], obj(p.limiter)?.duration, false);
  return {};
}

function normalize(p: RawProfile) {
  return {
    fields: {
      queue: p.queue as string,
      mode: (p.mode ?? 'e2e') as BullmqMode,
      ...(p.duration !== undefined ? { durationMs: parseDuration(p.duration) } : { jobs: (p.jobs ?? DEFAULT_JOBS) as number }),
      bulkSize: (p.bulkSize ?? DEFAULT_BULK_SIZE) as number,
      workerConcurrency: [p.workerConcurrency ?? 10].flat() as number[],
      ...(p.arrivalRate !== undefined ? { arrivalRate: p.arrivalRate as number } : {}),
      ...(p.priorities !== undefined ? { priorities: [...p.priorities] as number[] } : {}),
      ...(p.delayed ? { delayed: { ratio: p.delayed.ratio as number, delayMs: parseDuration(p.delayed.delay, { allowZero: true }) } } : {}),
      failRate: (p.failRate ?? 0) as number,
      attempts: (p.attempts ?? 1) as number,
      ...(p.backoff ? { backoff: { type: p.backoff.type as 'fixed' | 'exponential', delayMs: parseDuration(p.backoff.delay, { allowZero: true }) } } : {}),
      ...(p.limiter ? { limiter: { max: p.limiter.max as number, durationMs: parseDuration(p.limiter.duration) } } : {}),
      payloadSize: (p.payloadSize ?? 256) as number,
      processTimeMs: p.processTime !== undefined ? parseDuration(p.processTime, { allowZero: true }) : 0,
    },
    names: {},
  };
}
