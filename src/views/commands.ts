import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { readDemoState } from '../core/demoState';
import { registerBaselineCommands } from './baselineCommands';
import { registerCommand } from './contributions';
import { formatDateTime } from '../core/format';
import type { RunRecord } from '../core/runRecord';
import type { ConfigState } from './configService';
import type { Folders, PerfLabFolder } from './folders';
import { RunPanel } from './runPanel';
import { type RunArg, resolveRun } from './runPicks';

export interface Services {
  folders: Folders;
  log: vscode.LogOutputChannel;
}

/**
 * The folder a config command is for: the only one, else the one picked (`eligible` narrows the
 * choice: folders with a config to open, say); undefined when there is none or none was picked.
 */
async function pickFolder(folders: Folders, placeHolder: string, eligible?: PerfLabFolder[]): Promise<PerfLabFolder | undefined> {
  const candidates = eligible ?? [...folders.all()];
  if (candidates.length <= 1) return candidates[0];
  const withConfig = new Set(await folders.configured());
  const picked = await vscode.window.showQuickPick(
    candidates.map((folder) => ({
      label: folder.name,
      description: withConfig.has(folder) ? vscode.workspace.asRelativePath(folder.configPath, true) : 'no config yet',
      folder,
    })),
    { placeHolder },
  );
  return picked?.folder;
}

export function registerCommands(context: vscode.ExtensionContext, services: Services): void {
  const { folders, log } = services;
  // Set as Baseline, Clear Baseline and the comparisons of runs.
  registerBaselineCommands(context, { folders, log });

  registerCommand(context, Commands.initConfig, async () => {
    if (!folders.all().length) {
      void vscode.window.showWarningMessage('PerfLab: open a folder first; the config lives at its root.');
      return;
    }
    const folder = await pickFolder(folders, 'Write a starter config into which folder?');
    if (!folder) return;
    const { config } = folder;
    const file = folder.configPath;
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
    const configured = await folders.configured();
    if (!configured.length) {
      const create = await vscode.window.showInformationMessage('PerfLab: this workspace has no config yet.', 'Create Starter Config');
      if (create) await vscode.commands.executeCommand(Commands.initConfig);
      return;
    }
    const folder = await pickFolder(folders, 'Open the config of which folder?', configured);
    if (folder) await vscode.window.showTextDocument(vscode.Uri.file(folder.configPath));
  });

  registerCommand(context, Commands.validateConfig, async () => {
    await folders.reload();
    const configured = await folders.configured();
    if (!configured.length) {
      const where = (await folders.primary())?.configPath ?? 'the workspace root';
      void vscode.window.showWarningMessage(`PerfLab: no config found at ${where}. Run "PerfLab: Init Config" to create one.`);
      return;
    }
    const several = configured.length > 1;
    const checked = await Promise.all(configured.map(async (folder) => ({ folder, state: await folder.config.current() })));
    const named = (c: { folder: PerfLabFolder; state: ConfigState }) => (several ? `${c.folder.name}/` : '') + path.basename(c.state.file ?? c.folder.configPath);
    const errorsOf = (state: ConfigState) => state.problems.filter((p) => p.severity !== 'warning').length;
    const broken = checked.find((c) => errorsOf(c.state) > 0);
    if (!broken) {
      const valid = checked.map((c) => {
        const count = Object.keys(c.state.config?.profiles ?? {}).length;
        const warnings = c.state.problems.length;
        const extra = warnings ? ` with ${warnings} warning${warnings === 1 ? '' : 's'}` : '';
        return `${named(c)} is valid${extra}: ${count} profile${count === 1 ? '' : 's'}`;
      });
      void vscode.window.showInformationMessage(`PerfLab: ${valid.join('; ')}.`);
      return;
    }
    const errors = errorsOf(broken.state);
    const first = broken.state.problems.find((p) => p.severity !== 'warning') ?? broken.state.problems[0];
    const show = await vscode.window.showErrorMessage(
      `PerfLab: ${named(broken)} has ${errors} problem${errors === 1 ? '' : 's'}. First: line ${first?.line}: ${first?.message}`,
      'Show Problems',
    );
    if (show) await vscode.commands.executeCommand('workbench.actions.view.problems');
  });

  registerCommand(context, Commands.refresh, () => folders.reload());

  registerCommand(context, Commands.openRun, async (arg: RunArg) => {
    const found = await resolveRun(folders, arg, { placeHolder: 'Open which run?' });
    if (found) RunPanel.show(context.extensionUri, found.folder.runs, log, found.run);
  });

  registerCommand(context, Commands.revealRun, async (arg: RunArg) => {
    const found = await resolveRun(folders, arg, { placeHolder: 'Reveal which run?' });
    if (!found) return;
    const { run } = found;
    const file = vscode.Uri.file(path.join(found.folder.runs.store.runDir(run.id), 'run.json'));
    const { folder } = found.folder;
    // Inside the workspace the Explorer can show it; elsewhere (or in a browser) hand it to the OS.
    if (file.fsPath.startsWith(folder.uri.fsPath + path.sep)) {
      await vscode.commands.executeCommand('revealInExplorer', file);
    } else {
      await vscode.commands.executeCommand('revealFileInOS', file);
    }
  });

  // From the Runs view with several runs selected: all of them, after one question.
  registerCommand(context, Commands.deleteRun, async (arg: RunArg, selected?: readonly RunRecord[]) => {
    const chosen = selected && selected.length > 1
      ? await Promise.all(selected.map((r) => resolveRun(folders, r, { placeHolder: '' })))
      : [await resolveRun(folders, arg, { placeHolder: 'Delete which run?' })];
    const doomed = chosen.filter((r) => !!r);
    if (!doomed.length) return;
    const baselines = new Map(await Promise.all(doomed.map(async (d) => [d.run.id, (await d.folder.runs.baselines())[d.run.profile]] as const)));
    const isBaseline = (run: RunRecord) => baselines.get(run.id) === run.id;
    const baselineOf = doomed.filter((d) => isBaseline(d.run)).map((d) => d.run.profile);
    const only = doomed.length === 1 ? doomed[0]!.run : undefined;
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
    for (const { run, folder } of doomed) {
      try {
        await folder.runs.delete(run.id);
        if (isBaseline(run)) await folder.runs.setBaseline(run.profile, undefined);
      } catch (err) {
        void vscode.window.showErrorMessage(`PerfLab: could not delete run ${run.id}: ${(err as Error).message}`);
      }
    }
  });

}
