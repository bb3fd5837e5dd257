/**
 * The comparison a run started in the editor gets as it ends: with its profile's saved baseline
 * (Set as Baseline, `perflab baseline`), kept in its record as `perflab run --baseline saved`
 * keeps it. VS Code-free, loaded with the engine (src/views/engine.ts).
 */
import { recordComparison, resolveRuns, SAVED } from '../core/compare/baseline';
import type { Comparison } from '../core/compare/compare';
import { type RegressionSettings, settingsWith } from '../core/compare/rules';
import type { RunRecord } from '../core/runRecord';
import type { RunStore } from '../core/runStore';

/**
 * Compares a completed `record` with its profile's saved baseline under `regressions` (the
 * profile's rules; the defaults when it has none) and rewrites its record with the comparison.
 * Undefined when there is nothing to compare with (no saved baseline, a run that did not
 * complete, the run being the baseline); throws, in words the user can act on, when the
 * baseline cannot be used (deleted, of no metrics). The record on disk is then left as it was.
 */
export async function compareWithSavedBaseline(store: RunStore, record: RunRecord, regressions?: RegressionSettings): Promise<{ record: RunRecord; comparison: Comparison; baselineId: string } | undefined> {
  if (record.status !== 'completed') return undefined;
  const baselineId = await store.baselineOf(record.profile);
  if (!baselineId || baselineId === record.id) return undefined;
  let baseline;
  try {
    baseline = await resolveRuns(store, SAVED, store.root, record.profile, [record.id]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new Error(`its saved baseline, run ${baselineId}, is no longer in ${store.root}: Set as Baseline on another run of "${record.profile}"`, { cause: err });
  }
  const compared = await recordComparison(store, [record], baseline, regressions ?? settingsWith());
  return { ...compared, baselineId };
}
