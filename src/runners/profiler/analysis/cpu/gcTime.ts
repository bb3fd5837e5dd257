/**
 * Time in GC from a CPU profile: the duration of the samples V8 took while the main thread was in
 * its GC state, the `(garbage collector)` meta node. That is every piece of GC work on the main
 * thread (stop-the-world pauses, incremental marking steps and their start, sweeping done on
 * allocation), but not the concurrent marking and sweeping of V8's helper threads. Samples last
 * as self time counts them (sampleDurations), so this equals that node's self time.
 */
import { sampleDurations } from './cpuProfile';
import type { RawCpuProfile } from './validate';

/** The meta node V8 puts a sample under when the main thread was in its GC state. */
export const GC_NODE_NAME = '(garbage collector)';

/** Milliseconds of `(garbage collector)` samples. */
export function gcTimeMs(profile: RawCpuProfile): number {
  const gcNodes = new Set(profile.nodes.filter((n) => n.callFrame.functionName === GC_NODE_NAME && !n.callFrame.url).map((n) => n.id));
  if (gcNodes.size === 0) return 0;
  const { nodeOfSample, durations } = sampleDurations(profile);
  let us = 0;
  for (let i = 0; i < nodeOfSample.length; i++) if (gcNodes.has(nodeOfSample[i]!)) us += durations[i]!;
  return us / 1000;
}
