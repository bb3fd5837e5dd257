/**
 * One benchmark run's hold on Redis: the per-run key prefix, every Queue and Worker it opened
 * (so all of them are closed at the end, on cancel and on error), and the removal of its keys.
 */
import { Queue, Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BullmqProfile } from '../../core/config';
import { RunnerError } from '../types';
import { cleanupHint, removeUnder } from '../redis/cleanup';
import { BENCH_KEY_TTL_MS } from '../redis/keys';
import { bullmqConnection, connectAdmin, isSelectError, type RedisTarget } from './connection';
import { safeQueueName } from './names';
import type { BenchJobData, JobPlan } from './jobs';
import type { LiveFeed } from '../recorder';

const CLOSE_TIMEOUT_MS = 2_000;

export type BenchQueue = Queue<BenchJobData>;
export type BenchWorker = Worker<BenchJobData>;

export class BenchSession {
  /** Aborted by {@link fail}: the run's signal, a lost Redis and a fault all stop it the same way. */
  readonly signal: AbortSignal;
  private readonly faults = new AbortController();
  private readonly open = new Set<BenchQueue | BenchWorker>();
  private readonly seenErrors = new Set<string>();
  /** Keys removed so far, by the per-step removals and the final one. */
  private removed = 0;

  constructor(
    /** BullMQ key prefix of this run (see runPrefix()): every key its queues create starts with `<prefix>:`. */
    readonly prefix: string,
    readonly profile: BullmqProfile,
    readonly target: RedisTarget,
    private readonly admin: Redis,
    readonly live: LiveFeed,
    readonly plan: JobPlan,
    stop: AbortSignal,
  ) {
    this.signal = AbortSignal.any([stop, this.faults.signal]);
  }

  /**
   * Ends the run with `err` as its failure, from wherever it happened (a worker's event, a send
   * in flight): everything waiting on {@link signal} stops, and the first fault is the one reported.
   */
  fail(err: unknown): void {
    if (!this.faults.signal.aborted) this.faults.abort(err);
  }

  /** The first fault passed to {@link fail}, if any. */
  get fault(): { error: unknown } | undefined {
    return this.faults.signal.aborted ? { error: this.faults.signal.reason } : undefined;
  }

  /** `<queue>` or `<queue>-<suffix>`, a name inside this run's prefix. */
  queueName(suffix?: string): string {
    const base = safeQueueName(this.profile.queue);
    return suffix ? `${base}-${suffix}` : base;
  }

  createQueue(name: string): BenchQueue {
    const queue = new Queue<BenchJobData>(name, {
      connection: bullmqConnection(this.target, `${this.prefix}:queue`),
      prefix: this.prefix,
    });
    queue.on('error', (err) => this.reportError(`queue ${name}`, err));
    this.open.add(queue);
    return queue;
  }

  /** A worker that starts only when `run()` is called, so its start can be timed. */
  createWorker(name: string, concurrency: number, processor: Processor<BenchJobData>): BenchWorker {
    const { limiter } = this.profile;
    const worker = new Worker<BenchJobData>(name, processor, {
      connection: bullmqConnection(this.target, `${this.prefix}:worker`),
      prefix: this.prefix,
      concurrency,
      autorun: false,
      ...(limiter ? { limiter: { max: limiter.max, duration: limiter.durationMs } } : {}),
    });
    worker.on('error', (err) => this.reportError(`worker ${name}`, err));
    this.open.add(worker);
    return worker;
  }

  /**
   * Closes one queue or worker without a graceful QUIT: by the time the run closes something,
   * every job it waits for has finished (or the run is over), and a QUIT would wait forever for a
   * Redis that has gone away. Bounded in time either way.
   */
  async close(item: BenchQueue | BenchWorker): Promise<void> {
    this.open.delete(item);
    const closing = item instanceof Worker ? item.close(true) : item.getBackend().close(true);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), CLOSE_TIMEOUT_MS);
    });
    const late = await Promise.race([closing.then(() => false, () => false), timedOut]);
    clearTimeout(timer);
    if (late) this.live.log('warn', `closing ${item.name} took more than ${CLOSE_TIMEOUT_MS / 1000} s; going on without waiting`);
  }

  /** Closes everything still open, workers first so no job finishes into a closed queue. */
  async closeAll(): Promise<void> {
    const items = [...this.open];
    await Promise.all(items.filter((i) => i instanceof Worker).map((w) => this.close(w)));
    await Promise.all(items.filter((i) => !(i instanceof Worker)).map((q) => this.close(q)));
  }

  /** Removes one finished queue's keys right away, so a sweep does not keep every step's jobs in memory. */
  async removeQueue(name: string): Promise<void> {
    const result = await this.removeUnder(`${this.prefix}:${name}:`);
    if (!result.ok) throw new Error(`could not remove queue ${name} (${result.reason})`);
    this.removed += result.deleted;
  }

  /**
   * Removes every key under the run's prefix, reconnecting a few times when the connection has
   * dropped. Resolves with the number of keys the run removed in all, or with an error message
   * naming the prefix, what is left of it and how to remove it by hand.
   */
  async removeAll(): Promise<{ removed: number } | { error: string }> {
    const result = await this.removeUnder(`${this.prefix}:`);
    if (result.ok) return { removed: (this.removed += result.deleted) };
    const { address, db } = this.target;
    const reason = result.unreachable ? 'Redis is still unreachable' : result.reason;
    return {
      error: `could not remove the benchmark's queues (${reason}); keys under "${this.prefix}:" may remain in db ${db} on ${address}. ` +
        `The key sweeper gave each a TTL of ${Math.round(this.keyTtlMs / 60_000)} minutes, so they expire by themselves (any created in the second ` +
        `before Redis went away may have none); to remove them now: ${cleanupHint(this.target, `${this.prefix}:`)}`,
    };
  }

  /** The TTL the key sweeper gives the run's keys: longer than any BullMQ sets itself (see ownTtlMaxMs). */
  get keyTtlMs(): number {
    return Math.max(BENCH_KEY_TTL_MS, 4 * this.ownTtlMaxMs);
  }

  /**
   * The longest TTL BullMQ gives a key of the run itself: a job's lock and the stalled-jobs check
   * (30 s by default), and the rate limiter's window. The sweep leaves such keys alone.
   */
  get ownTtlMaxMs(): number {
    return Math.max(60_000, 2 * (this.profile.limiter?.durationMs ?? 0));
  }

  disconnectAdmin(): void {
    this.admin.disconnect();
  }

  get adminClient(): Redis {
    return this.admin;
  }

  private removeUnder(prefix: string): ReturnType<typeof removeUnder> {
    return removeUnder({ prefix, reuse: this.admin, connect: () => connectAdmin(this.target, `${this.prefix}:cleanup`) });
  }

  /**
   * BullMQ repeats a connection error on every reconnect attempt, and a lost lock once per job:
   * each kind of error is logged once per source (numbers such as job ids do not make a new kind).
   */
  private reportError(source: string, err: Error): void {
    const message = err?.message ?? String(err);
    if (isSelectError(err)) {
      // The admin link selected the same database before any queue existed, so this takes a server
      // restarted with fewer databases (or a changed ACL); that client now works in db 0.
      const { address, db, label } = this.target;
      this.fail(new RunnerError(
        `${source} could not select database ${db} on Redis at ${address} (${message}) and would work in db 0, so the run stops; ` +
          `check stack.redis.url (${label}) against the server's "databases" setting`,
        'redis',
      ));
    }
    const kind = `${source}|${message.replace(/\d+/g, '#')}`;
    if (this.seenErrors.has(kind)) return;
    this.seenErrors.add(kind);
    this.live.log('warn', `${source}: ${message}`);
  }
}
