/**
 * How operations are issued, per mode:
 * - `sequential`: one operation at a time, each awaited before the next;
 * - `concurrent`: `concurrency` operations in flight on one connection, ioredis auto-pipelining off;
 * - `auto-pipeline`: the same on a client with `enableAutoPipelining` (the caller passes that client);
 * - `pipeline`: explicit pipelines of `pipeline` operations, one pipeline in flight at a time. Each
 *   operation in it counts on its own, with the pipeline's round trip as its latency (as
 *   redis-benchmark -P does). The `pipeline` operation is already a pipeline and is sent whole.
 */
import type { Redis } from 'ioredis';
import type { RedisMode } from '../../core/config';
import type { BenchOperation } from './operations';
import { pipelineError } from './operations';
import { isProgrammingError } from '../unexpected';
import type { Recorder } from '../recorder';
import { errorKind } from './results';

export interface DriveOptions {
  mode: RedisMode;
  concurrency: number;
  /** Operations per explicit pipeline in `pipeline` mode. */
  pipeline: number;
  /** How many operations to send; absent when the run is bounded by time. */
  iterations?: number;
  /** performance.now() after which no new operation starts. */
  deadline?: number;
  /** Checked before every send: cancel, or a lost connection. */
  stopped(): boolean;
}

/** How a drive ended: `lost` is set when the connection broke. */
export interface DriveResult {
  lost?: Error;
}

/**
 * Runs one operation to its end (iterations or deadline), until stopped, or until the connection
 * breaks. A programming error (see isProgrammingError) from an operation or from the bookkeeping
 * stops every sender: drive rejects with it once the last one has stopped, so nothing is still
 * sending when the caller cleans up.
 */
export async function drive(client: Redis, op: BenchOperation, rec: Recorder, o: DriveOptions): Promise<DriveResult> {
  rec.start(performance.now());
  const result: DriveResult = {};
  let fault: { error: unknown } | undefined;
  // A broken socket can fail every send at once, faster than 'close' arrives: stop on the first sign.
  const broken = (err: unknown): boolean => {
    if (client.status === 'ready' && errorKind(err) !== 'connection') return false;
    result.lost ??= err instanceof Error ? err : new Error(String(err));
    return true;
  };
  const over = () => o.stopped() || result.lost !== undefined || fault !== undefined;
  const guarded = async (send: () => Promise<void>): Promise<void> => {
    try {
      await send();
    } catch (err) {
      fault ??= { error: err };
    }
  };
  if (o.mode === 'pipeline' && op.batchable) {
    await guarded(() => batches(client, op, rec, o, over, broken));
  } else {
    const inFlight = o.mode === 'concurrent' || o.mode === 'auto-pipeline' ? o.concurrency : 1;
    const state = { next: 0 };
    await Promise.all(Array.from({ length: Math.max(1, inFlight) }, () => guarded(() => sender(client, op, rec, o, state, over, broken))));
  }
  if (fault) throw fault.error;
  return result;
}

/** One of the `concurrency` loops: takes the next operation number and sends it, until the end or `over()`. */
async function sender(
  client: Redis,
  op: BenchOperation,
  rec: Recorder,
  o: DriveOptions,
  state: { next: number },
  over: () => boolean,
  broken: (err: unknown) => boolean,
): Promise<void> {
  const limit = o.iterations ?? Infinity;
  const deadline = o.deadline ?? Infinity;
  while (!over()) {
    const i = state.next++;
    if (i >= limit) return;
    const t0 = performance.now();
    if (t0 >= deadline) return;
    let failure: { error: unknown } | undefined;
    try {
      await op.run(client, i);
    } catch (err) {
      if (isProgrammingError(err)) throw err;
      failure = { error: err };
    }
    const t1 = performance.now();
    rec.stop(t1);
    if (!failure) {
      rec.ok(t1 - t0);
      continue;
    }
    rec.fail(errorKind(failure.error));
    if (broken(failure.error)) return;
  }
}

async function batches(
  client: Redis,
  op: BenchOperation,
  rec: Recorder,
  o: DriveOptions,
  over: () => boolean,
  broken: (err: unknown) => boolean,
): Promise<void> {
  const size = Math.max(1, o.pipeline);
  const commands = op.commands;
  const limit = o.iterations ?? Infinity;
  const deadline = o.deadline ?? Infinity;
  let i = 0;
  while (!over() && i < limit) {
    const n = Math.min(size, limit - i);
    const t0 = performance.now();
    if (t0 >= deadline) return;
    const pipeline = client.pipeline();
    for (let j = 0; j < n; j++) op.queue(pipeline, i + j);
    i += n;
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      if (isProgrammingError(err)) throw err;
      rec.stop(performance.now());
      rec.fail(errorKind(err), undefined, n);
      if (broken(err)) return;
      continue;
    }
    const t1 = performance.now();
    rec.stop(t1);
    const ms = t1 - t0;
    for (let j = 0; j < n; j++) {
      const err = pipelineError(results, j * commands, (j + 1) * commands);
      if (err) rec.fail(errorKind(err));
      else rec.ok(ms);
    }
  }
}
