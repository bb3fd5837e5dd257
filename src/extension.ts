import * as vscode from 'vscode';
import { Commands, Views } from './constants';
import { registerCommand } from './views/contributions';
import { registerCommands } from './views/commands';
import { ConfigAssist } from './views/configAssist';
import { ConfigLensProvider } from './views/configLens';
import { ConfigService } from './views/configService';
import { DemoController, registerDemoCommands } from './views/demoController';
import { registerFlameEditor } from './views/flameEditor';
import { HotPathDecorations } from './views/hotPaths';
import { ProcessesTreeProvider } from './views/processesTree';
import { ProfilerController, registerProfilerCommands } from './views/profilerController';
import { registerRunCommands, RunController } from './views/runController';
import { RunPanel } from './views/runPanel';
import { ProfilesTreeProvider } from './views/profilesTree';
import { RedisSecrets } from './views/redisSecrets';
import { RunService } from './views/runService';
import { RunsTreeProvider } from './views/runsTree';
import { StackTreeProvider } from './views/stackTree';
import { PerfLabTests } from './views/testExplorer';
import { PerfLabWorkspace } from './views/workspace';

/** Wires the services, views and commands together; the work itself lives in src/views and below. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('PerfLab', { log: true });
  const workspace = new PerfLabWorkspace();
  const config = new ConfigService(workspace, log);
  const runs = new RunService(workspace, log);
  const profilesTree = new ProfilesTreeProvider(config);
  const runsTree = new RunsTreeProvider(runs);
  const lenses = new ConfigLensProvider(config);
  const assist = new ConfigAssist(config);

  context.subscriptions.push(
    log,
    workspace,
    config,
    runs,
    profilesTree,
    runsTree,
    lenses,
    lenses.register(),
    assist,
    assist.register(),
    vscode.window.createTreeView(Views.profiles, { treeDataProvider: profilesTree, showCollapseAll: true }),
    vscode.window.createTreeView(Views.runs, { treeDataProvider: runsTree, canSelectMany: true }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      void config.foldersChanged();
      runs.refresh();
    }),
  );
  const secrets = new RedisSecrets(context.secrets, config, log);
  context.subscriptions.push(secrets);
  registerCommand(context, Commands.setRedisPassword, () => secrets.set());
  const controller = new RunController(context.extensionUri, config, runs, log, secrets, context.workspaceState);
  const demo = new DemoController(workspace, config, log);
  const profiler = new ProfilerController(workspace, controller, log, () => demo.servicePids, context.extensionUri);
  const processesTree = new ProcessesTreeProvider(profiler);
  const processesView = vscode.window.createTreeView(Views.processes, { treeDataProvider: processesTree });
  const stackTree = new StackTreeProvider(config, secrets);
  const stackView = vscode.window.createTreeView(Views.stack, { treeDataProvider: stackTree });
  const hotPaths = new HotPathDecorations(log);
  context.subscriptions.push(controller, new PerfLabTests(config, controller), profiler, processesTree, processesView, processesTree.watch(processesView));
  context.subscriptions.push(stackTree, stackView, stackTree.watch(stackView), hotPaths);
  registerCommands(context, { workspace, config, runs, log });
  registerRunCommands(context, controller);
  registerProfilerCommands(context, profiler, processesTree);
  registerCommand(context, Commands.refreshStack, () => stackTree.refresh());
  context.subscriptions.push(demo);
  registerDemoCommands(context, demo);
  hotPaths.register(context);
  RunPanel.registerSerializer(context, runs, log);
  registerFlameEditor(context, log, (analysis) => hotPaths.show(analysis));
  // Loads the config in the background so diagnostics show without opening the view.
  void config.current();
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
