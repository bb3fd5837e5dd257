import * as vscode from 'vscode';
import type { RunRecord } from '../core/runRecord';
import { runDescription } from './runText';
import type { RunService } from './runService';

/** How a run command names its run: a Runs tree item, a run id (a link, a page), or nothing (then a QuickPick asks). */
export type RunArg = string | RunRecord | undefined;

export interface RunQuestion {
  placeHolder: string;
  /** The runs the QuickPick offers (all by default). */
  eligible?: (run: RunRecord) => boolean;
  /** What to say when none is eligible. */
  none?: string;
}

/** The run `arg` names (read again from the store's listing), or the one the user picks. */
export async function resolveRun(runs: RunService, arg: RunArg, question: RunQuestion): Promise<RunRecord | undefined> {
  const all = await runs.runs();
  if (typeof arg === 'object' && arg) return all.find((r) => r.id === arg.id) ?? arg;
  if (typeof arg === 'string') {
    const found = all.find((r) => r.id === arg);
    if (!found) void vscode.window.showErrorMessage(`PerfLab: run ${arg} was not found; it may have been deleted.`);
    return found;
  }
  const candidates = question.eligible ? all.filter(question.eligible) : all;
  if (!candidates.length) {
    void vscode.window.showInformationMessage(`PerfLab: ${question.none ?? 'no runs recorded yet in this workspace'}.`);
    return undefined;
  }
  return pickRun(candidates, question.placeHolder, await runs.baselines());
}

/** A QuickPick of runs, newest first, each profile's saved baseline marked. */
export async function pickRun(candidates: readonly RunRecord[], placeHolder: string, baselines: Record<string, string>): Promise<RunRecord | undefined> {
  const picked = await vscode.window.showQuickPick(
    candidates.map((run) => ({
      label: `${run.pass ? '$(pass)' : '$(error)'} ${run.profile}`,
      description: runDescription(run, undefined, baselines[run.profile] === run.id),
      detail: run.id,
      run,
    })),
    { placeHolder, matchOnDetail: true, matchOnDescription: true },
  );
  return picked?.run;
}
