/**
 * Baselines in the editor: Set as Baseline and Clear Baseline on a run (each profile has at most
 * one saved baseline, in `<runs>/baselines.json`, the file `perflab baseline` writes), and the
 * comparisons: Compare with Baseline, Compare with…, and Compare Runs… (two runs picked, or two
 * selected in the Runs view). A comparison opens the comparison page and writes no record; the
 * comparison kept in a record is made when a run ends (runController.ts).
 */
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { formatDateTime } from '../core/format';
import type { RunRecord } from '../core/runRecord';
import { kindOf } from '../runners/registry';
import { ComparePanel } from './comparePanel';
import { registerCommand } from './contributions';
import type { FolderRun, Folders, PerfLabFolder } from './folders';
import { pickRun, type RunArg, resolveRun } from './runPicks';

export interface BaselineServices {
  folders: Folders;
  log: vscode.LogOutputChannel;
}

/** A run a comparison can use: it completed and measured metrics. */
export function comparable(run: RunRecord): boolean {
  return run.status === 'completed' && !!run.metrics && !run.capacity;
}

/** Why `run` cannot be a baseline or be compared, in words that say what to do; undefined when it can. */
export function notComparable(run: RunRecord): string | undefined {
  if (run.status !== 'completed') return `the run of "${run.profile}" from ${formatDateTime(run.startedAt)} was ${run.status}: only a completed run can be a baseline or be compared`;
  if (run.capacity) return `the run of "${run.profile}" from ${formatDateTime(run.startedAt)} is a capacity search, whose steps ran at other rates than the profile's: compare runs of the profile, or the capacities found`;
  if (!run.metrics) return `the run of "${run.profile}" from ${formatDateTime(run.startedAt)} holds no metrics (an older PerfLab recorded it): run the profile again and use that run`;
  return undefined;
}

export function registerBaselineCommands(context: vscode.ExtensionContext, services: BaselineServices): void {
  const { folders } = services;
  const compare = (baseline: FolderRun, current: FolderRun) => openComparison(context.extensionUri, services, baseline, current);

  registerCommand(context, Commands.setBaseline, async (arg: RunArg) => {
    const found = await resolveRun(folders, arg, {
      placeHolder: 'Set which run as the baseline of its profile?',
      eligible: comparable,
      none: 'no completed run to set as a baseline yet: run a profile first',
    });
    if (!found) return;
    const { run, folder } = found;
    const refused = notComparable(run);
    if (refused) {
      void vscode.window.showErrorMessage(`PerfLab: ${refused}.`);
      return;
    }
    try {
      await folder.runs.setBaseline(run.profile, run.id);
    } catch (err) {
      void vscode.window.showErrorMessage(`PerfLab: could not save the baseline: ${(err as Error).message}`);
      return;
    }
    void vscode.window.showInformationMessage(
      `PerfLab: the baseline of "${run.profile}" is its run of ${formatDateTime(run.startedAt)}. The next runs of it started here are compared with it (and \`perflab run ${run.profile} --baseline saved\`).`,
    );
  });

  registerCommand(context, Commands.clearBaseline, async (arg: RunArg) => {
    let chosen: { profile: string; folder: PerfLabFolder } | undefined;
    if (arg) {
      const found = await resolveRun(folders, arg, { placeHolder: '' });
      chosen = found && { profile: found.run.profile, folder: found.folder };
    } else {
      const all = await folders.runs();
      const several = folders.all().length > 1;
      const saved = (await Promise.all(folders.all().map(async (folder) => Object.entries(await folder.runs.baselines()).map(([profile, id]) => ({ profile, id, folder }))))).flat();
      if (!saved.length) {
        void vscode.window.showInformationMessage('PerfLab: no profile has a saved baseline.');
        return;
      }
      const picked = await vscode.window.showQuickPick(
        saved.map((s) => {
          const run = all.find((r) => r.run.id === s.id && r.folder === s.folder)?.run;
          const when = run ? `run of ${formatDateTime(run.startedAt)}` : `run ${s.id}, no longer in the store`;
          return { label: s.profile, description: several ? `${s.folder.name} · ${when}` : when, chosen: s };
        }),
        { placeHolder: 'Clear the saved baseline of which profile?' },
      );
      chosen = picked?.chosen;
    }
    if (!chosen) return;
    const { profile, folder } = chosen;
    if (!(await folder.runs.baselines())[profile]) {
      void vscode.window.showInformationMessage(`PerfLab: "${profile}" has no saved baseline.`);
      return;
    }
    await folder.runs.setBaseline(profile, undefined);
    void vscode.window.showInformationMessage(`PerfLab: "${profile}" has no saved baseline now; its runs are no longer compared.`);
  });

  registerCommand(context, Commands.compareWithBaseline, async (arg: RunArg) => {
    // Which runs have a baseline to compare with: each folder's baselines are its own.
    const withBaseline = new Set<string>();
    for (const { run, folder } of await folders.runs()) {
      const id = (await folder.runs.baselines())[run.profile];
      if (comparable(run) && id && id !== run.id) withBaseline.add(run.id);
    }
    const found = await resolveRun(folders, arg, {
      placeHolder: 'Compare which run with the baseline of its profile?',
      eligible: (r) => withBaseline.has(r.id),
      none: 'no run to compare with a baseline: Set as Baseline on a run first, then run its profile again',
    });
    if (!found) return;
    const { run, folder } = found;
    const refused = notComparable(run);
    if (refused) return void vscode.window.showErrorMessage(`PerfLab: ${refused}.`);
    const id = (await folder.runs.baselines())[run.profile];
    if (!id) {
      void vscode.window.showInformationMessage(`PerfLab: "${run.profile}" has no saved baseline: Set as Baseline on one of its runs first.`);
      return;
    }
    if (id === run.id) {
      void vscode.window.showInformationMessage(`PerfLab: this run is the baseline of "${run.profile}": compare another run with it.`);
      return;
    }
    const baseline = (await folder.runs.runs()).find((r) => r.id === id);
    if (!baseline) {
      void vscode.window.showErrorMessage(`PerfLab: the baseline of "${run.profile}" (run ${id}) is no longer in the store: Set as Baseline on another run.`);
      return;
    }
    await compare({ run: baseline, folder }, found);
  });

  // One run given (the Runs view): the other picked from its folder; the earlier of the two is the baseline.
  const compareWithPicked = async (given: FolderRun) => {
    const { run, folder } = given;
    const refused = notComparable(run);
    if (refused) return void vscode.window.showErrorMessage(`PerfLab: ${refused}.`);
    const others = (await folder.runs.runs()).filter((r) => r.profile === run.profile && r.id !== run.id && comparable(r));
    if (!others.length) return void vscode.window.showInformationMessage(`PerfLab: no other completed run of "${run.profile}" to compare with.`);
    const other = await pickRun(others.map((r) => ({ run: r, folder })), `Compare the run of ${formatDateTime(run.startedAt)} with which run of "${run.profile}"? (the earlier one is the baseline)`);
    if (other) await compare(...byStart(other, given));
  };

  registerCommand(context, Commands.compareWith, async (arg: RunArg) => {
    const found = await resolveRun(folders, arg, { placeHolder: 'Compare which run?', eligible: comparable, none: 'no completed run to compare yet' });
    if (found) await compareWithPicked(found);
  });

  registerCommand(context, Commands.compareRuns, async (arg: RunArg, selected?: readonly RunRecord[]) => {
    // From the Runs view with several runs selected: those two.
    if (selected && selected.length > 1) {
      if (selected.length !== 2) return void vscode.window.showErrorMessage(`PerfLab: select two runs to compare, not ${selected.length}.`);
      const [a, b] = await Promise.all(selected.map((r) => resolveRun(folders, r, { placeHolder: '' })));
      return a && b && compare(...byStart(a, b));
    }
    if (arg) {
      const found = await resolveRun(folders, arg, { placeHolder: '' });
      return found && compareWithPicked(found);
    }
    // Two runs of one profile in one folder.
    const all = (await folders.runs()).filter((r) => comparable(r.run));
    const sameProfile = (a: FolderRun, b: FolderRun) => a.folder === b.folder && a.run.profile === b.run.profile;
    const pairs = all.filter((r) => all.some((o) => sameProfile(o, r) && o.run.id !== r.run.id));
    if (!pairs.length) {
      return void vscode.window.showInformationMessage(`PerfLab: no profile has two completed runs to compare yet${all.length ? '' : ': run a profile first'}.`);
    }
    const baseline = await pickRun(pairs, 'Compare Runs: which run is the baseline?');
    if (!baseline) return;
    const current = await pickRun(pairs.filter((r) => sameProfile(r, baseline) && r.run.id !== baseline.run.id), `Compare Runs: compare which run of "${baseline.run.profile}" with it?`);
    if (current) await compare(baseline, current);
  });
}

/** The two runs, the one that started first first. */
function byStart(a: FolderRun, b: FolderRun): [FolderRun, FolderRun] {
  return a.run.startedAt.localeCompare(b.run.startedAt) <= 0 ? [a, b] : [b, a];
}

/**
 * Compares `current` with `baseline` (each with the rest of its `--repeat` group) under the
 * profile's rules, the spread between runs from the profile's history, and opens the result.
 */
async function openComparison(extensionUri: vscode.Uri, services: BaselineServices, baselineRun: FolderRun, currentRun: FolderRun): Promise<void> {
  const { log } = services;
  const [baseline, current] = [baselineRun.run, currentRun.run];
  if (baseline.profile !== current.profile) {
    void vscode.window.showErrorMessage(`PerfLab: these runs are of different profiles ("${baseline.profile}", "${current.profile}"): compare two runs of one profile.`);
    return;
  }
  if (baselineRun.folder !== currentRun.folder) {
    void vscode.window.showErrorMessage(`PerfLab: these runs are of two folders ("${baselineRun.folder.name}", "${currentRun.folder.name}"), each with a config of its own: compare two runs of one folder's profile.`);
    return;
  }
  const { folder } = currentRun;
  const store = folder.runs.store;
  const profile = current.profile;
  try {
    const engine = await import('./engine');
    // Two runs of one repeated set are compared one with the other, not the set with itself.
    const sameGroup = !!baseline.repeat && baseline.repeat.group === current.repeat?.group;
    const side = async (run: RunRecord) => (sameGroup ? [await engine.withSamples(store, run)] : engine.resolveRuns(store, run.id, store.root));
    const [a, b] = await Promise.all([side(baseline), side(current)]);
    const profiles = (await folder.config.current()).config?.profiles ?? {};
    const settings = (Object.hasOwn(profiles, profile) ? profiles[profile]!.regressions : undefined) ?? engine.settingsWith();
    const compared = engine.compareRuns(a, b, settings, await engine.historyOf(store, profile));
    // When both last runs were profiled under load: the functions that grew, and their differential flame graph.
    const before = engine.cpuProfileOf(a[a.length - 1]);
    const after = engine.cpuProfileOf(b[b.length - 1]);
    const comparison = before && after ? await engine.withCpuGrowers(compared, a, b) : compared;
    const kind = kindOf(current.type);
    log.info(`Compared run ${current.id} with ${baseline.id} (${profile}): ${comparison.regressions} regression(s)`);
    const view = engine.comparisonView(comparison, kind.words.rateUnit, !!(before && after));
    ComparePanel.show(extensionUri, log, { type: 'comparison', profile, kindLabel: kind.label, comparison: view }, before && after ? { before, after } : undefined);
  } catch (err) {
    log.warn(`Comparing run ${current.id} with ${baseline.id} failed: ${(err as Error).message}`);
    void vscode.window.showErrorMessage(`PerfLab: cannot compare these runs: ${(err as Error).message}.`);
  }
}
