/**
 * A runner's run with its Node process sampled: the sampler starts before the first request and
 * stops after the last, so the process figures cover exactly the run; they join the run's
 * metrics (when the sampling covered the whole run) and its outcome. One handle: the runner's
 * events pass through, and cancelling it cancels the runner and still removes the sampler.
 */
import { startProcessSampling, type SampledProcess, type SamplingOptions, type SamplingSource } from './processSampling';
import { processMetrics } from './profiler/timelineSummary';
import { RunHandle } from './types';

/** The run's handle, and what its sampling produced. */
export interface SampledRun {
  handle: RunHandle;
  /** Resolves after the run with what was sampled; undefined when sampling never started. */
  sampled: Promise<SampledProcess | undefined>;
}

/** Passes a wrapped run's events on to the handle that wraps it. */
export function relayEvents(inner: RunHandle, outer: RunHandle): void {
  inner.on('progress', (p) => outer.emit('progress', p));
  inner.on('sample', (s) => outer.emit('sample', s));
  inner.on('log', (l) => outer.emit('log', l));
}

/** Starts sampling, then the runner (`start` gets the run's signal), and merges the two. */
export function runSampled(start: (signal: AbortSignal) => RunHandle, source: SamplingSource, opts: Omit<SamplingOptions, 'signal' | 'log'>, parent?: AbortSignal): SampledRun {
  let resolveSampled!: (s: SampledProcess | undefined) => void;
  const sampled = new Promise<SampledProcess | undefined>((resolve) => (resolveSampled = resolve));
  const handle = new RunHandle(async (outer, signal) => {
    const log = (level: 'info' | 'warn' | 'error', message: string) => outer.emit('log', { level, message });
    let sampling;
    try {
      sampling = await startProcessSampling(source, { ...opts, signal, log });
    } catch (err) {
      resolveSampled(undefined);
      throw err;
    }
    let result: SampledProcess | undefined;
    try {
      const inner = start(signal);
      relayEvents(inner, outer);
      const outcome = await inner.result;
      result = await sampling.finish();
      return {
        ...outcome,
        process: result.summary,
        metrics: { ...outcome.metrics, ...(result.summary.complete ? processMetrics(result.summary) : {}) },
      };
    } finally {
      // A runner that threw still leaves nothing injected in the target.
      result ??= await sampling.finish();
      resolveSampled(result);
    }
  }, parent);
  return { handle, sampled };
}
