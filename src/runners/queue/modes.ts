/**
 * The four benchmarks. `add` and `addBulk` only produce. `drain` fills a queue first and then
 * times one worker emptying it, once per value of `workerConcurrency`. `e2e` runs a worker at each
 * concurrency while jobs arrive (on an even schedule with `arrivalRate`) and times each job from
 * its scheduled add to its completion. Each step uses a fresh queue, removed when the step ends.
 * With `duration` instead of `jobs`, adding (the fill, for `drain`) lasts that long; the step then
 * waits for the jobs added to finish.
 */
import { performance } from 'node:perf_hooks';
import type { BullmqProfile } from '../../core/config';
import type { GeneratorHealth } from '../../core/runRecord';
import { RunnerError } from '../types';
import { Completions } from './consumer';
import { abortable, benchSend, lateSendsMessage, produce, type ProduceOptions } from './producer';
import { Recorder } from '../recorder';
import type { BenchQueue, BenchSession, BenchWorker } from './session';
import { formatCount, formatDuration } from '../../core/format';

const READY_TIMEOUT_MS = 10_000;
/** With no delays, backoffs or limiter in play, this long without any job finishing means something was lost. */
const BASE_IDLE_MS = 5_000;

/** One concurrency of a sweep: its main result, the producer's, and what the worker finished. */
export interface SweepStep {
  concurrency: number;
  main: Recorder;
  producer: Recorder;
  /** What its worker finished (the headline picks the best step by it). */
  completions: Pick<Completions, 'completed' | 'failed'>;
}

export interface ModeOutput {
  /** Every result, in report order. */
  recorders: Recorder[];
  /** drain / e2e: one per concurrency that was started. */
  steps: SweepStep[];
  /** add / addBulk: the one result. */
  producer?: Recorder;
  generator?: GeneratorHealth;
  /** e2e with a rate: each step's schedule, merged into `generator` once the sweep ends. */
  paced?: { concurrency: number; sends: number; health: GeneratorHealth }[];
}

export function runMode(session: BenchSession, out: ModeOutput): Promise<void> {
  switch (session.profile.mode) {
    case 'add': return runProducer(session, out, false);
    case 'addBulk': return runProducer(session, out, true);
    case 'drain': return runSweep(session, out, drainStep);
    case 'e2e': return runSweep(session, out, e2eStep);
  }
}

async function runProducer(session: BenchSession, out: ModeOutput, bulk: boolean): Promise<void> {
  const { profile, live } = session;
  const name = bulk ? 'addBulk' : 'add';
  const rec = new Recorder(name, { uncorrected: profile.arrivalRate !== undefined });
  out.recorders.push(rec);
  out.producer = rec;
  const queue = session.createQueue(session.queueName());
  await ready(session, queue);
  const started = performance.now();
  live.follow(name, rec, () => planFraction(profile, rec.count, started));
  const result = await produce(session, benchSend(session, queue, bulk), rec, producerOptions(profile, bulk));
  if (result.generator) out.generator = result.generator;
  await session.close(queue);
  await session.removeQueue(queue.name);
}

/** Runs one concurrency; registers its results in `out` as soon as they exist, so a cancel or an error keeps what was measured. */
type Step = (session: BenchSession, out: ModeOutput, concurrency: number, at: (f: number) => number) => Promise<void>;

async function runSweep(session: BenchSession, out: ModeOutput, step: Step): Promise<void> {
  const list = session.profile.workerConcurrency;
  try {
    for (let i = 0; i < list.length && !session.signal.aborted; i++) {
      await step(session, out, list[i]!, (f) => (i + Math.min(1, f)) / list.length);
    }
  } finally {
    if (out.paced?.length) out.generator = sweepHealth(out.paced);
  }
}

/** Fill, then time a worker at `concurrency` until the queue is empty. */
const drainStep: Step = async (session, out, concurrency, at) => {
  const { profile, live, plan, signal } = session;
  const name = session.queueName(`c${concurrency}`);
  const fill = new Recorder(`fill.c${concurrency}`, { uncorrected: profile.arrivalRate !== undefined });
  const main = new Recorder(`drain.c${concurrency}`);
  const attempts = retriesInPlay(profile) ? new Recorder(`attempts.c${concurrency}`) : undefined;
  const completions = new Completions(main, attempts, (err) => session.fail(err));
  out.recorders.push(fill, main, ...(attempts ? [attempts] : []));
  out.steps.push({ concurrency, main, producer: fill, completions });
  const queue = session.createQueue(name);
  let worker: BenchWorker | undefined;
  try {
    await ready(session, queue);
    const started = performance.now();
    live.follow(`fill c=${concurrency}`, fill, () => at(planFraction(profile, fill.count, started) / 2));
    const { added } = await produce(session, benchSend(session, queue, true), fill, producerOptions(profile, true));
    if (signal.aborted) return;
    live.log('info', `queue ${name} filled with ${formatCount(added)} jobs in ${formatDuration(fill.seconds * 1000)}; draining at concurrency ${concurrency}`);

    worker = session.createWorker(name, concurrency, completions.processor(plan, profile.processTimeMs));
    completions.attach(worker);
    await ready(session, worker);
    completions.expect(added);
    live.follow(`drain c=${concurrency}`, main, () => at(0.5 + (added ? completions.finished / added : 1) / 2));
    completions.start();
    startWorker(session, worker);
    await completions.wait(session, queue, idleLimitMs(profile));
  } finally {
    if (worker) await session.close(worker);
    await session.close(queue);
  }
  // After an error or an abort the run's final cleanup removes everything under the prefix anyway.
  if (!signal.aborted) await session.removeQueue(name);
};

/** A worker at `concurrency` running while jobs are added; each job timed from its scheduled add to its completion. */
const e2eStep: Step = async (session, out, concurrency, at) => {
  const { profile, live, plan, signal } = session;
  const name = session.queueName(`c${concurrency}`);
  const paced = profile.arrivalRate !== undefined;
  const main = new Recorder(`e2e.c${concurrency}`, { uncorrected: paced });
  const producer = new Recorder(`add.c${concurrency}`, { uncorrected: paced });
  const attempts = retriesInPlay(profile) ? new Recorder(`attempts.c${concurrency}`) : undefined;
  const due: number[] = [];
  const sent: number[] = [];
  // A delayed job is on time when it completes right after its delay: count from when it became due.
  const completions = new Completions(main, attempts, (err) => session.fail(err), (seq) => {
    const d = due[seq];
    const s = sent[seq];
    if (d === undefined || s === undefined) return undefined;
    const extra = plan.delayOf(seq);
    return [d + extra, s + extra];
  });
  out.recorders.push(main, producer, ...(attempts ? [attempts] : []));
  out.steps.push({ concurrency, main, producer, completions });
  const queue = session.createQueue(name);
  let worker: BenchWorker | undefined;
  try {
    worker = session.createWorker(name, concurrency, completions.processor(plan, profile.processTimeMs));
    completions.attach(worker);
    await Promise.all([ready(session, queue), ready(session, worker)]);
    startWorker(session, worker);
    const started = performance.now();
    live.follow(`e2e c=${concurrency}`, main, () => at(planFraction(profile, completions.finished, started)));
    completions.start();
    const result = await produce(session, benchSend(session, queue, false), producer, {
      ...producerOptions(profile, false),
      onSend: (seq, dueAt, sentAt) => {
        due[seq] = dueAt;
        sent[seq] = sentAt;
      },
    });
    if (result.generator) (out.paced ??= []).push({ concurrency, sends: result.sends ?? 0, health: result.generator });
    completions.expect(result.added);
    await completions.wait(session, queue, idleLimitMs(profile));
  } finally {
    if (worker) await session.close(worker);
    await session.close(queue);
  }
  // After an error or an abort the run's final cleanup removes everything under the prefix anyway.
  if (!signal.aborted) await session.removeQueue(name);
};

function producerOptions(profile: BullmqProfile, bulk: boolean): ProduceOptions {
  return {
    ...(profile.jobs !== undefined ? { jobs: profile.jobs } : {}),
    ...(profile.durationMs !== undefined ? { durationMs: profile.durationMs } : {}),
    ...(profile.arrivalRate !== undefined ? { rate: profile.arrivalRate } : {}),
    ...(bulk ? { bulk: profile.bulkSize } : {}),
  };
}

/** Starts the worker's loop; a loop that ends in an error ends the run (the jobs it would have finished never will). */
function startWorker(session: BenchSession, worker: BenchWorker): void {
  worker.run().catch((err: Error) => session.fail(new Error(`worker ${worker.name} stopped: ${err.message}`)));
}

/** Waits until a queue or worker is connected; a Redis that went away since the probe fails the run instead of hanging it. */
async function ready(session: BenchSession, item: BenchQueue | BenchWorker): Promise<void> {
  const timeout = AbortSignal.timeout(READY_TIMEOUT_MS);
  try {
    await abortable(item.waitUntilReady(), AbortSignal.any([session.signal, timeout]));
  } catch (err) {
    if (session.signal.aborted) throw err;
    const { host, port } = session.target;
    const why = timeout.aborted ? `no connection within ${READY_TIMEOUT_MS / 1000} s` : (err as Error).message;
    throw new RunnerError(`Lost Redis at ${host}:${port} while starting the benchmark (${why}); check that redis-server is still running.`, 'redis');
  }
}

/** 0..1 of the planned jobs or duration. */
export function planFraction(profile: BullmqProfile, done: number, startedAt: number): number {
  if (profile.jobs !== undefined) return profile.jobs ? done / profile.jobs : 1;
  return profile.durationMs ? (performance.now() - startedAt) / profile.durationMs : 1;
}

function retriesInPlay(profile: BullmqProfile): boolean {
  return profile.failRate > 0 || profile.attempts > 1;
}

/** How long nothing may finish before the missing jobs are presumed lost: longer when delays, backoffs or a limiter make jobs wait on purpose. */
export function idleLimitMs(p: BullmqProfile): number {
  const backoff = p.backoff ? (p.backoff.type === 'exponential' ? p.backoff.delayMs * 2 ** Math.max(0, p.attempts - 2) : p.backoff.delayMs) : 0;
  const waits = Math.max(p.delayed?.delayMs ?? 0, backoff, p.limiter?.durationMs ?? 0, p.processTimeMs);
  return BASE_IDLE_MS + 2 * waits;
}

/** The schedule of every step as one: totals, worsts, and one sentence naming the steps that fell behind. */
export function sweepHealth(steps: NonNullable<ModeOutput['paced']>): GeneratorHealth {
  const late = steps.reduce((n, s) => n + s.health.lateSends, 0);
  const sends = steps.reduce((n, s) => n + s.sends, 0);
  const worst = Math.max(...steps.map((s) => s.health.lateSendMaxMs));
  const bound = steps.filter((s) => s.health.generatorBound);
  const where = steps.length > 1 ? ` (${bound.map((s) => `c=${s.concurrency}: ${s.health.lateSends} of ${s.sends}`).join(', ')})` : '';
  return {
    lagP99Ms: Math.max(...steps.map((s) => s.health.lagP99Ms)),
    lateSends: late,
    lateSendMaxMs: worst,
    generatorBound: bound.length > 0,
    ...(bound.length ? { message: lateSendsMessage(late, sends, worst, where) } : {}),
  };
}
