import { describe, expect, it } from 'vitest';
import { backlogMiss, CAPACITY_DEFAULTS, type CapacityPlan, capacityResult, type CapacityStep, kneeOf, nextStep, roundRate, stepVerdict } from './capacity';
import { capacityHeadline, capacityStepRows, capacityStopText, kneeText } from './report/capacity';

const plan: CapacityPlan = { ...CAPACITY_DEFAULTS, startRate: 50, maxRate: 10_000, precision: 0.05 };

function step(rate: number, pass: boolean, p99 = 5): CapacityStep {
  return { rate, achieved: pass ? rate : rate * 0.8, count: rate * 10, errors: 0, p50: p99 / 2, p95: p99 * 0.9, p99, pass, failed: pass ? [] : ['latency.p99: 900 ms does not meet < 100ms'] };
}

/** Runs the search against a service that passes every rate up to `capacity`. */
function searchAgainst(capacity: number, p = plan): { steps: CapacityStep[]; stop: string } {
  const steps: CapacityStep[] = [];
  for (;;) {
    const next = nextStep(p, steps);
    if ('stop' in next) return { steps, stop: next.stop };
    steps.push(step(next.rate, next.rate <= capacity));
  }
}

describe('the capacity search', () => {
  it('doubles from the start rate until a step fails, then bisects to within the precision', () => {
    const { steps, stop } = searchAgainst(480);
    expect(stop).toBe('bracketed');
    expect(steps.slice(0, 5).map((s) => s.rate)).toEqual([50, 100, 200, 400, 800]);
    const result = capacityResult(plan, steps, 'bracketed');
    expect(result.rate).toBeLessThanOrEqual(480);
    expect(result.firstFailing!.rate).toBeGreaterThan(480);
    expect(result.firstFailing!.rate - result.rate!).toBeLessThanOrEqual(plan.precision * result.rate!);
    // Bisection: each new rate lies between the best pass and the first failure so far.
    expect(steps.length).toBeLessThan(12);
  });

  it('finds every capacity between the start and the maximum within the precision', () => {
    for (const capacity of [51, 73, 99, 150, 333, 1_000, 2_470, 9_000]) {
      const { steps } = searchAgainst(capacity);
      const result = capacityResult(plan, steps, 'bracketed');
      expect(result.rate, `capacity ${capacity}`).toBeLessThanOrEqual(capacity);
      expect(result.rate!, `capacity ${capacity}`).toBeGreaterThanOrEqual(capacity / (1 + plan.precision) - 1);
    }
  });

  it('stops at the maximum rate when it passes, and says the service takes more', () => {
    const { steps, stop } = searchAgainst(50_000, { ...plan, maxRate: 1_000 });
    expect(stop).toBe('max-rate');
    expect(steps.at(-1)!.rate).toBe(1_000);
    const result = capacityResult(plan, steps, 'max-rate');
    expect(capacityHeadline(result, 'req/s')).toBe('capacity: at least 1,000 req/s, every criterion met');
    expect(capacityStopText({ ...result, plan: { ...plan, maxRate: 1_000 } }, 'req/s')).toMatch(/--max-rate 1000\) met every criterion/);
  });

  it('goes down from a failing start rate, and stops at 1/s when nothing passes', () => {
    const low = searchAgainst(20);
    expect(low.steps.map((s) => s.rate).slice(0, 3)).toEqual([50, 25, 13]);
    expect(capacityResult(plan, low.steps, 'bracketed').rate).toBeLessThanOrEqual(20);
    const none = searchAgainst(0);
    expect(none.stop).toBe('fails-at-start');
    const result = capacityResult(plan, none.steps, 'fails-at-start');
    expect(result.rate).toBeUndefined();
    expect(capacityHeadline(result, 'req/s')).toBe('capacity: not found — even 1.00 req/s failed');
  });

  it('does not count a pass above a failure (noise), and stops when the generator is the limit', () => {
    // 200/s failed on its latency, answering all it was offered.
    const steps = [step(100, true), { ...step(200, false), achieved: 200 }, step(150, true), step(400, true)];
    const next = nextStep(plan, steps);
    expect(next).toEqual({ rate: 175 });
    // A rate the generator could not send is a ceiling: the search bisects up to it, then stops there.
    const bound = [step(100, true), { ...step(200, false), generatorBound: true }];
    expect(nextStep(plan, bound)).toEqual({ rate: 150 });
    const near = [...bound, step(150, true), step(175, true), step(188, true), step(194, true)];
    expect(nextStep(plan, near)).toEqual({ stop: 'generator' });
    expect(capacityResult(plan, near, 'generator').rate).toBe(194);
    expect(capacityResult(plan, near, 'generator').firstFailing).toBeUndefined();
    expect(nextStep(plan, [{ ...step(50, false), generatorBound: true }])).toEqual({ stop: 'generator' });
    // A failure below the generator's limit is bisected as any other.
    expect(nextStep(plan, [step(100, true), { ...step(200, false), achieved: 200 }, { ...step(400, false), generatorBound: true }])).toEqual({ rate: 150 });
  });

  it('bisects no higher than a step that fell behind could keep up with', () => {
    // 480/s offered, 248/s answered: no rate above 248 / 0.95 = 261 can keep up.
    const steps = [step(60, true), step(120, true), step(240, true), { ...step(480, false), achieved: 248 }];
    expect(nextStep(plan, steps)).toEqual({ rate: 261 });
    // Where that is no higher than the passing rate, the plain middle.
    expect(nextStep(plan, [step(240, true), { ...step(480, false), achieved: 200 }])).toEqual({ rate: 360 });
  });

  it('rounds rates as people write them', () => {
    expect([1.4, 37.5, 149.6, 1_234, 56_789].map(roundRate)).toEqual([1, 38, 150, 1_230, 56_800]);
  });

  it('stops after the most steps allowed', () => {
    const { steps, stop } = searchAgainst(10_000_000, { ...plan, maxRate: 100_000, maxSteps: 4 });
    expect(stop).toBe('max-steps');
    expect(steps).toHaveLength(4);
  });
});

describe('a step\'s verdict', () => {
  const miss = (v: { metric: string }) => `${v.metric} missed`;
  it('fails on a threshold it measured, not on one it did not measure', () => {
    const verdicts = [
      { metric: 'latency.p99', limit: '< 100ms', actual: 120, unit: 'ms' as const, pass: false },
      { metric: 'eventLoop.p99', limit: '< 50ms', actual: null, unit: 'ms' as const, pass: false },
    ];
    expect(stepVerdict(verdicts, { rate: 100, achieved: 100, count: 1000, errors: 0 }, miss, false)).toEqual({ pass: false, failed: ['latency.p99 missed'] });
    expect(stepVerdict(verdicts.slice(1), { rate: 100, achieved: 100, count: 1000, errors: 0 }, miss, false).pass).toBe(true);
  });

  it('fails when more than 1% of requests fail (without an errors threshold), and when the service falls behind', () => {
    expect(stepVerdict([], { rate: 100, achieved: 100, count: 1000, errors: 11 }, miss, false).failed).toEqual(['errors: 11 of 1000 requests failed (more than 1%)']);
    expect(stepVerdict([], { rate: 100, achieved: 100, count: 1000, errors: 11 }, miss, true).pass).toBe(true);
    expect(stepVerdict([], { rate: 100, achieved: 100, count: 1000, errors: 10 }, miss, false).pass).toBe(true);
    expect(stepVerdict([], { rate: 400, achieved: 379.9, count: 1000, errors: 0 }, miss, false).failed).toEqual(['throughput: 379.9/s of the 400/s offered (the service fell behind)']);
    expect(stepVerdict([], { rate: 400, achieved: 380, count: 1000, errors: 0 }, miss, false).pass).toBe(true);
  });

  it("fails when a queue's backlog grew by more than 2 % of the step's jobs (10 for a small step)", () => {
    expect(stepVerdict([], { rate: 200, achieved: 199, count: 600, errors: 0, backlogGrowth: 13 }, miss, false).failed)
      .toEqual(['backlog: 13 more jobs waiting when adding ended than when it began (the workers fell behind)']);
    expect(stepVerdict([], { rate: 200, achieved: 199, count: 600, errors: 0, backlogGrowth: 12 }, miss, false).pass).toBe(true);
    expect(stepVerdict([], { rate: 20, achieved: 20, count: 60, errors: 0, backlogGrowth: 10 }, miss, false).pass).toBe(true);
    expect(stepVerdict([], { rate: 20, achieved: 20, count: 60, errors: 0, backlogGrowth: 11 }, miss, false).pass).toBe(false);
    expect(stepVerdict([], { rate: 200, achieved: 199, count: 600, errors: 0, backlogGrowth: -12 }, miss, false).pass).toBe(true);
  });

  it('reads the backlog alone the same way, as for a step the generator could not send at its rate', () => {
    expect(backlogMiss({ count: 600, backlogGrowth: 13 })).toMatch(/^backlog: 13 more jobs waiting/);
    expect(backlogMiss({ count: 600, backlogGrowth: 12 })).toBeUndefined();
    expect(backlogMiss({ count: 600 })).toBeUndefined();
  });
});

describe('the knee of the latency curve', () => {
  it('is the last rate before p99 passes twice its value at the lowest rate', () => {
    const steps = [step(50, true, 4), step(400, false, 300), step(100, true, 5), step(200, true, 7.9), step(300, true, 9)];
    expect(kneeOf(steps)).toBe(200);
    const c = capacityResult(plan, steps, 'bracketed');
    expect(kneeText(c, 'req/s')).toBe('latency knee at 200 req/s: above it p99 is more than 2× its value at 50.0 req/s');
  });

  it('is absent when the curve stays flat, or bends at the first step', () => {
    expect(kneeOf([step(50, true, 4), step(100, true, 5)])).toBeUndefined();
    expect(kneeOf([])).toBeUndefined();
  });
});

describe('the steps as reports show them', () => {
  it('in the order they ran, each failure with its reason', () => {
    const c = capacityResult(plan, [step(50, true, 4), step(100, false, 900)], 'bracketed');
    expect(capacityStepRows(c, 'req/s')).toEqual([
      { step: '1', offered: '50.0 req/s', achieved: '50.0 req/s', errors: '0', p50: '2.00 ms', p95: '3.60 ms', p99: '4.00 ms', verdict: 'pass', why: '', pass: true },
      { step: '2', offered: '100 req/s', achieved: '80.0 req/s', errors: '0', p50: '450 ms', p95: '810 ms', p99: '900 ms', verdict: 'FAIL', why: 'latency.p99: 900 ms does not meet < 100ms', pass: false },
    ]);
  });
});
