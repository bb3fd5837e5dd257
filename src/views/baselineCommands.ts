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
import type { ConfigService } from './configService';
import { registerCommand } from './contributions';
import { pickRun, type RunArg, resolveRun } from './runPicks';
import type { RunService } from './runService';

export interface BaselineServices {
  runs: RunService;
  config: ConfigService;
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
  const { runs } = services;
  const compare = (baseline: RunRecord, current: RunRecord) => openComparison(context.extensionUri, services, baseline, current);

  registerCommand(context, Commands.setBaseline, async (arg: RunArg) => {
    const run = await resolveRun(runs, arg, {
      placeHolder: 'Set which run as the baseline of its profile?',
      eligible: comparable,
      none: 'no completed run to set as a baseline yet: run a profile first',
    });
    if (!run) return;
    const refused = notComparable(run);
    if (refused) {
      void vscode.window.showErrorMessage(`PerfLab: ${refused}.`);
      return;
    }
    try {
      await runs.setBaseline(run.profile, run.id);
    } catch (err) {
      void vscode.window.showErrorMessage(`PerfLab: could not save the baseline: ${(err as Error).message}`);
      return;
    }
    void vscode.window.showInformationMessage(
      `PerfLab: the baseline of "${run.profile}" is its run of ${formatDateTime(run.startedAt)}. The next runs of it started here are compared with it (and \`perflab run ${run.profile} --baseline saved\`).`,
    );
  });

  registerCommand(context, Commands.clearBaseline, async (arg: RunArg) => {
    const baselines = await runs.baselines();
    let profile: string | undefined;
    if (arg) profile = (await resolveRun(runs, arg, { placeHolder: '' }))?.profile;
    else {
      const saved = Object.entries(baselines);
      if (!saved.length) {
        void vscode.window.showInformationMessage('PerfLab: no profile has a saved baseline.');
        return;
      }
      const all = await runs.runs();
      const picked = await vscode.window.showQuickPick(
        saved.map(([name, id]) => {
          const run = all.find((r) => r.id === id);
          return { label: name, description: run ? `run of ${formatDateTime(run.startedAt)}` : `run ${id}, no longer in the store` };
        }),
        { placeHolder: 'Clear the saved baseline of which profile?' },
      );
      profile = picked?.label;
    }
    if (!profile) return;
    if (!baselines[profile]) {
      void vscode.window.showInformationMessage(`PerfLab: "${profile}" has no saved baseline.`);
      return;
    }
    await runs.setBaseline(profile, undefined);
    void vscode.window.showInformationMessage(`PerfLab: "${profile}" has no saved baseline now; its runs are no longer compared.`);
  });

  registerCommand(context, Commands.compareWithBaseline, async (arg: RunArg) => {
    const baselines = await runs.baselines();
    const run = await resolveRun(runs, arg, {
      placeHolder: 'Compare which run with the baseline of its profile?',
      eligible: (r) => comparable(r) && !!baselines[r.profile] && baselines[r.profile] !== r.id,
      none: 'no run to compare with a baseline: Set as Baseline on a run first, then run its profile again',
    });
    if (!run) return;
    const refused = notComparable(run);
    if (refused) return void vscode.window.showErrorMessage(`PerfLab: ${refused}.`);
    const id = baselines[run.profile];
    if (!id) {
      void vscode.window.showInformationMessage(`PerfLab: "${run.profile}" has no saved baseline: Set as Baseline on one of its runs first.`);
      return;
    }
    if (id === run.id) {
      void vscode.window.showInformationMessage(`PerfLab: this run is the baseline of "${run.profile}": compare another run with it.`);
      return;
    }
    const baseline = (await runs.runs()).find((r) => r.id === id);
    if (!baseline) {
      void vscode.window.showErrorMessage(`PerfLab: the baseline of "${run.profile}" (run ${id}) is no longer in the store: Set as Baseline on another run.`);
      return;
    }
    await compare(baseline, run);
  });

  // One run given (the Runs view): the other picked; the earlier of the two is the baseline.
  const compareWithPicked = async (run: RunRecord) => {
    const refused = notComparable(run);
    if (refused) return void vscode.window.showErrorMessage(`PerfLab: ${refused}.`);
    const others = (await runs.runs()).filter((r) => r.profile === run.profile && r.id !== run.id && comparable(r));
    if (!others.length) return void vscode.window.showInformationMessage(`PerfLab: no other completed run of "${run.profile}" to compare with.`);
    const other = await pickRun(others, `Compare the run of ${formatDateTime(run.startedAt)} with which run of "${run.profile}"? (the earlier one is the baseline)`, await runs.baselines());
    if (other) await compare(...byStart(other, run));
  };

  registerCommand(context, Commands.compareWith, async (arg: RunArg) => {
    const run = await resolveRun(runs, arg, { placeHolder: 'Compare which run?', eligible: comparable, none: 'no completed run to compare yet' });
    if (run) await compareWithPicked(run);
  });

  registerCommand(context, Commands.compareRuns, async (arg: RunArg, selected?: readonly RunRecord[]) => {
    // From the Runs view with several runs selected: those two.
    if (selected && selected.length > 1) {
      if (selected.length !== 2) return void vscode.window.showErrorMessage(`PerfLab: select two runs to compare, not ${selected.length}.`);
      return compare(...byStart(selected[0]!, selected[1]!));
    }
    if (arg) {
      const run = await resolveRun(runs, arg, { placeHolder: '' });
      return run && compareWithPicked(run);
    }
    const all = (await runs.runs()).filter(comparable);
    const profiles = new Set(all.map((r) => r.profile));
    const pairs = all.filter((r) => all.some((o) => o.profile === r.profile && o.id !== r.id));
    if (!pairs.length) {
      return void vscode.window.showInformationMessage(`PerfLab: no profile has two completed runs to compare yet${profiles.size ? '' : ': run a profile first'}.`);
    }
    const baselines = await runs.baselines();
    const baseline = await pickRun(pairs, 'Compare Runs: which run is the baseline?', baselines);
    if (!baseline) return;
    const current = await pickRun(pairs.filter((r) => r.profile === baseline.profile && r.id !== baseline.id), `Compare Runs: compare which run of "${baseline.profile}" with it?`, baselines);
    if (current) await compare(baseline, current);
  });
}

/** The two runs, the one that started first first. */
function byStart(a: RunRecord, b: RunRecord): [RunRecord, RunRecord] {
  return a.startedAt.localeCompare(b.startedAt) <= 0 ? [a, b] : [b, a];
}

/**
 * Compares `current` with `baseline` (each with the rest of its `--repeat` group) under the
 * profile's rules, the spread between runs from the profile's history, and opens the result.
 */
async function openComparison(extensionUri: vscode.Uri, services: BaselineServices, baseline: RunRecord, current: RunRecord): Promise<void> {
  const { runs, config, log } = services;
  if (baseline.profile !== current.profile) {
    void vscode.window.showErrorMessage(`PerfLab: these runs are of different profiles ("${baseline.profile}", "${current.profile}"): compare two runs of one profile.`);
    return;
  }
  const store = runs.store;
  if (!store) return;
  const profile = current.profile;
  try {
    const engine = await import('./engine');
    // Two runs of one repeated set are compared one with the other, not the set with itself.
    const sameGroup = !!baseline.repeat && baseline.repeat.group === current.repeat?.group;
    const side = async (run: RunRecord) => (sameGroup ? [await engine.withSamples(store, run)] : engine.resolveRuns(store, run.id, store.root));
    const [a, b] = await Promise.all([side(baseline), side(current)]);
    const profiles = (await config.current()).config?.profiles ?? {};
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
