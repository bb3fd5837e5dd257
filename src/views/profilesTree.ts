import * as vscode from 'vscode';
import { ItemContext } from '../constants';
import type { ConfigProblem, Profile } from '../core/config';
import type { Kind } from '../runners/kind';
import { KINDS } from '../runners/registry';
import { type ConfigState, problemRange } from './configService';
import type { Folders, PerfLabFolder } from './folders';
import { FollowingTree } from './tree';

/**
 * A row of the Profiles view: a workspace folder (when several have a config), a profile, a
 * detail line under it, or a config problem.
 */
export type ProfileNode =
  | { kind: 'folder'; folder: PerfLabFolder }
  | { kind: 'profile'; profile: Profile; file: string; folder: PerfLabFolder }
  | { kind: 'detail'; id: string; label: string; description?: string; icon: string }
  | { kind: 'problem'; problem: ConfigProblem; index: number; folder: PerfLabFolder };

/**
 * The Profiles view: the config's profiles, or its problems when it has any. In a multi-root
 * workspace with more than one config, each folder's under the folder.
 */
export class ProfilesTreeProvider extends FollowingTree<ProfileNode> {
  constructor(private readonly folders: Folders) {
    super(folders.onDidChangeConfig);
  }

  async getChildren(element?: ProfileNode): Promise<ProfileNode[]> {
    if (element?.kind === 'folder') return rootNodes(await element.folder.config.current(), element.folder);
    if (element) return element.kind === 'profile' ? profileDetails(element.profile, element.folder) : [];
    const configured = await this.folders.configured();
    if (configured.length > 1) return configured.map((folder): ProfileNode => ({ kind: 'folder', folder }));
    const [only] = configured;
    return only ? rootNodes(await only.config.current(), only) : [];
  }

  getTreeItem(node: ProfileNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `folder:${node.folder.key}`;
        item.description = vscode.workspace.asRelativePath(node.folder.configPath, true);
        item.tooltip = `The profiles of ${node.folder.configPath}`;
        item.iconPath = vscode.ThemeIcon.Folder;
        item.contextValue = ItemContext.profileFolder;
        return item;
      }
      case 'profile': {
        const { profile } = node;
        const item = new vscode.TreeItem(profile.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.folder.key}|profile:${profile.name}`;
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
        item.id = `${node.folder.key}|problem:${node.index}`;
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

function rootNodes(state: ConfigState, folder: PerfLabFolder): ProfileNode[] {
  if (!state.exists || !state.file) return []; // the view's welcome content explains what to do
  const file = state.file;
  const problems: ProfileNode[] = state.problems.map((problem, index) => ({ kind: 'problem', problem, index, folder }));
  const profiles = Object.values(state.config?.profiles ?? {}).map((profile): ProfileNode => ({ kind: 'profile', profile, file, folder }));
  return [...problems, ...profiles];
}

/** What the tree shows of a profile, in its kind's words (src/runners/<kind>/kind.ts). */
function outline(p: Profile): ReturnType<Kind['outline']> {
  return (KINDS[p.type] as unknown as Kind<string, Profile>).outline(p);
}

function profileDetails(p: Profile, folder: PerfLabFolder): ProfileNode[] {
  const id = `${folder.key}|profile:${p.name}`;
  const nodes: ProfileNode[] = outline(p).rows.map((row) => ({ kind: 'detail', ...row, id: `${id}:${row.id}` }));
  for (const t of p.thresholds) {
    nodes.push({ kind: 'detail', id: `${id}:threshold:${t.metric}`, label: t.metric, description: t.expression, icon: 'dashboard' });
  }
  return nodes;
}
