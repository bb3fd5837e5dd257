/**
 * The config checks of the real-workers mode (`"workers": "app"`): jobs go to the app's own
 * queue, named in `stack.queues`, at a rate the profile must state, and the app's workers do the
 * work, so the options that shape PerfLab's own worker (its concurrency, simulated work, planned
 * failures, limiter) have no meaning there and are refused rather than silently ignored.
 */
import type { Obj } from '../../core/config/checks';
import { echo, quoted } from '../../core/config/echo';
import type { ProblemInput, Segment } from '../../core/config/locate';
import { checkJsonTemplates } from '../../core/config/requestChecks';
import { didYouMeanPrefix, listOf } from '../../core/config/suggest';

/** The name of the jobs PerfLab adds to an app's queue when the profile names none. */
export const DEFAULT_APP_JOB_NAME = 'perflab';

/** What each option of PerfLab's own worker is, in the app's case. */
const OWN_WORKER_OPTIONS: Record<string, string> = {
  workerConcurrency: "the app's workers run at their own concurrency",
  processTime: "the work is the app's job code",
  failRate: "the failures measured are the app's own",
  limiter: "the app's workers have their own limiter",
  bulkSize: 'jobs are added one at a time, at "arrivalRate"',
  payloadSize: 'a job carries "data"',
};

/** Only the real-workers mode reads these. */
const APP_OPTIONS = ['jobName', 'data'] as const;

export function checkAppWorkers(out: ProblemInput[], at: Segment[], p: Obj, known: string[]): void {
  if (typeof p.queue === 'string' && !known.includes(p.queue)) {
    out.push({
      path: [...at, 'queue'], code: 'unknown-queue',
      message: `"workers": "app" adds jobs to the app's own queue, and ${quoted(p.queue)} is not listed in stack.queues`,
      hint: `${didYouMeanPrefix(p.queue, known)}${known.length ? `stack.queues: ${listOf(known)}; ` : ''}list it under stack.queues, with its "prefix" when the app's is not "bull"`,
    });
  }
  if (p.mode !== undefined && p.mode !== 'e2e') {
    out.push({
      path: [...at, 'mode'], code: 'conflict',
      message: `"workers": "app" times the app's workers from add to completion; mode ${echo(p.mode)} does not apply`,
      hint: 'remove "mode" (it is "e2e")',
    });
  }
  if (p.arrivalRate === undefined) {
    out.push({
      path: at, anchor: 'key', code: 'required',
      message: '"workers": "app" adds jobs at a rate the profile states, and "arrivalRate" is missing',
      hint: 'add e.g. "arrivalRate": 50 (jobs per second); the app\'s workers run every job, side effects included',
    });
  }
  for (const [key, why] of Object.entries(OWN_WORKER_OPTIONS)) {
    if (!(key in p)) continue;
    out.push({
      path: [...at, key], anchor: 'key', code: 'conflict',
      message: `"${key}" does not apply with "workers": "app": ${why}`,
      hint: `remove "${key}", or remove "workers" to benchmark PerfLab's own worker`,
    });
  }
  checkJsonTemplates(out, [...at, 'data'], p.data);
}

/** A profile of PerfLab's own worker that sets an option of the real-workers mode: said, not silently ignored. */
export function checkPerflabWorkers(out: ProblemInput[], at: Segment[], p: Obj): void {
  for (const key of APP_OPTIONS) {
    if (!(key in p)) continue;
    out.push({
      path: [...at, key], anchor: 'key', severity: 'warning', code: 'ignored',
      message: `"${key}" only applies with "workers": "app" (jobs added to the app's own queue)`,
      hint: `set "workers": "app" to measure the app's workers, or remove "${key}"`,
    });
  }
}
