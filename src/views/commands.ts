import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { readDemoState } from '../core/demoState';
import type { RunRecord } from '../core/runRecord';
import type { ConfigService } from './configService';
import { registerCommand } from './contributions';
import { formatDateTime } from '../core/format';
import { runDescription } from './runText';
import { RunPanel } from './runPanel';
import type { RunService } from './runService';
import type { PerfLabWorkspace } from './workspace';

export interface Services {
  workspace: PerfLabWorkspace;
  config: ConfigService;
  runs: RunService;
  log: vscode.LogOutputChannel;
}

/** A run command gets a run id from a tree item or a link, or asks with a QuickPick. */
type RunArg = string | RunRecord | undefined;

export function registerCommands(context: vscode.ExtensionContext, services: Services): void {
  const { workspace, config, runs, log } = services;

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
    const run = await resolveRun(runs, arg, 'Open which run?');
    if (run) RunPanel.show(context.extensionUri, runs, log, run);
  });

  registerCommand(context, Commands.revealRun, async (arg: RunArg) => {
    const run = await resolveRun(runs, arg, 'Reveal which run?');
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

  registerCommand(context, Commands.deleteRun, async (arg: RunArg) => {
    const run = await resolveRun(runs, arg, 'Delete which run?');
    if (!run) return;
    const answer = await vscode.window.showWarningMessage(
      `Delete the run of "${run.profile}" from ${formatDateTime(run.startedAt)}?`,
      { modal: true, detail: 'Its folder, run.json and all its artifacts (profiles, snapshots) are removed.' },
      'Delete',
    );
    if (answer !== 'Delete') return;
    try {
      await runs.delete(run.id);
    } catch (err) {
      void vscode.window.showErrorMessage(`PerfLab: could not delete run ${run.id}: ${(err as Error).message}`);
    }
  });
}

async function resolveRun(runs: RunService, arg: RunArg, placeHolder: string): Promise<RunRecord | undefined> {
  const all = await runs.runs();
  if (typeof arg === 'object' && arg) return all.find((r) => r.id === arg.id) ?? arg;
  if (typeof arg === 'string') {
    const found = all.find((r) => r.id === arg);
    if (!found) void vscode.window.showErrorMessage(`PerfLab: run ${arg} was not found; it may have been deleted.`);
    return found;
  }
  if (!all.length) {
    void vscode.window.showInformationMessage('PerfLab: no runs recorded yet in this workspace.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    all.map((run) => ({
      label: `${run.pass ? '$(pass)' : '$(error)'} ${run.profile}`,
      description: runDescription(run),
      detail: run.id,
      run,
    })),
    { placeHolder, matchOnDetail: true },
  );
  return picked?.run;
}
