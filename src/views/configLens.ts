/**
 * CodeLens above each profile of the config file: `▶ Run` and, for a kind that loads a target,
 * `Profile Under Load`. They follow the config as it is edited (the ConfigService validates the
 * unsaved text); while it has problems there are none, since its positions would be stale.
 */
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { KINDS } from '../runners/registry';
import type { Folders } from './folders';

export class ConfigLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly folders: Folders) {
    this.subscription = folders.onDidChangeConfig(() => this.changed.fire());
  }

  register(): vscode.Disposable {
    return vscode.languages.registerCodeLensProvider([{ scheme: 'file', language: 'json' }, { scheme: 'file', language: 'jsonc' }], this);
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    // The config file of a workspace folder; its lenses run its own profiles.
    const folder = this.folders.ofConfigFile(doc.uri);
    if (!folder) return [];
    const state = await folder.config.current();
    const lenses: vscode.CodeLens[] = [];
    for (const profile of Object.values(state.config?.profiles ?? {})) {
      const line = profile.source.line - 1;
      if (line >= doc.lineCount) continue;
      const range = new vscode.Range(line, 0, line, 0);
      lenses.push(new vscode.CodeLens(range, { title: '$(play) Run', tooltip: `Run ${profile.name}`, command: Commands.runProfile, arguments: [{ kind: 'profile', profile, folder }] }));
      if (!KINDS[profile.type].ownLoad) {
        lenses.push(new vscode.CodeLens(range, {
          title: '$(flame) Profile Under Load',
          tooltip: `Run ${profile.name} against a Node process while profiling its CPU`,
          command: Commands.profileUnderLoad,
          arguments: [{ kind: 'profile', profile, folder }],
        }));
      }
    }
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
