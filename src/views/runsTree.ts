import * as vscode from 'vscode';
import { BaselineItemSuffix, Commands, ItemContext } from '../constants';
import type { RunRecord } from '../core/runRecord';
import { formatDateTime, formatDuration, formatActual } from '../core/format';
import { kindOf } from '../runners/registry';
import type { Folders, PerfLabFolder } from './folders';
import { comparisonOutcome, runDescription } from './runText';
import { FollowingTree } from './tree';

/** A row of the Runs view: a run, or a workspace folder heading its runs (when several folders have runs or a config). */
export type RunsNode = RunRecord | { kind: 'folder'; folder: PerfLabFolder };

/**
 * The Runs view: the store's history, newest first, one item per run; each profile's saved
 * baseline says so. In a multi-root workspace where more than one folder has a config or runs,
 * each folder's runs are under the folder. A run item is its record (the run commands take it).
 */
export class RunsTreeProvider extends FollowingTree<RunsNode> {
  /** Each folder's saved baselines (by folder key), as read with the listing the tree shows. */
  private baselines = new Map<string, Record<string, string>>();
  /** The folder of each run shown, by run id. */
  private folderOf = new Map<string, PerfLabFolder>();

  constructor(private readonly folders: Folders) {
    super(folders.onDidChangeRuns);
  }

  async getChildren(element?: RunsNode): Promise<RunsNode[]> {
    if (element && !('kind' in element && element.kind === 'folder')) return [];
    if (element) return this.runsOf(element.folder);
    const all = this.folders.all();
    const shown = await Promise.all(all.map(async (f) => (await f.hasConfig()) || (await f.runs.runs()).length > 0));
    const folders = all.filter((_, i) => shown[i]);
    if (folders.length > 1) return folders.map((folder) => ({ kind: 'folder', folder }));
    return folders[0] ? this.runsOf(folders[0]) : [];
  }

  private async runsOf(folder: PerfLabFolder): Promise<RunRecord[]> {
    const [runs, baselines] = await Promise.all([folder.runs.runs(), folder.runs.baselines()]);
    // Only a baseline whose run is there, and of its own profile, counts.
    this.baselines.set(folder.key, Object.fromEntries(Object.entries(baselines).filter(([profile, id]) => runs.some((r) => r.id === id && r.profile === profile))));
    for (const run of runs) this.folderOf.set(run.id, folder);
    return runs;
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if ('kind' in node && node.kind === 'folder') {
      const item = new vscode.TreeItem(node.folder.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `folder:${node.folder.key}`;
      item.description = vscode.workspace.asRelativePath(node.folder.runsPath, true);
      item.tooltip = `The runs saved in ${node.folder.runsPath}`;
      item.iconPath = vscode.ThemeIcon.Folder;
      item.contextValue = ItemContext.runFolder;
      return item;
    }
    const run = node as RunRecord;
    const folder = this.folderOf.get(run.id);
    const saved = (folder && this.baselines.get(folder.key)?.[run.profile]) || undefined;
    const baseline = saved === run.id;
    const item = new vscode.TreeItem(run.profile, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.id}`; // unique across folders: a run id holds a random part
    item.description = runDescription(run, undefined, baseline);
    item.contextValue = runContext(run) + (baseline ? BaselineItemSuffix.baseline : saved ? BaselineItemSuffix.withBaseline : '');
    item.iconPath = runIcon(run);
    item.tooltip = runTooltip(run, baseline);
    item.command = { command: Commands.openRun, title: 'Open Run Report', arguments: [run.id] };
    return item;
  }
}

export function runOutcome(run: RunRecord): 'passed' | 'failed' | 'cancelled' | 'error' {
  if (run.status === 'cancelled') return 'cancelled';
  if (run.status === 'failed') return 'error';
  return run.pass ? 'passed' : 'failed';
}

function runContext(run: RunRecord): string {
  switch (runOutcome(run)) {
    case 'passed':
      return ItemContext.runPassed;
    case 'cancelled':
      return ItemContext.runCancelled;
    case 'error':
      return ItemContext.runErrored;
    default:
      return ItemContext.runFailed;
  }
}

function runIcon(run: RunRecord): vscode.ThemeIcon {
  switch (runOutcome(run)) {
    case 'passed':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'cancelled':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconSkipped'));
    case 'error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconErrored'));
    default:
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  }
}

function runTooltip(run: RunRecord, baseline: boolean): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(run.profile)}** (${run.type}) — ${runOutcome(run).toUpperCase()}\n\n`);
  if (baseline) md.appendMarkdown(`$(pinned) The saved baseline of ${escape(run.profile)}: runs of it started in the editor are compared with this one\n\n`);
  md.appendMarkdown(`Started ${formatDateTime(run.startedAt)}, took ${formatDuration(run.durationMs)}\n\n`);
  const failed = run.thresholds.filter((t) => !t.pass);
  if (run.thresholds.length) md.appendMarkdown(`Thresholds: ${run.thresholds.length - failed.length}/${run.thresholds.length} passed\n\n`);
  for (const t of failed.slice(0, 5)) md.appendMarkdown(`- $(error) \`${escape(t.metric)} ${escape(t.limit)}\`: ${formatActual(t, kindOf(run.type).words.rateUnit)}\n`);
  if (run.comparison) md.appendMarkdown(`\n${run.comparison.pass ? '$(pass)' : '$(error)'} ${escape(comparisonOutcome(run.comparison))}\n`);
  if (run.error) md.appendMarkdown(`\n$(warning) ${escape(run.error)}\n`);
  md.appendMarkdown(`\n\`${run.id}\``);
  return md;
}

/** Run and profile names come from files: keep them from being read as markdown or links. */
function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}
