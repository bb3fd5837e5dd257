import * as vscode from 'vscode';
import { Commands, WebviewTypes } from '../constants';
import { type FromWebview, isFromWebview, type ToWebview } from '../protocol';
import { openSource } from './openSource';
import { answer } from './requests';
import { setUpWebview } from './webviewSetup';

/** The compared runs' CPU profiles, when both have one: the page's differential flame graph. */
export interface ComparedProfiles {
  before: string;
  after: string;
}

/**
 * The comparison page (Compare Runs…): one panel per pair of runs, reused when the same pair is
 * compared again. What it shows was computed when it was opened and is sent after the page says
 * `ready`; nothing is written to either run's record.
 */
export class ComparePanel implements vscode.Disposable {
  private static readonly open = new Map<string, ComparePanel>();

  static show(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, message: Extract<ToWebview, { type: 'comparison' }>, profiles?: ComparedProfiles): ComparePanel {
    const key = `${message.comparison.baseline.runs.join(',')}|${message.comparison.current.runs.join(',')}`;
    const existing = ComparePanel.open.get(key);
    if (existing) {
      existing.message = message;
      existing.profiles = profiles;
      if (existing.ready) existing.post(message);
      existing.panel.reveal();
      return existing;
    }
    const title = `Compare: ${message.profile}`;
    const panel = new ComparePanel(key, log, message, profiles, vscode.window.createWebviewPanel(WebviewTypes.compare, title, vscode.ViewColumn.Active));
    setUpWebview(panel.panel.webview, extensionUri, 'compare', title);
    ComparePanel.open.set(key, panel);
    return panel;
  }

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;

  private constructor(
    private readonly key: string,
    private readonly log: vscode.LogOutputChannel,
    private message: ToWebview,
    private profiles: ComparedProfiles | undefined,
    private readonly panel: vscode.WebviewPanel,
  ) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((msg: unknown) => {
        if (isFromWebview(msg)) this.handle(msg);
        else this.log.warn(`Comparison page sent an unknown message: ${JSON.stringify(msg).slice(0, 200)}`);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private handle(msg: FromWebview): void {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.post(this.message);
        return;
      case 'openRun':
        void vscode.commands.executeCommand(Commands.openRun, msg.id);
        return;
      case 'openFlameDiff':
        if (!this.profiles) return this.log.warn('Comparison page asked for a differential flame graph, but the runs have no CPU profiles');
        void vscode.commands.executeCommand(Commands.compareCpuProfiles, vscode.Uri.file(this.profiles.before), vscode.Uri.file(this.profiles.after));
        return;
      case 'request':
        void answer(msg, { openSource }).then((reply) => this.post(reply));
        return;
      case 'log':
        this.log[msg.level](`[comparison page] ${msg.message}`);
        return;
      default:
        this.log.warn(`Comparison page sent "${msg.type}", which it has no use for`);
    }
  }

  private post(msg: ToWebview): void {
    void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    ComparePanel.open.delete(this.key);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
