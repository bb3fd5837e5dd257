/**
 * How a capacity search reads, for every output (the text report, Markdown, the run page): the
 * headline, why the search stopped, the knee and the table of steps.
 */
import { type CapacityResult, type CapacityStep, KNEE_FACTOR } from '../capacity';
import { formatErrors, formatMs, formatRate } from '../format';

/** `capacity: 480 req/s, every threshold met` / `capacity: below 50 req/s, …`. */
export function capacityHeadline(c: CapacityResult, rateUnit: string): string {
  if (c.rate === undefined) return `capacity: not found — even ${formatRate(lowest(c)?.rate, rateUnit)} failed`;
  const atLeast = c.stop === 'max-rate' || c.stop === 'generator' || c.stop === 'max-steps' || c.stop === 'cancelled' || c.stop === 'no-recovery';
  return `capacity: ${atLeast ? 'at least ' : ''}${formatRate(c.rate, rateUnit)}, every criterion met`;
}

/** Why the search ended where it did, one sentence. */
export function capacityStopText(c: CapacityResult, rateUnit: string): string {
  const r = (n: number | undefined) => formatRate(n, rateUnit);
  switch (c.stop) {
    case 'bracketed':
      return `${r(c.firstFailing?.rate)} failed: the capacity is within ${Math.round(c.plan.precision * 100)}% below it`;
    case 'max-rate':
      return `the highest rate asked for (--max-rate ${c.plan.maxRate}) met every criterion: the service takes more`;
    case 'fails-at-start':
      return `even ${r(lowest(c)?.rate)} failed: look at the thresholds, or at what fails at a low rate`;
    case 'generator':
      return `PerfLab's load generator could not send ${r(Math.min(...c.steps.filter((s) => s.generatorBound).map((s) => s.rate)))} on this machine: the service takes at least ${r(c.rate)}; run the search from a machine with more CPU (or one the service does not share)`;
    case 'no-recovery':
      return `after ${r(c.steps.at(-1)?.rate)} the target did not answer as before within half a minute: the search stopped there`;
    case 'max-steps':
      return `the search stopped after ${c.steps.length} steps`;
    case 'cancelled':
      return `stopped after ${c.steps.length} step${c.steps.length === 1 ? '' : 's'}: the figures are of the steps done`;
  }
}

/** `latency knee at ~400 req/s (p99 2× the p99 at 50 req/s above it)`, when the curve has one. */
export function kneeText(c: CapacityResult, rateUnit: string): string | undefined {
  if (c.knee === undefined) return undefined;
  return `latency knee at ${formatRate(c.knee, rateUnit)}: above it p99 is more than ${KNEE_FACTOR}× its value at ${formatRate(lowest(c)?.rate, rateUnit)}`;
}

export interface CapacityStepRow {
  step: string;
  offered: string;
  achieved: string;
  errors: string;
  p50: string;
  p95: string;
  p99: string;
  verdict: string;
  /** Why it failed, `; `-joined. */
  why: string;
  pass: boolean;
}

/** The steps in the order they ran. */
export function capacityStepRows(c: CapacityResult, rateUnit: string): CapacityStepRow[] {
  return c.steps.map((s, i) => ({
    step: String(i + 1),
    offered: formatRate(s.rate, rateUnit),
    achieved: formatRate(s.achieved, rateUnit),
    errors: formatErrors(s.errors, s.count),
    p50: formatMs(s.p50),
    p95: formatMs(s.p95),
    p99: formatMs(s.p99),
    verdict: s.generatorBound ? 'generator-bound' : s.pass ? 'pass' : 'FAIL',
    why: s.failed.join('; '),
    pass: s.pass,
  }));
}

function lowest(c: CapacityResult): CapacityStep | undefined {
  return [...c.steps].sort((a, b) => a.rate - b.rate)[0];
}
