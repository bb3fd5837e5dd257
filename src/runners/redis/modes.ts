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
import { errorKind, type OperationRecorder } from './recorder';

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
 * breaks; never rejects.
 */
export async function drive(client: Redis, op: BenchOperation, rec: OperationRecorder, o: DriveOptions): Promise<DriveResult> {
  rec.start(performance.now());
  const result: DriveResult = {};
  // A broken socket can fail every send at once, faster than 'close' arrives: stop on the first sign.
  const broken = (err: unknown): boolean => {
    if (client.status === 'ready' && errorKind(err) !== 'connection') return false;
    result.lost ??= err instanceof Error ? err : new Error(String(err));
    return true;
  };
  if (o.mode === 'pipeline' && op.batchable) {
    await batches(client, op, rec, o, () => result.lost !== undefined, broken);
    return result;
  }
  const inFlight = o.mode === 'concurrent' || o.mode === 'auto-pipeline' ? o.concurrency : 1;
  const limit = o.iterations ?? Infinity;
  const deadline = o.deadline ?? Infinity;
  let next = 0;

  const worker = async (): Promise<void> => {
    while (!o.stopped() && !result.lost) {
      const i = next++;
      if (i >= limit) return;
      const t0 = performance.now();
      if (t0 >= deadline) return;
      try {
        await op.run(client, i);
        const t1 = performance.now();
        rec.endedAt = t1;
        rec.ok((t1 - t0) * 1000);
      } catch (err) {
        rec.endedAt = performance.now();
        rec.fail(err);
        if (broken(err)) return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, inFlight) }, worker));
  return result;
}

async function batches(
  client: Redis,
  op: BenchOperation,
  rec: OperationRecorder,
  o: DriveOptions,
  lost: () => boolean,
  broken: (err: unknown) => boolean,
): Promise<void> {
  const size = Math.max(1, o.pipeline);
  const commands = op.commands;
  const limit = o.iterations ?? Infinity;
  const deadline = o.deadline ?? Infinity;
  let i = 0;
  while (!o.stopped() && !lost() && i < limit) {
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
      rec.endedAt = performance.now();
      for (let j = 0; j < n; j++) rec.fail(err);
      if (broken(err)) return;
      continue;
    }
    const t1 = performance.now();
    rec.endedAt = t1;
    const us = (t1 - t0) * 1000;
    for (let j = 0; j < n; j++) {
      const err = pipelineError(results, j * commands, (j + 1) * commands);
      if (err) rec.fail(err);
      else rec.ok(us);
    }
  }
}
