/**
 * Adding jobs: one by one or in bulk, either as fast as the previous call returns (closed loop,
 * one call in flight) or on an even schedule at `arrivalRate` (open model). On a schedule, job k
 * is due at start + k/rate; it is sent when its time has come (all overdue ones at once after a
 * late timer), never in per-second bursts, and latencies count from the due time, so a stalled
 * Redis shows up in the numbers instead of silently slowing the schedule down.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { GeneratorHealth } from '../../core/runRecord';
import { LOOP_DELAY_RESOLUTION_MS, loopDelayStats } from '../loopDelay';
import { isProgrammingError } from '../unexpected';
import { JOB_NAME } from './jobs';
import type { Recorder } from '../recorder';
import type { BenchQueue, BenchSession } from './session';

/** A send counts as late only past this: every ms-timer generator is routinely 1–2 ms late. */
const LATE_MS = 5;

export interface ProduceOptions {
  /** Stop after this many jobs… */
  jobs?: number;
  /** …or after this long. */
  durationMs?: number;
  /** Jobs per second; absent means closed loop. */
  rate?: number;
  /** Jobs per `addBulk` call; absent means `add` one job at a time. */
  bulk?: number;
  /** Called right before job `seq` is sent: `due` is its scheduled time, `sent` the actual one (performance.now() ms). */
  onSend?: (seq: number, due: number, sent: number) => void;
}

export interface ProduceResult {
  /** Jobs Redis accepted. */
  added: number;
  /** With a rate: how well the schedule was kept, and how many adds were sent on it. */
  generator?: GeneratorHealth;
  sends?: number;
}

/** Why the latencies of a paced run include PerfLab's own delay: `late` of `sends` adds (`where`: which steps) left behind schedule. */
export function lateSendsMessage(late: number, sends: number, worstMs: number, where = ''): string {
  return `${late} of ${sends} adds${where} went out more than ${LATE_MS} ms after their scheduled time (worst ${Math.round(worstMs)} ms): ` +
    "PerfLab's own process, which also runs the workers, could not keep the schedule; latencies include that delay.";
}

/** What adding needs of its run: the signal that stops it, and where a fault of PerfLab's own goes. */
export type Producing = Pick<BenchSession, 'signal' | 'fail'>;

/** Sends jobs `seq` … `seq + n - 1` (n > 1 only in bulk); resolves once Redis has them. */
export type Send = (seq: number, n: number) => Promise<unknown>;

/** Adds jobs with `send`, recording each call in `rec` (count in jobs, latency per call). */
export async function produce(session: Producing, send: Send, rec: Recorder, opts: ProduceOptions): Promise<ProduceResult> {
  return opts.rate ? producePaced(session, send, rec, opts, opts.rate) : produceClosed(session, send, rec, opts);
}

/** The benchmark's own jobs (./jobs.ts) into one of its queues, one by one or in bulk. */
export function benchSend(session: BenchSession, queue: BenchQueue, bulk: boolean): Send {
  const { plan } = session;
  if (!bulk) return (seq) => queue.add(JOB_NAME, plan.data(seq), plan.options(seq));
  return (seq, n) => {
    const jobs = [];
    for (let k = 0; k < n; k++) {
      const opts = plan.options(seq + k);
      jobs.push({ name: JOB_NAME, data: plan.data(seq + k), ...(opts ? { opts } : {}) });
    }
    return queue.addBulk(jobs);
  };
}

async function produceClosed(session: Producing, send: Send, rec: Recorder, opts: ProduceOptions): Promise<ProduceResult> {
  const { signal } = session;
  let added = 0;
  const start = performance.now();
  rec.start(start);
  // One abort promise for the whole loop: a listener per add costs as much as a tenth of the add.
  const aborted = whenAborted(signal);
  for (let seq = 0; !signal.aborted && more(seq, opts, start); ) {
    const n = batchSize(seq, opts);
    const t0 = performance.now();
    for (let k = 0; k < n; k++) opts.onSend?.(seq + k, t0, t0);
    try {
      const sent = send(seq, n);
      sent.catch(() => undefined); // a send still in flight when the run is cancelled
      await Promise.race([sent, aborted.promise]);
      const t1 = performance.now();
      rec.ok(t1 - t0, undefined, n);
      rec.stop(t1);
      added += n;
    } catch (err) {
      if (signal.aborted) break;
      // A bug is not a failed add: counting it would turn the rest of the run into errors.
      if (isProgrammingError(err)) throw err;
      rec.fail(errorKind(err), performance.now() - t0, n);
    }
    seq += n;
  }
  aborted.dispose();
  return { added };
}

/** A promise that rejects when `signal` aborts, for racing many operations against one listener. */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort = (): void => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

async function producePaced(session: Producing, send: Send, rec: Recorder, opts: ProduceOptions, rate: number): Promise<ProduceResult> {
  const { signal } = session;
  const lag = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  lag.enable();
  const inflight = new Set<Promise<void>>();
  let added = 0;
  let late = 0;
  let lateMax = 0;
  let sends = 0;
  let sinceYield = 0;
  const start = performance.now();
  rec.start(start);
  try {
    for (let seq = 0; !signal.aborted && more(seq, opts, start); ) {
      // Far behind schedule, catching up must still let replies (and an abort) through.
      if (sinceYield >= 100) {
        sinceYield = 0;
        await new Promise((r) => setImmediate(r));
        continue;
      }
      const due = start + (seq * 1000) / rate;
      const now = performance.now();
      if (due > now) {
        sinceYield = 0;
        await sleep(due - now, signal);
        continue;
      }
      sinceYield++;
      const n = batchSize(seq, opts);
      if (now - due > LATE_MS) {
        late++;
        lateMax = Math.max(lateMax, now - due);
      }
      sends++;
      for (let k = 0; k < n; k++) opts.onSend?.(seq + k, due, now);
      // Never rejects: a throw in the bookkeeping ends the run instead of being an unhandled rejection of `call.finally()`.
      const call = send(seq, n).then(
        () => {
          const t = performance.now();
          rec.ok(t - due, t - now, n);
          rec.stop(t);
          added += n;
        },
        (err: unknown) => {
          if (signal.aborted) return;
          if (isProgrammingError(err)) session.fail(err);
          else rec.fail(errorKind(err), performance.now() - due, n);
        },
      ).catch((err: unknown) => session.fail(err));
      inflight.add(call);
      void call.finally(() => inflight.delete(call));
      seq += n;
    }
    await abortable(Promise.all(inflight), signal).catch(() => undefined);
  } finally {
    lag.disable();
  }
  const lagP99Ms = Math.round(loopDelayStats(lag).p99 * 100) / 100;
  const generatorBound = sends > 0 && late / sends > 0.01;
  return {
    added,
    sends,
    generator: {
      lagP99Ms,
      lateSends: late,
      lateSendMaxMs: Math.round(lateMax * 100) / 100,
      generatorBound,
      ...(generatorBound ? { message: lateSendsMessage(late, sends, lateMax) } : {}),
    },
  };
}

function more(seq: number, opts: ProduceOptions, start: number): boolean {
  if (opts.jobs !== undefined) return seq < opts.jobs;
  if (opts.rate) return start + (seq * 1000) / opts.rate < start + (opts.durationMs ?? 0);
  return performance.now() - start < (opts.durationMs ?? 0);
}

function batchSize(seq: number, opts: ProduceOptions): number {
  const batch = opts.bulk ?? 1;
  return opts.jobs !== undefined ? Math.min(batch, opts.jobs - seq) : batch;
}

export function errorKind(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code) return e.code;
  const msg = e?.message ?? String(err);
  return msg.length > 60 ? `${msg.slice(0, 57)}...` : msg;
}

/** Resolves after `ms`, or right away when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `promise`, or a rejection as soon as `signal` aborts (the promise's own late rejection is swallowed). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
