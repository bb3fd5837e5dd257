/**
 * What each benchmark job looks like: its data, its options (priority, delay, attempts, backoff)
 * and whether a given attempt fails on purpose. Everything is a pure function of the job's
 * sequence number, so a profile produces the same mix of jobs on every run and the numbers of two
 * runs compare like with like.
 */
import type { JobsOptions } from 'bullmq';
import type { BullmqProfile } from '../../core/config';

/** The data of every benchmark job: its sequence number in the run and a filler of `payloadSize` characters. */
export interface BenchJobData {
  seq: number;
  payload: string;
}

export const JOB_NAME = 'perflab-bench';

/** Message of the errors thrown by the processor for a planned failure. */
export const PLANNED_FAILURE = 'planned failure (failRate)';

const PRIORITY_SALT = 0x5bd1e995;
const FAIL_SALT = 0x27d4eb2f;

export class JobPlan {
  private readonly payload: string;

  constructor(private readonly profile: BullmqProfile) {
    // Printable, not compressible to nothing, and the same on every run. Filled into one buffer
    // (a size no string can hold fails here at once, instead of after gigabytes of `+=` pieces).
    const alphabet = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
    const bytes = Buffer.allocUnsafe(profile.payloadSize);
    for (let i = 0; i < bytes.length; i++) bytes[i] = alphabet[hash(i, 0x1234567) % alphabet.length]!;
    this.payload = bytes.toString('latin1');
  }

  data(seq: number): BenchJobData {
    return { seq, payload: this.payload };
  }

  /** Options of job `seq`, or undefined when the profile asks for none (as a plain `queue.add` would pass). */
  options(seq: number): JobsOptions | undefined {
    const { priorities, attempts, backoff } = this.profile;
    const delay = this.delayOf(seq);
    if (!priorities?.length && !delay && attempts <= 1 && !backoff) return undefined;
    const opts: JobsOptions = {};
    if (priorities?.length) opts.priority = priorities[hash(seq, PRIORITY_SALT) % priorities.length];
    if (delay) opts.delay = delay;
    if (attempts > 1) opts.attempts = attempts;
    if (backoff) opts.backoff = { type: backoff.type, delay: backoff.delayMs };
    // Planned failures need no stack traces stored with the job.
    if (this.profile.failRate > 0) opts.stackTraceLimit = 0;
    return opts;
  }

  /** Delay of job `seq`: exactly `ratio` of the jobs are delayed, spread evenly through the run. */
  delayOf(seq: number): number {
    const d = this.profile.delayed;
    if (!d || d.delayMs <= 0) return 0;
    return Math.floor((seq + 1) * d.ratio) > Math.floor(seq * d.ratio) ? d.delayMs : 0;
  }

  /** Whether attempt `attemptsMade` (0-based) of job `seq` fails: a fraction `failRate` of all attempts does. */
  shouldFail(seq: number, attemptsMade: number): boolean {
    const rate = this.profile.failRate;
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    return hash(seq * 64 + attemptsMade, FAIL_SALT) / 0x1_0000_0000 < rate;
  }

  /** Rough Redis footprint of `jobs` jobs, to check a memory limit before filling the server. */
  estimatedBytes(jobs: number): number {
    return jobs * (this.profile.payloadSize + 700);
  }
}

/** A well-mixed 32-bit hash of an integer (murmur3's finalizer). */
function hash(n: number, salt: number): number {
  let h = Math.imul(n ^ salt, 0xcc9e2d51);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
