import { describe, expect, it } from 'vitest';
import { closedPhase, httpProfile, openPhase } from '../../../test/helpers/httpTargets';
import { RunnerError } from '../types';
import { checkPlan } from './plan';

const pool = { initial: 10, max: 1024 };
const refusal = (run: () => void): string => {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(RunnerError);
    expect((err as RunnerError).code).toBe('config');
    return (err as Error).message;
  }
  throw new Error('expected the plan to be refused');
};

describe('checkPlan', () => {
  it('accepts the largest plan the limits allow', () => {
    expect(() => checkPlan(httpProfile([openPhase('a', 100_000, 86_400_000, 0), closedPhase('c', 10_000, 86_400_000, 1_000)]), { initial: 10_000, max: 10_000 })).not.toThrow();
  });

  it('names every value past a limit, with its phase and the fix', () => {
    const message = refusal(() => checkPlan(httpProfile([
      openPhase('flood', 1e308, 1_000),
      openPhase('ramp', 10, 1_000, 100_001),
      closedPhase('crowd', 10_000_001, 1_000, 1_001),
    ]), pool));
    expect(message).toBe(
      'profile "test" cannot run as planned: ' +
      'phase "flood": arrivalRate 1e+308 is more than the 100,000 requests per second one generator can send; use at most 100000 (per second); for more load, run several generators; ' +
      'phase "ramp": rampTo 100,001 is more than the 100,000 requests per second one generator can send; use at most 100000 (per second); for more load, run several generators; ' +
      'phase "crowd": connections 10,000,001 is more than the 10,000 connections one closed-loop phase can hold; use at most 10000; to load harder, use an arrival-rate phase ("arrivalRate"); ' +
      'phase "crowd": pipelining 1,001 is more than the 1,000 requests in flight per connection; use at most 1000, usually 1 to 10; add connections for more concurrency',
    );
  });

  it('refuses durations past 24 h or not durations at all, and values that are not numbers of anything', () => {
    expect(refusal(() => checkPlan(httpProfile([openPhase('long', 10, 1e20 * 3_600_000)]), pool))).toMatch(/phase "long": duration "3\.6e\+26ms" is longer than 24h, the longest duration PerfLab runs; use at most "24h"/);
    expect(refusal(() => checkPlan(httpProfile([openPhase('nan', 10, Number.NaN)]), pool))).toMatch(/phase "nan": duration NaN is not a duration/);
    expect(refusal(() => checkPlan(httpProfile([openPhase('neg', -1, 1_000)]), pool))).toMatch(/phase "neg": arrivalRate -1 is not a rate/);
    expect(refusal(() => checkPlan(httpProfile([closedPhase('half', 2.5, 1_000)]), pool))).toMatch(/phase "half": connections 2\.5 is not a whole number from 1/);
    expect(refusal(() => checkPlan(httpProfile([openPhase('p', 10, 1_000)], undefined, { timeoutMs: 25 * 3_600_000 }), pool))).toMatch(/timeout "25h" is longer than 24h/);
  });

  it('refuses an open-model pool the generator cannot hold', () => {
    const profile = httpProfile([openPhase('p', 10, 1_000)]);
    expect(refusal(() => checkPlan(profile, { initial: 10, max: 50_000 }))).toMatch(/the open-model pool of 50,000 connections is more than the 10,000 connections one generator can hold/);
    expect(refusal(() => checkPlan(profile, { initial: 20, max: 10 }))).toMatch(/starts with 20 connections, more than the 10 it may grow to/);
    expect(refusal(() => checkPlan(profile, { initial: 0, max: 10 }))).toMatch(/starts with 0 connections, which is not a whole number from 1/);
  });
});
