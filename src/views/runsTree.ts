import * as vscode from 'vscode';
import { Commands, ItemContext } from '../constants';
import type { RunRecord } from '../core/runRecord';
import { formatDateTime, formatDuration, formatActual } from '../core/format';
import { kindOf } from '../runners/registry';
import { runDescription } from './runText';
import type { RunService } from './runService';
import { FollowingTree } from './tree';

/** The Runs view: the store's history, newest first, one item per run. */
export class RunsTreeProvider extends FollowingTree<RunRecord> {
  constructor(private readonly runs: RunService) {
    super(runs.onDidChange);
  }

  getChildren(element?: RunRecord): Promise<RunRecord[]> | RunRecord[] {
    return element ? [] : this.runs.runs();
  }

  getTreeItem(run: RunRecord): vscode.TreeItem {
    const item = new vscode.TreeItem(run.profile, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.id}`;
    item.description = runDescription(run);
    item.contextValue = runContext(run);
    item.iconPath = runIcon(run);
    item.tooltip = runTooltip(run);
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

function runTooltip(run: RunRecord): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(run.profile)}** (${run.type}) — ${runOutcome(run).toUpperCase()}\n\n`);
  md.appendMarkdown(`Started ${formatDateTime(run.startedAt)}, took ${formatDuration(run.durationMs)}\n\n`);
  const failed = run.thresholds.filter((t) => !t.pass);
  if (run.thresholds.length) md.appendMarkdown(`Thresholds: ${run.thresholds.length - failed.length}/${run.thresholds.length} passed\n\n`);
  for (const t of failed.slice(0, 5)) md.appendMarkdown(`- $(error) \`${escape(t.metric)} ${escape(t.limit)}\`: ${formatActual(t, kindOf(run.type).words.rateUnit)}\n`);
  if (run.error) md.appendMarkdown(`\n$(warning) ${escape(run.error)}\n`);
  md.appendMarkdown(`\n\`${run.id}\``);
  return md;
}

/** Run and profile names come from files: keep them from being read as markdown or links. */
function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}
