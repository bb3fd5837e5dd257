/**
 * A runner's run with its stack evidence (./stackEvidence.ts): the readings start before the
 * runner and stop after it, whether it completed, was cancelled or failed, so they cover exactly
 * the run and leave no connection or timer behind. One handle: the runner's events pass through.
 */
import { stackNotRead, type StackEvidence } from '../core/stackEvidence';
import { REDIS_MEMORY_INTERVAL_MS } from './redis/memorySampler';
import { relayEvents } from './sampledRun';
import type { StackEvidenceOptions, StackEvidenceSampler } from './stackEvidence';
import { RunHandle } from './types';

export type StackEvidenceResult = Awaited<ReturnType<StackEvidenceSampler['stop']>>;

export interface EvidencedRun {
  handle: RunHandle;
  /** Resolves before the handle's result settles; undefined when the config names no stack Redis. */
  evidence: Promise<StackEvidenceResult | undefined>;
}

/** Starts the readings, then the runner (`start` gets the run's signal). */
export function runWithStackEvidence(start: (signal: AbortSignal) => RunHandle, opts: Omit<StackEvidenceOptions, 'signal'>, parent?: AbortSignal): EvidencedRun {
  let resolveEvidence!: (e: StackEvidenceResult | undefined) => void;
  const evidence = new Promise<StackEvidenceResult | undefined>((resolve) => (resolveEvidence = resolve));
  const handle = new RunHandle(async (outer, signal) => {
    let sampler: StackEvidenceSampler | undefined;
    try {
      const url = opts.config.stack.redis?.url;
      // Only a config with a stack Redis loads the reader, from the stack's bundle in the editor (esbuild.mjs).
      if (url) {
        sampler = await import('./stack')
          .then((m) => m.startStackEvidence({ ...opts, signal }))
          .catch((err: unknown) => notRead(stackNotRead(url, opts.config.stack.queues, REDIS_MEMORY_INTERVAL_MS, `The stack was not read: ${(err as Error).message}`)));
      }
      const inner = start(signal);
      relayEvents(inner, outer);
      return await inner.result;
    } finally {
      resolveEvidence(await sampler?.stop());
    }
  }, parent);
  return { handle, evidence };
}

/** A sampler that has nothing but why. */
function notRead(evidence: StackEvidence): StackEvidenceSampler {
  return { stop: () => Promise.resolve({ evidence }) };
}
