// The fuzz tier's seed, time budget and failure corpus. Every run prints its seed; a failing input
// is saved under test-results/fuzz/ so it can be replayed with the CLI (the message says how).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Seconds the whole tier may take (PERFLAB_FUZZ_SECONDS); the default fits a CI run. */
export const FUZZ_SECONDS = Number(process.env.PERFLAB_FUZZ_SECONDS ?? 45);

/** The seed of this run: PERFLAB_FUZZ_SEED replays one, else a new one each run. */
export const FUZZ_SEED = process.env.PERFLAB_FUZZ_SEED !== undefined ? Number(process.env.PERFLAB_FUZZ_SEED) : Date.now() % 2 ** 31;

export const FAILURES = path.resolve('test-results/fuzz');

/** fast-check settings for a suite that takes `share` of the budget. */
export function fuzzParameters(share: number) {
  return {
    seed: FUZZ_SEED,
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: Math.round(FUZZ_SECONDS * share * 1000),
    markInterruptAsFailure: false,
    // Shrinking a child-process case takes long; a failing input is saved as found.
    endOnFailure: true,
  };
}

/** Saves a failing input; returns where, for the failure message. */
export function saveFailure(kind: string, name: string, content: string | Uint8Array): string {
  mkdirSync(FAILURES, { recursive: true });
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 12);
  const file = path.join(FAILURES, `${kind}-${hash}-${name}`);
  writeFileSync(file, content);
  return file;
}

/** Printed once per suite, so a failing run can be replayed. */
export function announce(suite: string): void {
  console.log(`fuzz ${suite}: seed ${FUZZ_SEED}, ${FUZZ_SECONDS} s budget for the tier (replay: PERFLAB_FUZZ_SEED=${FUZZ_SEED} npm run test:fuzz)`);
}
