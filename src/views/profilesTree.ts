import * as vscode from 'vscode';
import { Commands, ItemContext } from '../constants';
import type { ConfigProblem } from '../core/config';
import { type ConfigState, type ConfigService, problemRange } from './configService';

/** A row of the Profiles view: a profile, a detail line under it, or a config problem. */
export type ProfileNode =
  | { kind: 'profile'; name: string; profile: ProfileLike }
  | { kind: 'detail'; id: string; label: string; description?: string; icon: string }
  | { kind: 'problem'; problem: ConfigProblem; index: number };

/** The parts of a parsed profile the tree shows; every profile type has them or lacks them safely. */
interface ProfileLike {
  type: string;
  target?: string;
  preset?: string;
  phases?: { name?: string; durationMs?: number; duration?: unknown; arrivalRate?: number; rampTo?: number; connections?: number }[];
  scenarios?: { name: string; weight?: number }[];
  operations?: string[];
  thresholds?: Record<string, unknown>;
}

/** The Profiles view: the config's profiles, or its problems when it has any. */
export class ProfilesTreeProvider implements vscode.TreeDataProvider<ProfileNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listener: vscode.Disposable;

  constructor(private readonly config: ConfigService) {
    this.listener = config.onDidChange(() => this.changed.fire());
  }

  async getChildren(element?: ProfileNode): Promise<ProfileNode[]> {
    if (element) return element.kind === 'profile' ? profileDetails(element.name, element.profile) : [];
    return rootNodes(await this.config.current());
  }

  getTreeItem(node: ProfileNode): vscode.TreeItem {
    switch (node.kind) {
      case 'profile': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `profile:${node.name}`;
        item.description = profileSummary(node.profile);
        item.contextValue = ItemContext.profile;
        item.iconPath = new vscode.ThemeIcon(PROFILE_ICONS[node.profile.type] ?? 'beaker');
        return item;
      }
      case 'detail': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        return item;
      }
      case 'problem': {
        const p = node.problem;
        const item = new vscode.TreeItem(p.message, vscode.TreeItemCollapsibleState.None);
        item.id = `problem:${node.index}`;
        item.description = `${p.path ? p.path + ' · ' : ''}line ${p.line}`;
        item.tooltip = `${p.file}:${p.line}:${p.column}\n${p.message}\n${p.hint}`;
        item.contextValue = ItemContext.configProblem;
        item.iconPath = new vscode.ThemeIcon(p.severity === 'warning' ? 'warning' : 'error');
        item.command = {
          command: 'vscode.open',
          title: 'Show Problem',
          arguments: [vscode.Uri.file(p.file), { selection: problemRange(p) }],
        };
        return item;
      }
    }
  }

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}

const PROFILE_ICONS: Record<string, string> = { http: 'globe', redis: 'database', bullmq: 'list-ordered' };

function rootNodes(state: ConfigState): ProfileNode[] {
  if (!state.exists) return []; // the view's welcome content explains what to do
  const problems: ProfileNode[] = state.problems.map((problem, index) => ({ kind: 'problem', problem, index }));
  const profiles = Object.entries((state.config?.profiles ?? {}) as Record<string, ProfileLike>).map(
    ([name, profile]): ProfileNode => ({ kind: 'profile', name, profile }),
  );
  return [...problems, ...profiles];
}

function profileSummary(p: ProfileLike): string {
  const parts = [p.type];
  if (p.target) parts.push(`→ ${p.target}`);
  if (p.preset) parts.push(`preset ${p.preset}`);
  if (p.phases?.length) parts.push(`${p.phases.length} phase${p.phases.length === 1 ? '' : 's'}`);
  if (p.operations?.length) parts.push(p.operations.join(', '));
  return parts.join(' · ');
}

function profileDetails(name: string, p: ProfileLike): ProfileNode[] {
  const nodes: ProfileNode[] = [];
  (p.phases ?? []).forEach((phase, i) => {
    const load =
      phase.connections !== undefined
        ? `${phase.connections} connections`
        : phase.rampTo !== undefined
          ? `${phase.arrivalRate}→${phase.rampTo}/s`
          : `${phase.arrivalRate}/s`;
    const duration = typeof phase.duration === 'string' ? phase.duration : phase.durationMs !== undefined ? `${phase.durationMs / 1000}s` : '';
    nodes.push({ kind: 'detail', id: `profile:${name}:phase:${i}`, label: phase.name ?? `phase ${i + 1}`, description: `${duration} · ${load}`, icon: 'history' });
  });
  for (const s of p.scenarios ?? []) {
    nodes.push({ kind: 'detail', id: `profile:${name}:scenario:${s.name}`, label: s.name, description: `weight ${s.weight ?? 1}`, icon: 'symbol-event' });
  }
  for (const [metric, limit] of Object.entries(p.thresholds ?? {})) {
    const text = typeof limit === 'string' ? limit : typeof limit === 'object' && limit && 'source' in limit ? String((limit as { source: unknown }).source) : '';
    nodes.push({ kind: 'detail', id: `profile:${name}:threshold:${metric}`, label: metric, description: text, icon: 'dashboard' });
  }
  return nodes;
}
