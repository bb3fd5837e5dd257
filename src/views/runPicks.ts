import * as vscode from 'vscode';
import type { RunRecord } from '../core/runRecord';
import type { FolderRun, Folders } from './folders';
import { runDescription } from './runText';

/** How a run command names its run: a Runs tree item, a run id (a link, a page), or nothing (then a QuickPick asks). */
export type RunArg = string | RunRecord | undefined;

export interface RunQuestion {
  placeHolder: string;
  /** The runs the QuickPick offers (all by default). */
  eligible?: (run: RunRecord) => boolean;
  /** What to say when none is eligible. */
  none?: string;
}

/**
 * The run `arg` names (read again from its folder's listing) with its folder, or the one the
 * user picks from every folder's runs.
 */
export async function resolveRun(folders: Folders, arg: RunArg, question: RunQuestion): Promise<FolderRun | undefined> {
  const all = await folders.runs();
  if (arg) {
    const id = typeof arg === 'string' ? arg : arg.id;
    const found = all.find((r) => r.run.id === id);
    if (!found) void vscode.window.showErrorMessage(`PerfLab: run ${id} was not found; it may have been deleted.`);
    return found;
  }
  const candidates = question.eligible ? all.filter((r) => question.eligible!(r.run)) : all;
  if (!candidates.length) {
    void vscode.window.showInformationMessage(`PerfLab: ${question.none ?? 'no runs recorded yet in this workspace'}.`);
    return undefined;
  }
  return pickRun(candidates, question.placeHolder);
}

/**
 * A QuickPick of runs, newest first, each profile's saved baseline marked; each run's folder
 * named when they come from more than one.
 */
export async function pickRun(candidates: readonly FolderRun[], placeHolder: string): Promise<FolderRun | undefined> {
  const byFolder = new Map<string, Record<string, string>>();
  for (const { folder } of candidates) {
    if (!byFolder.has(folder.key)) byFolder.set(folder.key, await folder.runs.baselines());
  }
  const several = byFolder.size > 1;
  const picked = await vscode.window.showQuickPick(
    candidates.map((entry) => {
      const { run, folder } = entry;
      const baseline = byFolder.get(folder.key)?.[run.profile] === run.id;
      return {
        label: `${run.pass ? '$(pass)' : '$(error)'} ${run.profile}`,
        description: (several ? `${folder.name} · ` : '') + runDescription(run, undefined, baseline),
        detail: run.id,
        entry,
      };
    }),
    { placeHolder, matchOnDetail: true, matchOnDescription: true },
  );
  return picked?.entry;
}
