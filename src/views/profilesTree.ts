import * as vscode from 'vscode';
import { ItemContext } from '../constants';
import type { ConfigProblem, Profile } from '../core/config';
import type { Kind } from '../runners/kind';
import { KINDS } from '../runners/registry';
import { type ConfigState, type ConfigService, problemRange } from './configService';
import { FollowingTree } from './tree';

/** A row of the Profiles view: a profile, a detail line under it, or a config problem. */
export type ProfileNode =
  | { kind: 'profile'; profile: Profile; file: string }
  | { kind: 'detail'; id: string; label: string; description?: string; icon: string }
  | { kind: 'problem'; problem: ConfigProblem; index: number };

/** The Profiles view: the config's profiles, or its problems when it has any. */
export class ProfilesTreeProvider extends FollowingTree<ProfileNode> {
  constructor(private readonly config: ConfigService) {
    super(config.onDidChange);
  }

  async getChildren(element?: ProfileNode): Promise<ProfileNode[]> {
    if (element) return element.kind === 'profile' ? profileDetails(element.profile) : [];
    return rootNodes(await this.config.current());
  }

  getTreeItem(node: ProfileNode): vscode.TreeItem {
    switch (node.kind) {
      case 'profile': {
        const { profile } = node;
        const item = new vscode.TreeItem(profile.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `profile:${profile.name}`;
        item.description = outline(profile).summary;
        item.tooltip = profile.description;
        item.contextValue = ItemContext.profile;
        item.iconPath = new vscode.ThemeIcon(KINDS[profile.type].icon);
        const at = new vscode.Position(profile.source.line - 1, profile.source.column - 1);
        item.command = { command: 'vscode.open', title: 'Show in Config', arguments: [vscode.Uri.file(node.file), { selection: new vscode.Range(at, at) }] };
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
}

function rootNodes(state: ConfigState): ProfileNode[] {
  if (!state.exists || !state.file) return []; // the view's welcome content explains what to do
  const file = state.file;
  const problems: ProfileNode[] = state.problems.map((problem, index) => ({ kind: 'problem', problem, index }));
  const profiles = Object.values(state.config?.profiles ?? {}).map((profile): ProfileNode => ({ kind: 'profile', profile, file }));
  return [...problems, ...profiles];
}

/** What the tree shows of a profile, in its kind's words (src/runners/<kind>/kind.ts). */
function outline(p: Profile): ReturnType<Kind['outline']> {
  return (KINDS[p.type] as unknown as Kind<string, Profile>).outline(p);
}

function profileDetails(p: Profile): ProfileNode[] {
  const id = `profile:${p.name}`;
  const nodes: ProfileNode[] = outline(p).rows.map((row) => ({ kind: 'detail', ...row, id: `${id}:${row.id}` }));
  for (const t of p.thresholds) {
    nodes.push({ kind: 'detail', id: `${id}:threshold:${t.metric}`, label: t.metric, description: t.expression, icon: 'dashboard' });
  }
  return nodes;
}
