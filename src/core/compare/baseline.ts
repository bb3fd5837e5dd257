/**
 * Baselines: finding the runs a comparison is against, and keeping the comparison in the run's
 * record. A baseline is named by a run id, a run's folder or its `run.json` (a CI artifact),
 * `latest` (the newest completed run of the profile) or `saved` (the run set as the profile's
 * baseline, in the editor or with `perflab baseline`). A run that was one of `--repeat N` brings
 * its whole group.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { RunRecord } from '../runRecord';
import { RUN_FILE, RunStore } from '../runStore';
import { type ComparedRun, compareRuns, type Comparison } from './compare';
import type { RegressionSettings } from './rules';
import { parseSamples, SAMPLES_ARTIFACT } from './samples';

/** A baseline that cannot be found or used, in words the user can act on. */
export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

export const LATEST = 'latest';
export const SAVED = 'saved';

/**
 * The runs `ref` names for `profile`, oldest first. `exclude`: ids that may not be the baseline
 * (the runs being compared). Throws a {@link BaselineError} that says what to do.
 */
export async function resolveRuns(store: RunStore, ref: string, cwd: string, profile?: string, exclude: readonly string[] = []): Promise<ComparedRun[]> {
  if (ref === LATEST || ref === SAVED) {
    if (!profile) throw new BaselineError(`"${ref}" needs a profile: compare named runs, or use --baseline with perflab run`);
    const id = ref === SAVED ? await store.baselineOf(profile) : await latestId(store, profile, exclude);
    if (!id) {
      throw new BaselineError(ref === SAVED
        ? `profile "${profile}" has no saved baseline: set one with \`perflab baseline <RUN>\` (or Set as Baseline in the editor), or use --baseline latest`
        : `no completed run of "${profile}" in ${store.root} to compare with: run it once without --baseline first`);
    }
    return groupOf(store, id);
  }
  const direct = path.resolve(cwd, ref);
  const folder = path.basename(direct) === RUN_FILE ? path.dirname(direct) : direct;
  if (await exists(path.join(folder, RUN_FILE))) return groupOf(new RunStore(path.dirname(folder)), path.basename(folder));
  if (!ref.includes('/') && !ref.includes(path.sep)) {
    try {
      return await groupOf(store, ref);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new BaselineError(`no run "${ref}": give a run id from ${store.root}, a run folder or its run.json, "latest" or "saved"`);
}

/** The run and, when it was one of a repeated set, the others of its group, oldest first. */
async function groupOf(store: RunStore, id: string): Promise<ComparedRun[]> {
  const record = await store.read(id);
  if (record.capacity) {
    throw new BaselineError(`run ${id} is a capacity search (perflab capacity): its steps ran at other rates than the profile's phases, so it is not compared with runs; compare runs of the profile, or the capacities found`);
  }
  const records = record.repeat
    ? (await store.list()).runs.filter((r) => r.repeat?.group === record.repeat!.group)
    : [record];
  records.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return Promise.all(records.map((r) => withSamples(store, r)));
}

/** A record with its samples file, when it has a readable one. */
export async function withSamples(store: RunStore, record: RunRecord): Promise<ComparedRun> {
  const dir = store.runDir(record.id);
  if (!record.artifacts.some((a) => a.file === SAMPLES_ARTIFACT)) return { record, dir };
  try {
    const samples = parseSamples(await fs.readFile(path.join(dir, SAMPLES_ARTIFACT), 'utf8'));
    return samples ? { record, samples, dir } : { record, dir };
  } catch {
    return { record, dir };
  }
}

/** How many earlier runs of a profile a comparison looks at for the spread between runs. */
const HISTORY_RUNS = 20;

/** The newest completed runs of `profile` in the store: what the machine's spread between runs is measured on. */
export async function historyOf(store: RunStore, profile: string): Promise<ComparedRun[]> {
  const { runs } = await store.list();
  return runs.filter((r) => r.profile === profile && r.status === 'completed' && r.metrics && !r.capacity).slice(0, HISTORY_RUNS).map((record) => ({ record }));
}

async function latestId(store: RunStore, profile: string, exclude: readonly string[]): Promise<string | undefined> {
  const { runs } = await store.list();
  const skip = new Set(exclude);
  // A capacity search ran other rates than the profile's: never the latest run to compare with.
  return runs.find((r) => r.profile === profile && r.status === 'completed' && !r.capacity && !skip.has(r.id) && !(r.repeat && skip.has(r.repeat.group)))?.id;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compares `current` (one run or a repeated set, the last one keeping the result) with `baseline`
 * and writes the comparison into the last record, whose `pass` now also needs no regression.
 * Returns the rewritten record.
 */
export async function recordComparison(store: RunStore, current: readonly RunRecord[], baseline: readonly ComparedRun[], settings: RegressionSettings): Promise<{ record: RunRecord; comparison: Comparison }> {
  const compared = await Promise.all(current.map((r) => withSamples(store, r)));
  const comparison = compareRuns(baseline, compared, settings, await historyOf(store, current[0]!.profile));
  const last = current[current.length - 1]!;
  const setPass = current.every((r) => r.status === 'completed' && r.thresholds.every((t) => t.pass));
  const record: RunRecord = { ...last, comparison, pass: setPass && comparison.pass };
  await store.write(record);
  return { record, comparison };
}
