/**
 * The flame view as a custom editor of `.cpuprofile` files (package.json `customEditors`, with
 * priority "option": VS Code's own viewer stays available under "Reopen Editor With…"). The
 * profile is analyzed in the analysis worker; the call tree stays here and the page asks for the
 * slices it draws (src/views/flameRequests.ts). VS Code reopens custom editors after a window
 * reload, and the page restores its zoom, focus and search from its webview state.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, CustomEditors, WebviewTypes } from '../constants';
import { diffFlameTrees, type FlameInfo, type FlameModel, topChanges } from '../core/flame';
import { isFromWebview, type ToWebview } from '../protocol';
import { analyzeCpuProfile, type CpuAnalysis } from '../runners/profiler/analysis';
import { flameModel, flameRequests } from './flameRequests';
import { openSource } from './openSource';
import { answer } from './requests';
import { setUpWebview } from './webviewSetup';

/** `onAnalyzed`: each profile the flame view opens, once analyzed (the editor marks its hot paths). */
export function registerFlameEditor(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, onAnalyzed: (analysis: CpuAnalysis) => void): void {
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(CustomEditors.cpuProfile, new FlameEditorProvider(context.extensionUri, log, onAnalyzed), {
      webviewOptions: { retainContextWhenHidden: false },
    }),
    vscode.commands.registerCommand(Commands.compareCpuProfiles, (before?: unknown, after?: unknown) =>
      compareProfiles(context.extensionUri, log, before instanceof vscode.Uri ? before : undefined, after instanceof vscode.Uri ? after : undefined),
    ),
    vscode.commands.registerCommand(Commands.openCpuProfile, async (uri?: vscode.Uri) => {
      const file = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'CPU profiles': ['cpuprofile'] }, title: 'Open a CPU profile' }))?.[0];
      if (file) await vscode.commands.executeCommand('vscode.openWith', file, CustomEditors.cpuProfile);
    }),
  );
}

/**
 * `Compare CPU Profiles…`: two profiles of the same program (before and after a change) as a
 * differential flame graph in a panel of its own; the page is the flame view's. The two files are
 * asked for unless given (the comparison page gives its two runs' profiles).
 */
async function compareProfiles(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, givenBefore?: vscode.Uri, givenAfter?: vscode.Uri): Promise<void> {
  const pick = async (title: string) => (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'CPU profiles': ['cpuprofile'] }, title }))?.[0];
  const before = givenBefore ?? (await pick('Compare: the profile BEFORE the change'));
  if (!before) return;
  const after = givenAfter ?? (await pick('Compare: the profile AFTER the change'));
  if (!after) return;
  // Two runs' profiles share a file name: then their folders (the run ids) name them.
  const same = path.basename(after.fsPath) === path.basename(before.fsPath);
  const name = (uri: vscode.Uri) => path.basename(same ? path.dirname(uri.fsPath) : uri.fsPath);
  const title = `${name(after)} vs ${name(before)}`;
  const panel = vscode.window.createWebviewPanel(WebviewTypes.flameDiff, title, vscode.ViewColumn.Active);
  const loaded = vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `PerfLab: comparing ${title}` }, async () => {
    const [a, b] = await Promise.all([analyzeCpuProfile(before.fsPath), analyzeCpuProfile(after.fsPath)]);
    const diff = diffFlameTrees(a.tree, b.tree);
    const model = flameModel(diff.tree, diff.delta);
    return { model, info: { ...model.info(name(after)), diff: { before: name(before), growers: topChanges(diff.growers) } } };
  });
  serveFlame(panel, extensionUri, log, title, loaded);
}

/** Gives a panel the flame page and answers it from the model once it has loaded. */
function serveFlame(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, log: vscode.LogOutputChannel, title: string, loaded: Thenable<{ model: FlameModel; info: FlameInfo }>): void {
  setUpWebview(panel.webview, extensionUri, 'flame', title);
  const post = (m: ToWebview) => void panel.webview.postMessage(m);
  const ready = Promise.resolve(loaded);
  ready.catch(() => undefined);
  const handlers = ready.then(({ model }) => ({ ...flameRequests(model), openSource }));
  const subscription = panel.webview.onDidReceiveMessage(async (msg: unknown) => {
    if (!isFromWebview(msg)) return log.warn(`Flame view sent an unknown message: ${JSON.stringify(msg).slice(0, 200)}`);
    switch (msg.type) {
      case 'ready':
        try {
          post({ type: 'flame', info: (await ready).info });
        } catch (err) {
          post({ type: 'error', message: (err as Error).message });
        }
        return;
      case 'request':
        post(await answer(msg, await handlers.catch(() => ({}))));
        return;
      case 'log':
        log[msg.level](`[flame view] ${msg.message}`);
        return;
      case 'openFile':
        return;
    }
  });
  panel.onDidDispose(() => subscription.dispose());
}

class FlameEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel, private readonly onAnalyzed: (analysis: CpuAnalysis) => void) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const file = document.uri.fsPath;
    const cancel = new AbortController();
    // Analysis starts at once; the page is answered when both it and the page are ready.
    const loaded = analyzeCpuProfile(file, { signal: cancel.signal }).then((a) => {
      this.onAnalyzed(a);
      const model = flameModel(a.tree);
      return { model, info: model.info(path.basename(file)) };
    });
    serveFlame(panel, this.extensionUri, this.log, path.basename(file), loaded);
    panel.onDidDispose(() => cancel.abort());
  }
}
