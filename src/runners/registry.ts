/**
 * The kinds of run, one line each. A kind is declared in its folder's `kind.ts` (what the UI
 * calls it, its metrics, its part of the config, its runner; see ./kind.ts); the config loader,
 * the metric catalog, the reports, the trees and the run webview read it from here. Adding a kind
 * is its folder, its line here and its part of schemas/perflab.config.schema.json (README,
 * "Adding a kind of run").
 */
import { type KindDescription, unknownKind } from '../core/kindDescription';
import type { Profile } from '../core/config/types';
import { httpKind } from './http/kind';
import { bullmqKind } from './queue/kind';
import { redisKind } from './redis/kind';
import { startChildRunner } from './childRunner';
import { type Kind, lazyRunner } from './kind';
import type { RunHandle, RunnerContext } from './types';

export const KINDS = {
  http: httpKind,
  redis: redisKind,
  bullmq: bullmqKind,
} as const;

export type ProfileType = keyof typeof KINDS;
/** The profile each kind's config part normalizes to. */
export type ProfileOf<T extends ProfileType> = { [K in ProfileType]: (typeof KINDS)[K] extends Kind<K, infer P> ? P : never }[T];

/** The kinds in the registry's order: `http`, `redis`, `bullmq`. */
export const KIND_TYPES = Object.keys(KINDS) as ProfileType[];

export function isProfileType(type: unknown): type is ProfileType {
  return typeof type === 'string' && Object.hasOwn(KINDS, type);
}

/** The kind of a run or profile type; one of another version's kinds gets a neutral description. */
export function kindOf(type: string): KindDescription {
  return isProfileType(type) ? KINDS[type] : unknownKind(type);
}

/** Why the profile may not run in an untrusted workspace (it runs workspace code), or undefined. */
export function untrustedRefusal(profile: Profile): string | undefined {
  return (KINDS[profile.type] as unknown as Kind<ProfileType, Profile>).untrusted?.(profile);
}

/**
 * Starts the runner of the profile's kind (its module loads on the kind's first run). With
 * `ownProcess` (the editor's choice), a kind whose load comes from PerfLab's own process (Redis,
 * BullMQ: its `ownLoad`) runs in a child process instead (./childRunner.ts).
 */
export function startRunner(profile: Profile, ctx: RunnerContext, options: { ownProcess?: boolean } = {}): RunHandle {
  const kind = KINDS[profile.type] as unknown as Kind<ProfileType, Profile>;
  if (options.ownProcess && kind.ownLoad) return startChildRunner(profile, ctx);
  return lazyRunner(() => kind.load())(profile, ctx);
}
