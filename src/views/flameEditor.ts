/**
 * The flame view as a custom editor of `.cpuprofile` files (package.json `customEditors`, with
 * priority "option": VS Code's own viewer stays available under "Reopen Editor With…"). The
 * profile is analyzed in the analysis worker; the call tree stays here and the page asks for the
 * slices it draws (src/views/flameRequests.ts). VS Code reopens custom editors after a window
 * reload, and the page restores its zoom, focus and search from its webview state.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vscode from 'vscode';
import { Commands, CustomEditors } from '../constants';
import type { FlameModel } from '../core/flame';
import { isFromWebview, type RequestParams, type ToWebview } from '../protocol';
import { analyzeCpuProfile } from '../runners/profiler/analysis';
import { flameModel, flameRequests } from './flameRequests';
import { answer } from './requests';
import { setUpWebview } from './webviewSetup';

export function registerFlameEditor(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(CustomEditors.cpuProfile, new FlameEditorProvider(context.extensionUri, log), {
      webviewOptions: { retainContextWhenHidden: false },
    }),
    vscode.commands.registerCommand(Commands.openCpuProfile, async (uri?: vscode.Uri) => {
      const file = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'CPU profiles': ['cpuprofile'] }, title: 'Open a CPU profile' }))?.[0];
      if (file) await vscode.commands.executeCommand('vscode.openWith', file, CustomEditors.cpuProfile);
    }),
  );
}

class FlameEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const file = document.uri.fsPath;
    setUpWebview(panel.webview, this.extensionUri, 'flame', path.basename(file));
    const post = (m: ToWebview) => void panel.webview.postMessage(m);
    const cancel = new AbortController();
    // Analysis starts at once; the page is answered when both it and the page are ready.
    const loaded: Promise<FlameModel> = analyzeCpuProfile(file, { signal: cancel.signal }).then((a) => flameModel(a.tree));
    loaded.catch(() => undefined);
    const handlers = loaded.then((model) => ({ ...flameRequests(model), openSource: (p: RequestParams<'openSource'>) => openSource(p) }));
    const subscription = panel.webview.onDidReceiveMessage(async (msg: unknown) => {
      if (!isFromWebview(msg)) return this.log.warn(`Flame view sent an unknown message: ${JSON.stringify(msg).slice(0, 200)}`);
      switch (msg.type) {
        case 'ready':
          try {
            post({ type: 'flame', info: (await loaded).info(path.basename(file)) });
          } catch (err) {
            post({ type: 'error', message: (err as Error).message });
          }
          return;
        case 'request':
          post(await answer(msg, await handlers.catch(() => ({}))));
          return;
        case 'log':
          this.log[msg.level](`[flame view] ${msg.message}`);
          return;
        case 'openFile':
          return;
      }
    });
    panel.onDidDispose(() => {
      cancel.abort();
      subscription.dispose();
    });
  }
}

/**
 * Opens a profile's function at its line: a `file://` url or a path, in the editor; Node's own
 * modules and other urls have no file to open, which the page says.
 */
async function openSource({ url, line, column }: RequestParams<'openSource'>): Promise<null> {
  let file: string;
  if (url.startsWith('file://')) file = fileURLToPath(url);
  else if (path.isAbsolute(url)) file = url;
  else if (url.startsWith('node:')) throw new Error(`${url} is part of Node.js: it has no source file here`);
  else throw new Error(`could not open ${url}: it is not a file on this machine`);
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  } catch {
    throw new Error(`could not open ${file}: not found`);
  }
  const at = new vscode.Position(Math.max(line - 1, 0), Math.max(column - 1, 0));
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at), preview: true });
  return null;
}
