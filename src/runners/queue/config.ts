/**
 * The bullmq kind's part of the config: its profile's shape, the checks the schema cannot
 * express (the queue named in stack.queues, a mode's options, what one add carries) and its
 * normalization (defaults, durations in ms, one concurrency or a sweep). The checks of the
 * real-workers mode (`"workers": "app"`) are in ./appConfig.ts.
 */
import { checkDuration, obj, strings, type Obj } from '../../core/config/checks';
import { parseDuration } from '../../core/config/duration';
import { echo, quoted } from '../../core/config/echo';
import { checkRate, checkValueSize } from '../../core/config/limits';
import type { ProblemInput, Segment } from '../../core/config/locate';
import { didYouMeanPrefix, listOf } from '../../core/config/suggest';
import type { ProfileBase } from '../../core/config/types';
import type { CheckEnv, KindConfig, MetricNames, RawProfile } from '../kind';
import { checkAppWorkers, checkPerflabWorkers, DEFAULT_APP_JOB_NAME } from './appConfig';

export const DEFAULT_JOBS = 10_000;
/** BullMQ jobs per addBulk call. */
export const DEFAULT_BULK_SIZE = 100;

export type BullmqMode = 'add' | 'addBulk' | 'drain' | 'e2e';

/** Whose workers process the jobs: PerfLab's own, on a queue of its own (default), or the app's, on the app's queue. */
export type BullmqWorkers = 'perflab' | 'app';

export interface BullmqProfile extends ProfileBase {
  type: 'bullmq';
  queue: string;
  mode: BullmqMode;
  /** Absent: PerfLab's own worker. */
  workers?: BullmqWorkers;
  /** `workers: app`: the name of every job added (the app's workers may route on it). */
  jobName?: string;
  /** `workers: app`: each job's data, a JSON object whose strings may hold templates (`{{seq}}`, `{{uuid}}`…). */
  data?: Record<string, unknown>;
  /** Exactly one of `jobs` and `durationMs` is set (default 10000 jobs). */
  jobs?: number;
  durationMs?: number;
  bulkSize: number;
  /** One benchmark per value (a sweep when there are several); empty with `workers: app` (the app decides). */
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

function check(out: ProblemInput[], at: Segment[], p: Obj, env: CheckEnv): MetricNames {
  const known = strings(env.queues);
  if (p.workers === 'app') checkAppWorkers(out, at, p, known);
  else checkOwnWorkers(out, at, p, known);
  checkDuration(out, [...at, 'duration'], p.duration, false);
  checkRate(out, [...at, 'arrivalRate'], p.arrivalRate);
  checkDuration(out, [...at, 'delayed', 'delay'], obj(p.delayed)?.delay, true);
  checkDuration(out, [...at, 'backoff', 'delay'], obj(p.backoff)?.delay, true);
  return {};
}

/** The checks of a profile whose jobs PerfLab's own worker processes, on a queue of its own. */
function checkOwnWorkers(out: ProblemInput[], at: Segment[], p: Obj, known: string[]): void {
  checkPerflabWorkers(out, at, p);
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
  const bulk = mode === 'addBulk' ? (typeof p.bulkSize === 'number' ? p.bulkSize : DEFAULT_BULK_SIZE) : 1;
  checkValueSize(out, [...at, 'payloadSize'], p.payloadSize, bulk, bulk > 1 ? 'jobs per addBulk call (bulkSize)' : 'job');
  checkDuration(out, [...at, 'processTime'], p.processTime, true);
  checkDuration(out, [...at, 'limiter', 'duration'], obj(p.limiter)?.duration, false);
}

function normalize(p: RawProfile) {
  const app = p.workers === 'app';
  return {
    fields: {
      queue: p.queue as string,
      mode: (p.mode ?? 'e2e') as BullmqMode,
      // Absent for PerfLab's own worker, so the profile hash of an existing profile is unchanged.
      ...(app ? { workers: 'app' as BullmqWorkers, jobName: (p.jobName ?? DEFAULT_APP_JOB_NAME) as string, data: structuredClone(p.data ?? {}) as Record<string, unknown> } : {}),
      ...(p.duration !== undefined ? { durationMs: parseDuration(p.duration) } : { jobs: (p.jobs ?? DEFAULT_JOBS) as number }),
      bulkSize: (p.bulkSize ?? DEFAULT_BULK_SIZE) as number,
      workerConcurrency: app ? [] : [p.workerConcurrency ?? 10].flat() as number[],
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
