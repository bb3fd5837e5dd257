/**
 * The real-workers mode (`"workers": "app"`): jobs go into the app's own queue (as
 * `stack.queues` names it, under the app's key prefix) at the profile's rate, the app's own
 * workers run them, and their completion is read from BullMQ's queue events (QueueEvents on the
 * queue's event stream), on PerfLab's clock from the time each job was due. Measured: e2e latency
 * and throughput of the app's workers, their failures by reason, and how the queue's backlog
 * (waiting jobs, the app's own included) changed while jobs were being added; the backlog over
 * time is in the run's stack evidence, since the queue is one of `stack.queues`.
 *
 * Safety: every job PerfLab adds has a job id `<token>-<seq>` (a token no other run has), its
 * data carries `_perflab: <token>`, and it is added with `removeOnComplete` / `removeOnFail`,
 * so BullMQ deletes it once the app's workers are done with it. At the end, on cancel and on
 * error, the jobs PerfLab added that are still in the queue (waiting, delayed, or active: those
 * after their worker releases them) are removed by their ids, one by one, and only those: the
 * app's other jobs, in whatever state, are never touched, and the queue's meta is never written.
 * Only a loopback Redis, or one `allowHosts` lists, is used (resolveRedisTarget).
 */
import { performance } from 'node:perf_hooks';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BullmqProfile, QueueConfig } from '../../core/config';
import { formatCount } from '../../core/format';
import type { RunStatus } from '../../core/runRecord';
import { compileJson, renderParts } from '../http/requestPlan';
import { queueCounter } from '../queueCounter';
import { withTimeout } from '../timeout';
import { LiveFeed, Recorder } from '../recorder';
import { redisMemoryMetrics, startRedisMemorySampler } from '../redis/memorySampler';
import { RunHandle, RunnerError, type RunnerContext, type RunnerOutcome } from '../types';
import { describeFailure } from '../unexpected';
import { bullmqConnection, checkEvictionRisk, connectAdmin, resolveRedisTarget, serverFacts, type RedisTarget } from './connection';
import { JobPlan } from './jobs';
import { idleLimitMs, type ModeOutput, planFraction } from './modes';
import { appRunToken } from './names';
import { abortable, produce, sleep, type Send } from './producer';
import { summarize } from './summary';

/** The field of a job's data that marks it as PerfLab's. */
export const MARKER_FIELD = '_perflab';
/** The app's job code may take its time: this long without a completion, with jobs outstanding, before they count as lost. */
const APP_IDLE_MS = 30_000;
/** When no job has completed this long after the first add, the log asks whether the app's workers run. */
const FIRST_COMPLETION_MS = 5_000;
/** Jobs PerfLab added that are still active when the run ends: removed once their worker lets go, for this long at most. */
const REMOVE_ACTIVE_MS = 15_000;
const REMOVE_BATCH = 200;
/** A removal Redis does not answer in this long (it went away) ends the cleanup, which says what is left. */
const REMOVE_ANSWER_MS = 5_000;
const READY_TIMEOUT_MS = 10_000;
const BACKLOG_STATES = ['waiting', 'prioritized'] as const;

/** Starts a run of the app's workers; see the module comment. */
export function runAppWorkers(profile: BullmqProfile, ctx: RunnerContext, handle: RunHandle, signal: AbortSignal): Promise<RunnerOutcome> {
  // Refused before any connection: a remote Redis without allowHosts, a queue not in stack.queues.
  const target = resolveRedisTarget(ctx);
  const queue = ctx.config.stack.queues.find((q) => q.name === profile.queue);
  if (!queue) {
    throw new RunnerError(`"workers": "app" adds jobs to the app's queue "${profile.queue}", which is not listed in stack.queues; list it there (with its "prefix")`, 'config');
  }
  return new AppRun(profile, ctx, target, queue, handle, signal).run();
}

/** The ids of the jobs one run added, and what became of them. */
class Tracking {
  readonly token = appRunToken();
  /** Jobs whose add was sent (it may not have reached Redis yet). */
  sent = 0;
  /** Jobs seen completed or failed (BullMQ then removed them itself). */
  private readonly done = new Set<number>();

  id(seq: number): string {
    return `${this.token}-${seq}`;
  }

  /** The job's sequence number, when the id is one of this run's. */
  seqOf(jobId: string): number | undefined {
    if (!jobId.startsWith(`${this.token}-`)) return undefined;
    const seq = Number(jobId.slice(this.token.length + 1));
    return Number.isInteger(seq) && seq >= 0 && seq < this.sent ? seq : undefined;
  }

  /** False when the job had already finished (an event read twice counts once). */
  finish(seq: number): boolean {
    if (this.done.has(seq)) return false;
    this.done.add(seq);
    return true;
  }

  get finished(): number {
    return this.done.size;
  }

  /** Ids of the jobs added and not seen finishing: what may still be in the queue. */
  outstanding(): string[] {
    const ids: string[] = [];
    for (let seq = 0; seq < this.sent; seq++) if (!this.done.has(seq)) ids.push(this.id(seq));
    return ids;
  }
}

class AppRun {
  private readonly tracking = new Tracking();
  private readonly faults = new AbortController();
  private readonly lost = new AbortController();
  private readonly stop: AbortSignal;
  private readonly live: LiveFeed;
  private readonly main: Recorder;
  private readonly producer: Recorder;
  private readonly due: number[] = [];
  private readonly sentAt: number[] = [];
  private readonly adds = new Set<Promise<unknown>>();
  private readonly seenErrors = new Set<string>();
  private readonly plan: JobPlan;
  private expected = Infinity;
  /** Jobs the app's workers completed, and failed (after their attempts), as the queue's events said. */
  completed = 0;
  failed = 0;
  private lastProgressAt = performance.now();
  private wake?: () => void;

  constructor(
    private readonly profile: BullmqProfile,
    private readonly ctx: RunnerContext,
    private readonly target: RedisTarget,
    private readonly queue: QueueConfig,
    handle: RunHandle,
    private readonly signal: AbortSignal,
  ) {
    this.stop = AbortSignal.any([signal, this.faults.signal, this.lost.signal]);
    this.live = new LiveFeed(handle, profile.durationMs);
    const paced = profile.arrivalRate !== undefined;
    this.main = new Recorder('e2e', { uncorrected: paced });
    this.producer = new Recorder('add', { uncorrected: paced });
    // Priorities, delays, attempts and backoff of each job, as for PerfLab's own worker; no payload (the data is the template's).
    this.plan = new JobPlan({ ...profile, payloadSize: 0 });
  }

  private fail(err: unknown): void {
    if (!this.faults.signal.aborted) this.faults.abort(err);
  }

  async run(): Promise<RunnerOutcome> {
    const { target, signal } = this;
    const empty = (status: RunStatus): RunnerOutcome => ({ status, target: target.label, phases: [], operations: [], metrics: {} });
    if (signal.aborted) return empty('cancelled');
    let admin: Redis;
    try {
      admin = await connectAdmin(target, `${this.tracking.token}:admin`, signal);
    } catch (err) {
      if (signal.aborted) return empty('cancelled');
      throw err;
    }
    const running = { now: true };
    admin.once('end', () => {
      if (!running.now) return;
      const message = `lost the connection to Redis at ${target.host}:${target.port} mid-run and could not reconnect; check that redis-server is still running (results are partial)`;
      this.live.log('error', message);
      this.lost.abort(new Error(message));
    });
    try {
      return await this.measure(admin, running);
    } finally {
      running.now = false;
      admin.disconnect();
    }
  }

  private async measure(admin: Redis, running: { now: boolean }): Promise<RunnerOutcome> {
    const { profile, target, live, tracking } = this;
    const render = this.dataRenderer();
    const facts = await serverFacts(admin).catch((err: Error) => {
      throw new RunnerError(`Redis at ${target.host}:${target.port} did not answer INFO: ${err.message}`, 'redis');
    });
    const planned = profile.jobs ?? Math.ceil((profile.arrivalRate ?? 0) * (profile.durationMs ?? 0) / 1000);
    for (const warning of checkEvictionRisk(facts, planned * (JSON.stringify(render(0)).length + 700), target.label)) live.log('warn', warning);

    const { name, prefix } = this.queue;
    const connection = (role: string) => bullmqConnection(target, `${tracking.token}:${role}`);
    // Never writes the app's queue meta (BullMQ would, on opening a Queue, unless told not to).
    const queue = new Queue(name, { connection: connection('queue'), prefix, skipMetasUpdate: true });
    queue.on('error', (err) => this.reportError(`queue ${name}`, err));
    let events: QueueEvents | undefined;
    const memory = await startRedisMemorySampler(admin);
    const backlog = queueCounter(admin, name, prefix);
    let backlogStart: number | undefined;
    let backlogEnd: number | undefined;
    let generator: Awaited<ReturnType<typeof produce>>['generator'];
    let cleanup: { removed: number; left: number } | undefined;
    let redisMemory;
    live.begin();
    try {
      events = await this.listen(admin, connection('events'));
      await this.ready(queue.waitUntilReady());
      await this.sayWhoWorks(queue);
      live.log(
        'info',
        `adding ${profile.jobs !== undefined ? `${formatCount(profile.jobs)} jobs` : `jobs for ${(profile.durationMs ?? 0) / 1000} s`} at ${profile.arrivalRate}/s to the app's queue ` +
          `"${name}" (prefix "${prefix}") on ${target.label}, named "${profile.jobName}", with ids "${tracking.token}-<n>" and "${MARKER_FIELD}": "${tracking.token}" in their data; ` +
          "the app's workers run them, and PerfLab removes only these jobs",
      );
      backlogStart = await this.backlogOf(backlog);
      const started = performance.now();
      this.main.start(started);
      live.follow('e2e', this.main, () => planFraction(profile, profile.jobs !== undefined ? tracking.finished : 0, started));
      const watch = setTimeout(() => {
        if (tracking.finished === 0 && tracking.sent > 0) {
          live.log('warn', `no job has completed ${FIRST_COMPLETION_MS / 1000} s after the first add: are the app's workers running on queue "${name}" with prefix "${prefix}"?`);
        }
      }, FIRST_COMPLETION_MS);
      watch.unref();
      const result = await produce({ signal: this.stop, fail: (err) => this.fail(err) }, this.sender(queue, render), this.producer, {
        ...(profile.jobs !== undefined ? { jobs: profile.jobs } : {}),
        ...(profile.durationMs !== undefined ? { durationMs: profile.durationMs } : {}),
        ...(profile.arrivalRate !== undefined ? { rate: profile.arrivalRate } : {}),
        onSend: (seq, dueAt, sentAt) => {
          this.due[seq] = dueAt;
          this.sentAt[seq] = sentAt;
          tracking.sent = seq + 1;
        },
      });
      generator = result.generator;
      if (!this.stop.aborted) backlogEnd = await this.backlogOf(backlog);
      this.expect(result.added);
      await this.wait(Math.max(APP_IDLE_MS, idleLimitMs(profile)));
      clearTimeout(watch);
    } catch (err) {
      this.fail(err);
    } finally {
      running.now = false;
      await events?.close().catch(() => undefined);
      redisMemory = await memory.stop();
      cleanup = await this.removeOwnJobs(queue, admin);
      await queue.close().catch(() => undefined);
      await backlog.close();
      live.end();
    }

    const out: ModeOutput = { recorders: [this.main, this.producer], steps: [{ concurrency: 0, main: this.main, producer: this.producer, completions: this }] };
    const summary = summarize(profile, out);
    const growth = backlogStart !== undefined && backlogEnd !== undefined ? backlogEnd - backlogStart : undefined;
    if (growth !== undefined) live.log('info', `queue "${name}" had ${formatCount(backlogStart!)} jobs waiting when adding began and ${formatCount(backlogEnd!)} when it ended`);
    let status: RunStatus = 'completed';
    let error: string | undefined;
    if (this.signal.aborted) status = 'cancelled';
    else if (this.lost.signal.aborted) {
      status = 'failed';
      error = (this.lost.signal.reason as Error).message;
    } else if (this.faults.signal.aborted) {
      const reason = this.faults.signal.reason as unknown;
      if (reason instanceof RunnerError && this.tracking.sent === 0) throw reason;
      status = 'failed';
      error = reason instanceof RunnerError ? reason.message : describeFailure(reason, this.ctx.env);
      live.log('error', error);
    }
    if (cleanup.left > 0) {
      const left = `${cleanup.left} of the jobs PerfLab added could not be removed from queue "${name}" (ids "${tracking.token}-<n>", "${MARKER_FIELD}": "${tracking.token}" in their data); ` +
        "they were still active in the app's workers, which remove them when they finish (removeOnComplete / removeOnFail)";
      live.log('warn', left);
    }
    return {
      ...summary,
      metrics: { ...summary.metrics, ...(growth !== undefined ? { 'backlog.growth': growth } : {}), ...(summary.overall ? redisMemoryMetrics(redisMemory) : {}) },
      ...(redisMemory ? { redisMemory } : {}),
      status,
      target: `${target.label} · queue ${name}`,
      phases: [],
      timeline: live.timeline,
      ...(generator ? { generator } : {}),
      ...(error ? { error } : {}),
    };
  }

  /** Each job's data from the profile's template, with PerfLab's marker. */
  private dataRenderer(): (seq: number) => Record<string, unknown> {
    const parts = compileJson(this.profile.data ?? {}, `profiles.${this.profile.name}.data`);
    const token = this.tracking.token;
    return (seq) => ({ ...(JSON.parse(renderParts(parts, { seq: seq + 1 })) as Record<string, unknown>), [MARKER_FIELD]: token });
  }

  private sender(queue: Queue, render: (seq: number) => Record<string, unknown>): Send {
    const { plan } = this;
    const name = this.profile.jobName ?? 'perflab';
    return (seq) => {
      const add = queue.add(name, render(seq), { ...plan.options(seq), jobId: this.tracking.id(seq), removeOnComplete: true, removeOnFail: true });
      this.adds.add(add);
      const settle = () => this.adds.delete(add);
      add.then(settle, settle);
      return add;
    };
  }

  /** Listens to the queue's events from its newest entry on, so no event of the run's first job is missed. */
  private async listen(admin: Redis, connection: ReturnType<typeof bullmqConnection>): Promise<QueueEvents> {
    const { name, prefix } = this.queue;
    const newest = (await admin.xrevrange(`${prefix}:${name}:events`, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
    const events = new QueueEvents(name, { connection, prefix, lastEventId: newest });
    events.on('error', (err) => this.reportError(`queue events of ${name}`, err));
    events.on('completed', ({ jobId }) => this.guard(() => this.onCompleted(jobId)));
    events.on('failed', ({ jobId, failedReason }) => this.guard(() => this.onFailed(jobId, failedReason)));
    await this.ready(events.waitUntilReady());
    return events;
  }

  private guard(handle: () => void): void {
    try {
      handle();
    } catch (err) {
      this.fail(err);
    }
  }

  private onCompleted(jobId: string): void {
    const seq = this.tracking.seqOf(jobId);
    if (seq === undefined || !this.tracking.finish(seq)) return;
    const now = performance.now();
    this.lastProgressAt = now;
    const delay = this.plan.delayOf(seq);
    this.main.ok(now - this.due[seq]! - delay, now - this.sentAt[seq]! - delay);
    this.main.stop(now);
    this.completed++;
    this.settled();
  }

  private onFailed(jobId: string, reason: string): void {
    const seq = this.tracking.seqOf(jobId);
    if (seq === undefined || !this.tracking.finish(seq)) return;
    const now = performance.now();
    this.lastProgressAt = now;
    this.main.fail(`failed: ${reason || 'no reason given'}`.slice(0, 70));
    this.main.stop(now);
    this.failed++;
    this.settled();
  }

  private settled(): void {
    if (this.tracking.finished >= this.expected) this.wake?.();
  }

  private expect(n: number): void {
    this.expected = n;
  }

  /** Until every job added has finished, the run stops, or nothing finished for `idleMs` (the rest count as lost). */
  private async wait(idleMs: number): Promise<void> {
    const { stop, tracking } = this;
    while (!stop.aborted && tracking.finished < this.expected) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stop.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, 500);
        this.wake = done;
        stop.addEventListener('abort', done, { once: true });
      });
      this.wake = undefined;
      const idle = performance.now() - this.lastProgressAt;
      if (!stop.aborted && tracking.finished < this.expected && idle > idleMs) {
        const lost = this.expected - tracking.finished;
        this.main.fail('lost', undefined, lost);
        this.live.log('warn', `${lost} of ${this.expected} jobs never reported a result within ${Math.round(idle / 1000)} s; counted as errors ("lost")`);
        return;
      }
    }
  }

  /** Waiting jobs of the queue (the app's own included). */
  private async backlogOf(counter: ReturnType<typeof queueCounter>): Promise<number | undefined> {
    try {
      const counts = await counter.counts(BACKLOG_STATES, 2_000);
      return counts.waiting + counts.prioritized;
    } catch (err) {
      this.live.log('warn', `the backlog of queue "${this.queue.name}" could not be read (${(err as Error).message})`);
      return undefined;
    }
  }

  /** Says how many workers serve the queue (by their connection names), when the server lets CLIENT LIST through. */
  private async sayWhoWorks(queue: Queue): Promise<void> {
    try {
      const n = await queue.getWorkersCount();
      if (n === 0) this.live.log('warn', `no worker of queue "${this.queue.name}" (prefix "${this.queue.prefix}") is connected to ${this.target.label} right now; the jobs wait until the app's workers run`);
      else this.live.log('info', `${n} worker connection${n === 1 ? '' : 's'} of the app serve queue "${this.queue.name}"`);
    } catch {
      // CLIENT LIST refused (an ACL): the first-completion watch still says so when nothing happens.
    }
  }

  /**
   * Removes the jobs this run added that are still in the queue, by their ids: waiting and delayed
   * ones at once, active ones once their worker lets go of them (BullMQ refuses to remove a locked
   * job, and a finished one removes itself). An add still in flight is waited for first, so no job
   * lands after the removal. Never throws.
   */
  private async removeOwnJobs(queue: Queue, admin: Redis): Promise<{ removed: number; left: number }> {
    await Promise.race([Promise.allSettled([...this.adds]), sleep(READY_TIMEOUT_MS)]);
    const { prefix, name } = this.queue;
    let ids = this.tracking.outstanding();
    let removed = 0;
    const deadline = performance.now() + REMOVE_ACTIVE_MS;
    try {
      while (ids.length) {
        const locked: string[] = [];
        for (let i = 0; i < ids.length; i += REMOVE_BATCH) {
          const batch = ids.slice(i, i + REMOVE_BATCH);
          const codes = await withTimeout(Promise.all(batch.map((id) => queue.remove(id, { removeChildren: false }))), REMOVE_ANSWER_MS, `Redis did not answer within ${REMOVE_ANSWER_MS / 1000} s`);
          const missing = batch.filter((_, k) => codes[k] !== 1);
          removed += batch.length - missing.length;
          if (!missing.length) continue;
          // 0: gone already (finished and removed by BullMQ) or locked by a worker: only the latter still has its hash.
          const exists = await withTimeout(admin.pipeline(missing.map((id) => ['exists', `${prefix}:${name}:${id}`])).exec(), REMOVE_ANSWER_MS, `Redis did not answer within ${REMOVE_ANSWER_MS / 1000} s`);
          missing.forEach((id, k) => {
            if (exists?.[k]?.[1] === 1) locked.push(id);
          });
        }
        ids = locked;
        if (!ids.length || performance.now() > deadline) break;
        await sleep(100);
      }
    } catch (err) {
      this.live.log('error', `removing the jobs PerfLab added to queue "${name}" failed (${(err as Error).message}); they are marked "${MARKER_FIELD}": "${this.tracking.token}"`);
      return { removed, left: ids.length };
    }
    if (removed > 0 || this.tracking.sent > 0) {
      this.live.log('info', `removed ${formatCount(removed)} jobs PerfLab added that were still in queue "${name}" (the others were removed by BullMQ as they finished); the app's own jobs were not touched`);
    }
    return { removed, left: ids.length };
  }

  private async ready(promise: Promise<unknown>): Promise<void> {
    const timeout = AbortSignal.timeout(READY_TIMEOUT_MS);
    try {
      await abortable(promise, AbortSignal.any([this.stop, timeout]));
    } catch (err) {
      if (this.stop.aborted) throw err;
      const why = timeout.aborted ? `no connection within ${READY_TIMEOUT_MS / 1000} s` : (err as Error).message;
      throw new RunnerError(`Lost Redis at ${this.target.host}:${this.target.port} while starting (${why}); check that redis-server is still running.`, 'redis');
    }
  }

  /** Each kind of connection error once per source (BullMQ repeats them on every reconnect attempt). */
  private reportError(source: string, err: Error): void {
    const kind = `${source}|${(err?.message ?? String(err)).replace(/\d+/g, '#')}`;
    if (this.seenErrors.has(kind)) return;
    this.seenErrors.add(kind);
    this.live.log('warn', `${source}: ${err?.message ?? String(err)}`);
  }
}
