/**
 * What a comparison says about CPU profiles: when the last run of each side was profiled under
 * load (a `cpuprofile` artifact), the functions whose share of self time grew most from the
 * baseline's profile to the run's, as the differential flame graph computes them (core/flame.ts).
 */
import * as path from 'node:path';
import type { ComparedRun, Comparison } from '../../core/compare/compare';
import { diffFlameTrees, type FlameGrower } from '../../core/flame';
import { analyzeCpuProfile } from './analysis';

/** V8's pseudo-frames that are no code of the program (the collector, `(garbage collector)`, is kept: it is the program's allocations). */
const NOT_FUNCTIONS = new Set(['(root)', '(idle)', '(program)']);

/** How many growers a comparison lists. */
export const TOP_GROWERS = 5;

/** The CPU profile of a run, when it has one. */
export function cpuProfileOf(run: ComparedRun | undefined): string | undefined {
  const artifact = run?.record.artifacts.find((a) => a.kind === 'cpuprofile');
  return artifact && run?.dir ? path.join(run.dir, artifact.file) : undefined;
}

/** The functions that grew most (a larger share of self time), most first; undefined unless both runs have a CPU profile. */
export async function cpuGrowers(baseline: ComparedRun | undefined, current: ComparedRun | undefined, top = TOP_GROWERS): Promise<FlameGrower[] | undefined> {
  const before = cpuProfileOf(baseline);
  const after = cpuProfileOf(current);
  if (!before || !after) return undefined;
  const [a, b] = await Promise.all([analyzeCpuProfile(before), analyzeCpuProfile(after)]);
  return diffFlameTrees(a.tree, b.tree).growers.filter((g) => g.after > g.before && !NOT_FUNCTIONS.has(g.name)).slice(0, top);
}

/** The comparison with its growers added, when both sides' last runs were profiled. */
export async function withCpuGrowers(comparison: Comparison, baseline: readonly ComparedRun[], current: readonly ComparedRun[]): Promise<Comparison> {
  const functions = await cpuGrowers(baseline[baseline.length - 1], current[current.length - 1]);
  return functions?.length ? { ...comparison, functions } : comparison;
}
