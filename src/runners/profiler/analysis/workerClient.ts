/**
 * Runs analyses in a worker thread so the caller (the extension host, the CLI) never blocks. The
 * worker is the bundle `dist/analysisWorker.js`, found by walking up from this file: that works
 * from `dist/cli.js`, from `dist/extension.js` and from the sources under vitest (after a build).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AnalysisError, deserializeError } from './errors';
import type { WorkerReply, WorkerRequest } from './protocol';
import type { AnalysisOptions } from './types';

const BUNDLE = 'analysisWorker.js';

/** Path of the worker bundle, or an AnalysisError saying how to build it. */
export function workerBundle(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidates = path.basename(dir) === 'dist' ? [path.join(dir, BUNDLE)] : [path.join(dir, 'dist', BUNDLE)];
    for (const file of candidates) if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) break;
  }
  throw new AnalysisError(`the analysis worker (dist/${BUNDLE}) is missing; run \`npm run build\``, 'internal');
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; opts: AnalysisOptions };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** One worker thread; `request` may be called many times (a kept snapshot lives between calls). */
export class AnalysisWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: AnalysisError | undefined;

  constructor() {
    this.worker = new Worker(workerBundle());
    this.worker.unref();
    this.worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    this.worker.on('error', (err: Error & { code?: string }) => {
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(err.message);
      this.fail(new AnalysisError(oom ? 'the analysis ran out of memory' : `the analysis worker failed: ${err.message}`, 'internal'));
    });
    this.worker.on('exit', (code) => this.fail(new AnalysisError(`the analysis worker exited (code ${code})`, 'internal')));
  }

  private onReply(reply: WorkerReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if (reply.type === 'progress') {
      p.opts.onProgress?.(reply.progress);
      return;
    }
    this.settle(reply.id);
    if (reply.type === 'result') p.resolve(reply.value);
    else p.reject(deserializeError(reply.error));
  }

  private settle(id: number): void {
    this.pending.delete(id);
    // An idle worker must not keep the process alive.
    if (!this.pending.size) this.worker.unref();
  }

  private fail(err: AnalysisError): void {
    this.dead ??= err;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
  }

  request<T>(req: Request, opts: AnalysisOptions = {}): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(new AnalysisError('analysis cancelled', 'cancelled'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.fail(new AnalysisError('analysis cancelled', 'cancelled'));
        void this.terminate();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v) => {
          done();
          resolve(v as T);
        },
        reject: (e) => {
          done();
          reject(e);
        },
        opts,
      });
      this.worker.ref();
      this.worker.postMessage({ ...req, id });
    });
  }

  async terminate(): Promise<void> {
    this.dead ??= new AnalysisError('the analysis worker was closed', 'internal');
    await this.worker.terminate();
  }
}

/** One request in a fresh worker, which ends with it. */
export async function runInWorker<T>(req: Request, opts: AnalysisOptions = {}): Promise<T> {
  const worker = new AnalysisWorker();
  try {
    return await worker.request<T>(req, opts);
  } finally {
    await worker.terminate();
  }
}
