import * as vscode from 'vscode';
import { Commands, Views } from './constants';
import { registerCommand } from './views/contributions';
import { registerCommands } from './views/commands';
import { ConfigAssist } from './views/configAssist';
import { ConfigLensProvider } from './views/configLens';
import { DemoController, registerDemoCommands } from './views/demoController';
import { registerFlameEditor } from './views/flameEditor';
import { HotPathDecorations } from './views/hotPaths';
import { ProcessesTreeProvider } from './views/processesTree';
import { ProfilerController, registerProfilerCommands } from './views/profilerController';
import { registerRunCommands, RunController } from './views/runController';
import { RunPanel } from './views/runPanel';
import { ProfilesTreeProvider } from './views/profilesTree';
import { RedisSecrets } from './views/redisSecrets';
import { RunsTreeProvider } from './views/runsTree';
import { StackTreeProvider } from './views/stackTree';
import { PerfLabTests } from './views/testExplorer';
import { Folders } from './views/folders';

/** Wires the services, views and commands together; the work itself lives in src/views and below. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('PerfLab', { log: true });
  // Each workspace folder's config and runs (a multi-root workspace may have several).
  const folders = new Folders(log);
  const profilesTree = new ProfilesTreeProvider(folders);
  const runsTree = new RunsTreeProvider(folders);
  const lenses = new ConfigLensProvider(folders);
  const assist = new ConfigAssist(folders);

  context.subscriptions.push(
    log,
    folders,
    profilesTree,
    runsTree,
    lenses,
    lenses.register(),
    assist,
    assist.register(),
    vscode.window.createTreeView(Views.profiles, { treeDataProvider: profilesTree, showCollapseAll: true }),
    vscode.window.createTreeView(Views.runs, { treeDataProvider: runsTree, canSelectMany: true }),
  );
  const secrets = new RedisSecrets(context.secrets, folders, log);
  context.subscriptions.push(secrets);
  registerCommand(context, Commands.setRedisPassword, () => secrets.set());
  const controller = new RunController(context.extensionUri, folders, log, secrets, context.workspaceState);
  const demo = new DemoController(folders, log);
  const profiler = new ProfilerController(folders, controller, log, () => demo.servicePids, context.extensionUri);
  const processesTree = new ProcessesTreeProvider(profiler);
  const processesView = vscode.window.createTreeView(Views.processes, { treeDataProvider: processesTree });
  const stackTree = new StackTreeProvider(folders, secrets);
  const stackView = vscode.window.createTreeView(Views.stack, { treeDataProvider: stackTree });
  const hotPaths = new HotPathDecorations(log);
  context.subscriptions.push(controller, new PerfLabTests(folders, controller), profiler, processesTree, processesView, processesTree.watch(processesView));
  context.subscriptions.push(stackTree, stackView, stackTree.watch(stackView), hotPaths);
  registerCommands(context, { folders, log });
  registerRunCommands(context, controller);
  registerProfilerCommands(context, profiler, processesTree);
  registerCommand(context, Commands.refreshStack, () => stackTree.refresh());
  context.subscriptions.push(demo);
  registerDemoCommands(context, demo);
  hotPaths.register(context);
  RunPanel.registerSerializer(context, folders, log);
  registerFlameEditor(context, log, (analysis) => hotPaths.show(analysis));
  // Loads the configs in the background so diagnostics show without opening the view.
  void folders.configured();
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
