import * as vscode from 'vscode';
import { BaselineItemSuffix, Commands, ItemContext } from '../constants';
import type { RunRecord } from '../core/runRecord';
import { formatDateTime, formatDuration, formatActual } from '../core/format';
import { kindOf } from '../runners/registry';
import { comparisonOutcome, runDescription } from './runText';
import type { RunService } from './runService';
import { FollowingTree } from './tree';

/** The Runs view: the store's history, newest first, one item per run; each profile's saved baseline says so. */
export class RunsTreeProvider extends FollowingTree<RunRecord> {
  /** Each profile's saved baseline, as read with the listing the tree shows. */
  private baselines: Record<string, string> = {};

  constructor(private readonly runs: RunService) {
    super(runs.onDidChange);
  }

  async getChildren(element?: RunRecord): Promise<RunRecord[]> {
    if (element) return [];
    const [runs, baselines] = await Promise.all([this.runs.runs(), this.runs.baselines()]);
    // Only a baseline whose run is there, and of its own profile, counts.
    this.baselines = Object.fromEntries(Object.entries(baselines).filter(([profile, id]) => runs.some((r) => r.id === id && r.profile === profile)));
    return runs;
  }

  getTreeItem(run: RunRecord): vscode.TreeItem {
    const saved = this.baselines[run.profile];
    const baseline = saved === run.id;
    const item = new vscode.TreeItem(run.profile, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.id}`;
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
