/**
 * How a profile is divided between the agents of a distributed run: an arrival-rate phase keeps
 * its rates and each agent sends its interleaved share of the schedule (../http/schedule.ts,
 * ScheduleShare); a closed-loop phase's connections are dealt out, the first agents taking one
 * more when they do not divide evenly.
 */
import { quoted } from '../../core/config/echo';
import type { HttpProfile, Phase } from '../../core/config/types';
import { RunnerError } from '../types';

/** Agent `index` of `of`'s profile: closed phases with their share of the connections; no `distributed`. */
export function shardProfile(profile: HttpProfile, index: number, of: number): HttpProfile {
  const { distributed: _distributed, ...rest } = profile;
  return { ...rest, phases: profile.phases.map((p) => shardPhase(p, index, of)) };
}

function shardPhase(phase: Phase, index: number, of: number): Phase {
  if (phase.model === 'open') return { ...phase };
  return { ...phase, connections: Math.floor(phase.connections / of) + (index < phase.connections % of ? 1 : 0) };
}

/** Throws a RunnerError('config') when the profile cannot be split across `agents` agents. */
export function checkSplit(profile: HttpProfile, agents: number): void {
  if (profile.generator !== undefined) {
    throw new RunnerError(`profile ${quoted(profile.name)} uses a custom generator, which cannot run on load agents: remove "generator", or run it without agents`, 'config');
  }
  const few = profile.phases.filter((p) => p.model === 'closed' && p.connections < agents);
  if (few.length) {
    const list = few.map((p) => `${quoted(p.name)} (${p.model === 'closed' ? p.connections : 0})`).join(', ');
    throw new RunnerError(`profile ${quoted(profile.name)} cannot be split across ${agents} agents: ${few.length === 1 ? 'phase' : 'phases'} ${list} ${few.length === 1 ? 'has' : 'have'} fewer connections than agents; use fewer agents or more connections`, 'config');
  }
}

/** The highest arrival rate an agent of `of` is asked for, per second (0 for closed-loop profiles). */
export function peakShareRate(profile: HttpProfile, of: number): number {
  const peak = Math.max(0, ...profile.phases.map((p) => (p.model === 'open' ? Math.max(p.arrivalRate, p.rampTo ?? 0) : 0)));
  return peak / of;
}
