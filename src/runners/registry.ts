/**
 * The runner kinds, one line each: adding a kind means a folder under src/runners and a line here.
 */
import type { Profile } from '../core/config';
import { runHttpProfile } from './http';
import { runBullmqProfile } from './queue';
import { runRedisProfile } from './redis';
import type { RunHandle, RunnerContext, RunnerFactory } from './types';

export interface RunnerKind<T extends Profile['type']> {
  type: T;
  /** What the UI calls a run of this kind. */
  label: string;
  start: RunnerFactory<Extract<Profile, { type: T }>>;
}

export const RUNNER_KINDS: { [T in Profile['type']]: RunnerKind<T> } = {
  http: { type: 'http', label: 'HTTP load test', start: runHttpProfile },
  redis: { type: 'redis', label: 'Redis benchmark', start: runRedisProfile },
  bullmq: { type: 'bullmq', label: 'BullMQ benchmark', start: runBullmqProfile },
};

export function startRunner(profile: Profile, ctx: RunnerContext): RunHandle {
  const kind = RUNNER_KINDS[profile.type] as RunnerKind<Profile['type']>;
  return (kind.start as RunnerFactory<Profile>)(profile, ctx);
}
