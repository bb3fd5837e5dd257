// Plans the generator cannot carry out, given programmatically (validation never saw them): each
// ends at once with a RunnerError that names the limit, before a single request is sent. Before,
// `arrivalRate: 1e308` and a `1e20h` duration spun the worker at 100 % CPU, sending nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Phase } from '../../src/core/config/types';
import { createHttpRunner, runHttpProfile } from '../../src/runners/http';
import { RunnerError } from '../../src/runners/types';
import { closedPhase, httpProfile, openPhase, runnerContext, type HttpTarget, startHttpTarget } from '../helpers/httpTargets';

let target: HttpTarget;
beforeAll(async () => {
  target = await startHttpTarget();
});
afterAll(() => target?.stop());

async function refusal(p: Promise<unknown>): Promise<RunnerError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(RunnerError);
    return err as RunnerError;
  }
  throw new Error('expected the run to be refused');
}

const HOUR = 3_600_000;

describe('plans past what the generator can do', () => {
  it.each<[string, Phase, RegExp]>([
    ['arrivalRate 1e308', openPhase('flood', 1e308, 1_000), /phase "flood": arrivalRate 1e\+308 is more than the 100,000 requests per second one generator can send/],
    ['rampTo 1e308', openPhase('ramp', 10, 1_000, 1e308), /phase "ramp": rampTo 1e\+308 is more than the 100,000/],
    ['a 1e20h duration', openPhase('forever', 10, 1e20 * HOUR), /phase "forever": duration .* is longer than 24h, the longest duration PerfLab runs/],
    ['10,000,000 connections', closedPhase('crowd', 10_000_000, 1_000), /phase "crowd": connections 10,000,000 is more than the 10,000 connections one closed-loop phase can hold/],
    ['a negative rate', openPhase('back', -5, 1_000), /phase "back": arrivalRate -5 is not a rate/],
    ['NaN duration', openPhase('nan', 10, Number.NaN), /phase "nan": duration NaN is not a duration/],
  ])('%s is refused before any request', async (_label, phase, message) => {
    await target.reset();
    const err = await refusal(runHttpProfile(httpProfile([openPhase('fine', 10, 500), phase]), runnerContext(target.url)).result);
    expect(err.code).toBe('config');
    expect(err.message).toMatch(message);
    expect((await target.stats()).total).toBe(0);
  }, 20_000);

  it('a request timeout past the limit, and an open-model pool past the connection limit', async () => {
    await target.reset();
    const timeout = await refusal(runHttpProfile(httpProfile([openPhase('p', 10, 500)], undefined, { timeoutMs: 30 * 24 * HOUR }), runnerContext(target.url)).result);
    expect(timeout.message).toMatch(/timeout .* is longer than 24h/);
    const pool = await refusal(createHttpRunner({ connections: { max: 50_000 } })(httpProfile([openPhase('p', 10, 500)]), runnerContext(target.url)).result);
    expect(pool.message).toMatch(/50,000 connections .* more than the 10,000/);
    expect((await target.stats()).total).toBe(0);
  }, 20_000);
});
