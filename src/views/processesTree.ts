/**
 * The Processes view: the Node processes of this machine that PerfLab may attach to (the user's
 * own; never the editor's own processes), with their script, folder and inspector, and the
 * attached one marked. The list is read in the background while the view is visible (every
 * few seconds) and on Refresh; `getChildren` only returns what was last read, so the view never
 * waits on /proc or on probing inspector ports.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { whileVisible } from './tree';
import { ItemContext } from '../constants';
import type { NodeProcessInfo } from '../runners/profiler/api';
import { processLabel } from '../runners/profiler/processList';
import type { ProfilerController } from './profilerController';

const REFRESH_MS = 5_000;

export type ProcessNode = { kind: 'process'; info: NodeProcessInfo } | { kind: 'note'; label: string; icon: string; tooltip?: string };

export class ProcessesTreeProvider implements vscode.TreeDataProvider<ProcessNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private list: NodeProcessInfo[] | undefined;
  private error: string | undefined;
  private reading: Promise<void> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly profiler: ProfilerController) {
    this.subscription = profiler.onDidChange(() => this.changed.fire());
  }

  /** Reads now and every few seconds while the view is visible. */
  watch(view: vscode.TreeView<ProcessNode>): vscode.Disposable {
    return whileVisible(view, REFRESH_MS, () => void this.refresh());
  }

  /** Reads the list again (one read at a time); the view redraws when it changed. */
  refresh(): Promise<void> {
    this.reading ??= (async () => {
      try {
        const { listNodeProcesses } = await import('../runners/profiler/api');
        const next = this.profiler.offered(await listNodeProcesses({ probe: true }));
        const changed = JSON.stringify(next) !== JSON.stringify(this.list) || this.error !== undefined;
        this.list = next;
        this.error = undefined;
        if (changed) this.changed.fire();
      } catch (err) {
        this.error = (err as Error).message;
        this.changed.fire();
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  getChildren(element?: ProcessNode): ProcessNode[] {
    if (element) return [];
    if (this.error) return [{ kind: 'note', label: `Could not list processes: ${this.error}`, icon: 'error' }];
    if (!this.list) {
      void this.refresh();
      return [{ kind: 'note', label: 'Looking for Node processes…', icon: 'loading~spin' }];
    }
    if (!this.list.length) {
      return [{ kind: 'note', label: 'No Node process running', icon: 'info', tooltip: 'Start your service (e.g. `npm run dev`, or `npx perflab demo`); it shows up here within a few seconds.' }];
    }
    return this.list.map((info) => ({ kind: 'process', info }));
  }

  getTreeItem(node: ProcessNode): vscode.TreeItem {
    if (node.kind === 'note') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.tooltip = node.tooltip;
      return item;
    }
    const { info } = node;
    const attached = this.profiler.attachedPid === info.pid;
    const item = new vscode.TreeItem(processLabel(info), vscode.TreeItemCollapsibleState.None);
    item.id = `process:${info.pid}`;
    const where = info.cwd ? path.basename(info.cwd) : undefined;
    const inspector = attached ? 'attached' : info.inspector ? `inspector ${info.inspector.bound.host}:${info.inspector.bound.port}` : undefined;
    item.description = [`pid ${info.pid}`, where, inspector].filter(Boolean).join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(info.command);
    tooltip.appendMarkdown('\n\n');
    if (info.cwd) tooltip.appendText(`in ${info.cwd}\n\n`);
    tooltip.appendText(
      attached
        ? `Attached: ${this.profiler.attachedDescription}`
        : info.inspector
          ? `Inspector open on ${info.inspector.bound.host}:${info.inspector.bound.port}`
          : 'Inspector closed: attaching opens it (SIGUSR1) on loopback and closes it again on detach.',
    );
    item.tooltip = tooltip;
    item.contextValue = attached ? ItemContext.processAttached : ItemContext.process;
    item.iconPath = new vscode.ThemeIcon(attached ? 'debug-alt' : 'server-process');
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
