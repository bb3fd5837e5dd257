import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, CustomEditors, WebviewTypes } from '../constants';
import type { RunRecord } from '../core/runRecord';
import { type FromWebview, isFromWebview, type ToWebview } from '../protocol';
import { answer } from './requests';
import { openSource } from './openSource';
import { runFile, runPageMessage, runRequests } from './runPage';
import type { Folders } from './folders';
import type { RunService } from './runService';
import { setUpWebview } from './webviewSetup';

/**
 * The run summary page: one panel per run, reused when the same run is opened again. The page
 * gets its data by message after it says `ready`; the HTML carries none.
 */
export class RunPanel implements vscode.Disposable {
  private static readonly open = new Map<string, RunPanel>();

  static show(extensionUri: vscode.Uri, runs: RunService, log: vscode.LogOutputChannel, record: RunRecord): RunPanel {
    const existing = RunPanel.open.get(record.id);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = new RunPanel(extensionUri, runs, log, record, vscode.window.createWebviewPanel(WebviewTypes.run, panelTitle(record), vscode.ViewColumn.Active));
    RunPanel.open.set(record.id, panel);
    return panel;
  }

  /**
   * Brings run pages back after a window reload: VS Code keeps the page's state (its run id and
   * collapsed sections), the page is rebuilt on the run as it is on disk now.
   */
  static registerSerializer(context: vscode.ExtensionContext, folders: Folders, log: vscode.LogOutputChannel): void {
    context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(WebviewTypes.run, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const id = (state as { runId?: unknown } | undefined)?.runId;
        // The folder whose runs folder still holds it.
        let found: { record: RunRecord; runs: RunService } | undefined;
        for (const folder of typeof id === 'string' ? folders.all() : []) {
          const record = await folder.runs.store.read(id as string).catch(() => undefined);
          if (record) {
            found = { record, runs: folder.runs };
            break;
          }
        }
        if (!found || RunPanel.open.has(found.record.id)) {
          log.info(`A run page was not restored: ${typeof id === 'string' ? `run ${id} is no longer there` : 'it had no run'}`);
          panel.dispose();
          return;
        }
        RunPanel.open.set(found.record.id, new RunPanel(context.extensionUri, found.runs, log, found.record, panel));
      },
    }));
  }

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** Counts the messages being built, so a slow one never overwrites a newer one. */
  private posted = 0;

  private constructor(
    extensionUri: vscode.Uri,
    private readonly runs: RunService,
    private readonly log: vscode.LogOutputChannel,
    private record: RunRecord,
    private readonly panel: vscode.WebviewPanel,
  ) {
    this.panel.title = panelTitle(record);
    const webview = this.panel.webview;
    setUpWebview(webview, extensionUri, 'run', panelTitle(record));
    this.disposables.push(
      webview.onDidReceiveMessage((msg: unknown) => this.onMessage(msg)),
      this.panel.onDidDispose(() => this.dispose()),
      // The record can be rewritten (a run finishing, a baseline added): show the new one.
      runs.onDidChange(() => void this.reload()),
    );
  }

  private onMessage(msg: unknown): void {
    if (!isFromWebview(msg)) {
      this.log.warn(`Run page sent an unknown message: ${JSON.stringify(msg).slice(0, 200)}`);
      return;
    }
    this.handle(msg);
  }

  private handle(msg: FromWebview): void {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        void this.postRun();
        return;
      case 'openFile':
        void this.openFile(msg.file);
        return;
      case 'openRun':
        void vscode.commands.executeCommand(Commands.openRun, msg.id);
        return;
      case 'log':
        this.log[msg.level](`[run page] ${msg.message}`);
        return;
      case 'request':
        void answer(msg, { ...runRequests(this.runDir()), openSource }).then((reply) => this.post(reply));
        return;
    }
  }

  private runDir(): string {
    return this.runs.store.runDir(this.record.id);
  }

  private async openFile(file: string): Promise<void> {
    const target = runFile(this.runDir(), file);
    // The page may only open files of its own run.
    if (!target) {
      this.log.warn(`Run page asked to open ${file}, outside the run folder; refused`);
      return;
    }
    try {
      // A CPU profile opens in the flame view (its custom editor); anything else as VS Code opens it.
      const uri = vscode.Uri.file(target);
      if (target.endsWith('.cpuprofile')) await vscode.commands.executeCommand('vscode.openWith', uri, CustomEditors.cpuProfile);
      else await vscode.commands.executeCommand('vscode.open', uri);
    } catch (err) {
      void vscode.window.showErrorMessage(`PerfLab: cannot open ${path.basename(target)}: ${(err as Error).message}`);
    }
  }

  private async reload(): Promise<void> {
    try {
      const record = await this.runs.store.read(this.record.id);
      this.record = record;
      this.panel.title = panelTitle(record);
      if (this.ready) await this.postRun();
    } catch (err) {
      if (this.ready) this.post({ type: 'error', message: `This run can no longer be read: ${(err as Error).message}` });
    }
  }

  /**
   * Sends the run. A record compared with a baseline has its comparison formatted by the engine,
   * which loads only then; if that fails the page still shows the run, and the log says why.
   */
  private async postRun(): Promise<void> {
    const n = ++this.posted;
    const record = this.record;
    const dir = this.runDir();
    let msg = runPageMessage(record, dir);
    if (record.comparison) {
      try {
        msg = (await import('./engine')).runMessage(record, dir);
      } catch (err) {
        this.log.warn(`The comparison of run ${record.id} with its baseline cannot be shown: ${(err as Error).message}`);
      }
    }
    if (n === this.posted) this.post(msg);
  }

  private post(msg: ToWebview): void {
    void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    RunPanel.open.delete(this.record.id);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function panelTitle(record: RunRecord): string {
  const when = new Date(record.startedAt);
  const stamp = Number.isNaN(when.getTime()) ? record.startedAt : when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `Run: ${record.profile} ${stamp}`;
}
