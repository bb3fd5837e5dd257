/**
 * The worker side: the benchmark's processor (optional simulated work, planned failures) and the
 * bookkeeping of what the worker finished. Completions are taken from the Worker's own
 * `completed`/`failed` events, in this process: they fire once Redis has recorded the job as
 * finished, on the same clock as the add, with no extra connection. (QueueEvents would add the
 * delay of reading the events stream and one more blocking connection to every measurement.)
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Job, Processor } from 'bullmq';
import { PLANNED_FAILURE, type BenchJobData, type JobPlan } from './jobs';
import type { Recorder } from '../recorder';
import type { BenchQueue, BenchSession, BenchWorker } from './session';
import { abortable } from './producer';
import { isProgrammingError } from '../unexpected';

const WAKE_MS = 500;
const COUNTS_TIMEOUT_MS = 2_000;

/** When a job's latency starts: [corrected, uncorrected] in performance.now() ms; undefined means "from the attempt's start". */
export type LatencyOrigin = (seq: number) => readonly [number, number] | undefined;

export class Completions {
  /** Jobs that reached a final state (completed, or failed after their last attempt). */
  finished = 0;
  completed = 0;
  /** Jobs that failed their last attempt. */
  failed = 0;
  /** Failed attempts that BullMQ retried. */
  retried = 0;
  /** Jobs whose completion was never seen (the connection dropped around it). */
  lost = 0;
  private expected = Infinity;
  private readonly done: Uint8Array[] = [];
  private readonly attemptStart: number[] = [];
  private lastProgressAt = performance.now();
  private wake?: () => void;

  /**
   * `onFault` gets an error of PerfLab's own making (see isProgrammingError) thrown by the
   * processor or the bookkeeping: inside BullMQ's events it would be lost, and the run must end on it.
   */
  constructor(
    private readonly main: Recorder,
    private readonly attempts: Recorder | undefined,
    private readonly onFault: (err: unknown) => void,
    private readonly origin?: LatencyOrigin,
  ) {}

  processor(plan: JobPlan, processTimeMs: number): Processor<BenchJobData> {
    const starts = this.attemptStart;
    return async (job) => {
      try {
        const seq = job.data.seq;
        starts[seq] = performance.now();
        if (processTimeMs > 0) await delay(processTimeMs);
        if (plan.shouldFail(seq, job.attemptsMade)) throw new Error(PLANNED_FAILURE);
      } catch (err) {
        if (isProgrammingError(err)) this.onFault(err);
        throw err;
      }
    };
  }

  attach(worker: BenchWorker): void {
    worker.on('completed', (job) => this.guard(() => this.onCompleted(job)));
    worker.on('failed', (job, err) => this.guard(() => this.onFailed(job, err)));
  }

  private guard(handle: () => void): void {
    try {
      handle();
    } catch (err) {
      this.onFault(err);
    }
  }

  /** Starts the measured interval of the results (jobs and attempts alike, so both rates are per second of the same span). */
  start(): void {
    const now = performance.now();
    this.main.start(now);
    this.attempts?.start(now);
  }

  /** From now on the phase is over once `n` jobs have finished. */
  expect(n: number): void {
    this.expected = n;
    if (this.finished >= n) this.wake?.();
  }

  private onCompleted(job: Job<BenchJobData>): void {
    const now = performance.now();
    const seq = job.data.seq;
    this.lastProgressAt = now;
    if (!this.markDone(seq)) return;
    const attemptMs = now - (this.attemptStart[seq] ?? now);
    this.attempts?.ok(attemptMs);
    this.attempts?.stop(now);
    const from = this.origin?.(seq);
    if (from) this.main.ok(now - from[0], now - from[1]);
    else this.main.ok(attemptMs);
    this.main.stop(now);
    this.completed++;
    this.finish();
  }

  private onFailed(job: Job<BenchJobData> | undefined, err: Error): void {
    // BullMQ passes no job when a stalled job was removed; nothing to attribute then.
    if (!job) return;
    const now = performance.now();
    const seq = job.data.seq;
    this.lastProgressAt = now;
    const attemptMs = now - (this.attemptStart[seq] ?? now);
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    const kind = err?.message === PLANNED_FAILURE ? 'failed' : `failed: ${err?.message ?? 'unknown'}`.slice(0, 70);
    if (!final) {
      this.retried++;
      this.attempts?.fail('retried', attemptMs);
      this.attempts?.stop(now);
      return;
    }
    if (!this.markDone(seq)) return;
    this.attempts?.fail(kind, attemptMs);
    this.attempts?.stop(now);
    this.main.fail(kind);
    this.main.stop(now);
    this.failed++;
    this.finish();
  }

  /** False when `seq` had already finished: a job re-sent after a dropped connection counts once. */
  private markDone(seq: number): boolean {
    const page = (this.done[seq >>> 16] ??= new Uint8Array(65_536));
    const i = seq & 0xffff;
    if (page[i]) return false;
    page[i] = 1;
    return true;
  }

  private finish(): void {
    this.finished++;
    if (this.finished >= this.expected) this.wake?.();
  }

  /**
   * Resolves when every expected job has finished, on abort, or when nothing has finished for
   * `idleLimitMs` and Redis holds no job that could still run (or for 3 × `idleLimitMs` in any
   * case): then the missing jobs are counted as `lost` errors and a warning says so.
   */
  async wait(session: BenchSession, queue: BenchQueue, idleLimitMs: number): Promise<void> {
    const { signal } = session;
    while (!signal.aborted && this.finished < this.expected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, WAKE_MS);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
      this.wake = undefined;
      if (signal.aborted || this.finished >= this.expected) break;
      const idle = performance.now() - this.lastProgressAt;
      if (idle < idleLimitMs) continue;
      const pending = await pendingJobs(queue, signal);
      if (pending === 0 || idle > 3 * idleLimitMs) {
        this.lost = this.expected - this.finished;
        this.main.fail('lost', undefined, this.lost);
        session.live.log(
          'warn',
          `${this.main.name}: ${this.lost} of ${this.expected} jobs never reported a result (nothing happened for ` +
            `${Math.round(idle / 1000)} s${pending === 0 ? ' and none is left to run' : ''}); counted as errors ("lost").`,
        );
        break;
      }
    }
  }
}

/** Jobs that can still be picked up (not active ones, whose worker may be gone); undefined when Redis does not answer. */
async function pendingJobs(queue: BenchQueue, signal: AbortSignal): Promise<number | undefined> {
  const timeout = AbortSignal.timeout(COUNTS_TIMEOUT_MS);
  try {
    const counts = await abortable(
      queue.getJobCounts('wait', 'delayed', 'prioritized', 'waiting-children'),
      AbortSignal.any([signal, timeout]),
    );
    return Object.values(counts).reduce((a, b) => a + b, 0);
  } catch {
    return undefined;
  }
}
