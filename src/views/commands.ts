import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { readDemoState } from '../core/demoState';
import { registerBaselineCommands } from './baselineCommands';
import type { ConfigService } from './configService';
import { registerCommand } from './contributions';
import { formatDateTime } from '../core/format';
import type { RunRecord } from '../core/runRecord';
import { RunPanel } from './runPanel';
import { type RunArg, resolveRun } from './runPicks';
import type { RunService } from './runService';
import type { PerfLabWorkspace } from './workspace';

export interface Services {
  workspace: PerfLabWorkspace;
  config: ConfigService;
  runs: RunService;
  log: vscode.LogOutputChannel;
}

export function registerCommands(context: vscode.ExtensionContext, services: Services): void {
  const { workspace, config, runs, log } = services;
  // Set as Baseline, Clear Baseline and the comparisons of runs.
  registerBaselineCommands(context, { runs, config, log });

  registerCommand(context, Commands.initConfig, async () => {
    const file = workspace.configPath;
    if (!file) {
      void vscode.window.showWarningMessage('PerfLab: open a folder first; the config lives at its root.');
      return;
    }
    const uri = vscode.Uri.file(file);
    if ((await config.current()).exists) {
      const open = await vscode.window.showInformationMessage(`PerfLab: ${path.basename(file)} already exists.`, 'Open It');
      if (open) await vscode.window.showTextDocument(uri);
      return;
    }
    const { starterConfig } = await import('../core/config');
    // Like `perflab init`: the demo running in this folder, else the demo's default addresses.
    const { state: demo } = await readDemoState(path.dirname(file));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(starterConfig({ baseUrl: demo?.url, redisUrl: demo?.redisUrl })));
    await config.reload();
    await vscode.window.showTextDocument(uri);
    void vscode.window.showInformationMessage(
      demo
        ? `PerfLab: starter config written for the demo running in this folder (API ${demo.url}, Redis ${demo.redisUrl}).`
        : 'PerfLab: starter config written for the demo stack on its default addresses. Start it with "PerfLab: Start Demo Stack" (or `npx perflab demo` in this folder).',
    );
  });

  registerCommand(context, Commands.openConfig, async () => {
    const state = await config.current();
    if (!state.exists || !state.file) {
      const create = await vscode.window.showInformationMessage('PerfLab: this workspace has no config yet.', 'Create Starter Config');
      if (create) await vscode.commands.executeCommand(Commands.initConfig);
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(state.file));
  });

  registerCommand(context, Commands.validateConfig, async () => {
    const state = await config.reload();
    if (!state.exists || !state.file) {
      void vscode.window.showWarningMessage(`PerfLab: no config found at ${workspace.configPath ?? 'the workspace root'}. Run "PerfLab: Init Config" to create one.`);
      return;
    }
    const name = path.basename(state.file);
    const errors = state.problems.filter((p) => p.severity !== 'warning').length;
    const warnings = state.problems.length - errors;
    if (errors === 0) {
      const count = Object.keys(state.config?.profiles ?? {}).length;
      const extra = warnings ? ` with ${warnings} warning${warnings === 1 ? '' : 's'}` : '';
      void vscode.window.showInformationMessage(`PerfLab: ${name} is valid${extra}: ${count} profile${count === 1 ? '' : 's'}.`);
      return;
    }
    const show = await vscode.window.showErrorMessage(
      `PerfLab: ${name} has ${errors} problem${errors === 1 ? '' : 's'}. First: line ${state.problems[0]?.line}: ${state.problems[0]?.message}`,
      'Show Problems',
    );
    if (show) await vscode.commands.executeCommand('workbench.actions.view.problems');
  });

  registerCommand(context, Commands.refresh, async () => {
    runs.refresh();
    await config.reload();
  });

  registerCommand(context, Commands.openRun, async (arg: RunArg) => {
    const run = await resolveRun(runs, arg, { placeHolder: 'Open which run?' });
    if (run) RunPanel.show(context.extensionUri, runs, log, run);
  });

  registerCommand(context, Commands.revealRun, async (arg: RunArg) => {
    const run = await resolveRun(runs, arg, { placeHolder: 'Reveal which run?' });
    const store = runs.store;
    if (!run || !store) return;
    const file = vscode.Uri.file(path.join(store.runDir(run.id), 'run.json'));
    const folder = workspace.folder;
    // Inside the workspace the Explorer can show it; elsewhere (or in a browser) hand it to the OS.
    if (folder && file.fsPath.startsWith(folder.uri.fsPath + path.sep)) {
      await vscode.commands.executeCommand('revealInExplorer', file);
    } else {
      await vscode.commands.executeCommand('revealFileInOS', file);
    }
  });

  // From the Runs view with several runs selected: all of them, after one question.
  registerCommand(context, Commands.deleteRun, async (arg: RunArg, selected?: readonly RunRecord[]) => {
    const chosen = selected && selected.length > 1 ? [...selected] : [await resolveRun(runs, arg, { placeHolder: 'Delete which run?' })];
    const doomed = chosen.filter((r): r is RunRecord => !!r);
    if (!doomed.length) return;
    const baselines = await runs.baselines();
    const baselineOf = doomed.filter((r) => baselines[r.profile] === r.id).map((r) => r.profile);
    const only = doomed.length === 1 ? doomed[0]! : undefined;
    const answer = await vscode.window.showWarningMessage(
      only ? `Delete the run of "${only.profile}" from ${formatDateTime(only.startedAt)}?` : `Delete these ${doomed.length} runs?`,
      {
        modal: true,
        detail: `${only ? 'Its folder, run.json and all its artifacts' : 'Their folders, run.json files and all their artifacts'} (profiles, snapshots) are removed.` +
          (baselineOf.length ? ` ${only ? 'It is' : baselineOf.length === 1 ? 'One of them is' : `${baselineOf.length} of them are`} the saved baseline of ${baselineOf.map((p) => `"${p}"`).join(', ')}, which then has none.` : ''),
      },
      'Delete',
    );
    if (answer !== 'Delete') return;
    for (const run of doomed) {
      try {
        await runs.delete(run.id);
        if (baselines[run.profile] === run.id) await runs.setBaseline(run.profile, undefined);
      } catch (err) {
        void vscode.window.showErrorMessage(`PerfLab: could not delete run ${run.id}: ${(err as Error).message}`);
      }
    }
  });

}
