/**
 * The runner of each kind, one line each. What a kind is (its label, icon, words and metrics) is
 * in core/kinds.ts: adding a kind means a folder under src/runners, its entry there and a line here.
 */
import type { Profile } from '../core/config';
import { runHttpProfile } from './http';
import { runBullmqProfile } from './queue';
import { runRedisProfile } from './redis';
import type { RunHandle, RunnerContext, RunnerFactory } from './types';

export const RUNNERS: { [T in Profile['type']]: RunnerFactory<Extract<Profile, { type: T }>> } = {
  http: runHttpProfile,
  redis: runRedisProfile,
  bullmq: runBullmqProfile,
};

export function startRunner(profile: Profile, ctx: RunnerContext): RunHandle {
  return (RUNNERS[profile.type] as RunnerFactory<Profile>)(profile, ctx);
}
