/**
 * An http profile's plan checked against what the load generator can carry out, by the runner,
 * before any load. Validation refuses the same values in a config (src/core/config/limits.ts,
 * whose checks and messages these are), but a profile can reach the runner without it: from a
 * programmatic caller, or with values computed at run time (a preset's rates × `scale`). Past
 * these limits the generator would spin without sending (1e308 requests per second), see its
 * timers fire at once (a 1e20h phase) or fill the machine's memory (10,000,000 connections).
 */
import { quoted } from '../../core/config/echo';
import { formatDuration } from '../../core/config/duration';
import { checkPhaseLimits, durationTooLong, MAX_CONNECTIONS } from '../../core/config/limits';
import type { ProblemInput } from '../../core/config/locate';
import type { HttpProfile, Phase } from '../../core/config/types';
import { RunnerError } from '../types';

/** The open model's pool of connections: how many it starts with and the most it may grow to. */
export interface ConnectionPool {
  initial: number;
  max: number;
}

/** Throws a RunnerError('config') naming every value of the plan past what the generator can do. */
export function checkPlan(profile: HttpProfile, pool: ConnectionPool): void {
  const problems = profile.phases.flatMap((phase) => phaseProblems(phase).map((p) => `phase ${quoted(phase.name)}: ${p}`));
  const timeout = durationProblem('timeout', profile.timeoutMs, formatDuration(profile.timeoutMs));
  if (timeout) problems.push(timeout);
  for (const [what, n] of [['starts with', pool.initial], ['may grow to', pool.max]] as const) {
    if (!wholeFrom1(n)) problems.push(`the open-model pool ${what} ${n} connections, which is not a whole number from 1`);
  }
  if (pool.max > MAX_CONNECTIONS) {
    problems.push(`the open-model pool of ${pool.max.toLocaleString('en-US')} connections is more than the ${MAX_CONNECTIONS.toLocaleString('en-US')} connections one generator can hold`);
  } else if (pool.initial > pool.max) {
    problems.push(`the open-model pool starts with ${pool.initial} connections, more than the ${pool.max} it may grow to`);
  }
  if (problems.length) throw new RunnerError(`profile ${quoted(profile.name)} cannot run as planned: ${problems.join('; ')}`, 'config');
}

function phaseProblems(phase: Phase): string[] {
  const out: string[] = [];
  const duration = durationProblem('duration', phase.durationMs, String(phase.duration));
  if (duration) out.push(duration);
  const limits: ProblemInput[] = [];
  if (phase.model === 'open') {
    const rates: Record<string, number> = {};
    for (const [key, value] of [['arrivalRate', phase.arrivalRate], ['rampTo', phase.rampTo]] as const) {
      if (key === 'rampTo' && value === undefined) continue;
      if (typeof value !== 'number' || Number.isNaN(value) || value < 0) out.push(`${key} ${value} is not a rate: give requests per second, 0 or more`);
      else rates[key] = value;
    }
    checkPhaseLimits(limits, [], rates);
  } else {
    const counts: Record<string, number> = {};
    for (const key of ['connections', 'pipelining'] as const) {
      if (!wholeFrom1(phase[key])) out.push(`${key} ${phase[key]} is not a whole number from 1`);
      else counts[key] = phase[key];
    }
    checkPhaseLimits(limits, [], counts);
  }
  for (const p of limits) out.push(`${p.message}; ${p.hint}`);
  return out;
}

function durationProblem(what: string, ms: number, shown: string): string | undefined {
  if (typeof ms !== 'number' || !(ms > 0)) return `${what} ${ms} is not a duration: give a time longer than 0, e.g. "30s"`;
  const long = durationTooLong(ms, `${what} ${quoted(shown)}`);
  return long && `${long.message}; ${long.hint}`;
}

const wholeFrom1 = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1;
