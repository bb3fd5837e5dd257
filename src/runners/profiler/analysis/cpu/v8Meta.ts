/**
 * V8's pseudo-frames in a CPU profile: not functions of the target but what V8 charges samples to
 * when no JavaScript function runs. They are reported apart from the ranked functions, or an idle
 * server's "top function" would be `(idle)`.
 */
import type { V8MetaKind } from '../types';
import { readSamples } from './samples';
import type { RawCpuProfile } from './validate';

const KINDS: ReadonlyMap<string, V8MetaKind> = new Map([
  ['(idle)', 'idle'],
  ['(program)', 'program'],
  ['(garbage collector)', 'gc'],
  ['(root)', 'root'],
]);

/** The V8 names, in the order reports list them. */
export const V8_META_NAMES: Readonly<Record<V8MetaKind, string>> = { idle: '(idle)', program: '(program)', gc: '(garbage collector)', root: '(root)' };

/** The frame V8 samples while the thread waits for work. */
export const IDLE = V8_META_NAMES.idle;

/** The kind of a pseudo-frame, or undefined for a real function. Pseudo-frames have no script. */
export function v8MetaKind(functionName: string, url: string): V8MetaKind | undefined {
  return url ? undefined : KINDS.get(functionName);
}

/**
 * Time in GC from a CPU profile, without a full analysis: the duration of the samples charged to
 * `(garbage collector)`, counted as self time is (readSamples), so it equals the `gc` meta entry
 * of {@link analyzeCpu}. That is every piece of GC work on the main thread (stop-the-world
 * pauses, incremental marking steps, sweeping done on allocation), not the concurrent work of
 * V8's helper threads.
 */
export function gcTimeMs(profile: Pick<RawCpuProfile, 'nodes' | 'startTime' | 'endTime' | 'samples' | 'timeDeltas'>): number {
  const gcNodes = new Set(profile.nodes.filter((n) => v8MetaKind(n.callFrame.functionName, n.callFrame.url) === 'gc').map((n) => n.id));
  if (gcNodes.size === 0) return 0;
  const { nodes, durations } = readSamples(profile);
  let us = 0;
  for (let i = 0; i < nodes.length; i++) if (gcNodes.has(nodes[i]!)) us += durations[i]!;
  return us / 1000;
}
