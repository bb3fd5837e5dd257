import * as path from 'node:path';
import * as vscode from 'vscode';
import { readSetting } from './contributions';

/**
 * Where PerfLab's files are for the open workspace: the config file and the runs folder, both
 * from settings, relative to one workspace folder. In a multi-root workspace that is the first
 * folder that holds a config (each folder may set its own `perflab.configFile`), else the first
 * folder, where "Init Config" writes a new one. {@link refresh} finds it again when folders or
 * files change; until the first refresh the first folder stands in.
 */
export class PerfLabWorkspace implements vscode.Disposable {
  private chosen: vscode.WorkspaceFolder | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** The folder PerfLab uses changed: its config and runs are other files now. */
  readonly onDidChangeFolder = this.changed.event;

  get folder(): vscode.WorkspaceFolder | undefined {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const chosen = this.chosen && folders.find((f) => f.uri.toString() === this.chosen!.uri.toString());
    return chosen ?? folders[0];
  }

  get configPath(): string | undefined {
    const folder = this.folder;
    return folder && configPathOf(folder);
  }

  get runsPath(): string | undefined {
    const folder = this.folder;
    return folder && path.resolve(folder.uri.fsPath, readSetting('runsDirectory', folder.uri));
  }

  /** Every folder's config path, for watching them all (a config may appear in any folder). */
  configPaths(): { folder: vscode.WorkspaceFolder; file: string }[] {
    return (vscode.workspace.workspaceFolders ?? []).map((folder) => ({ folder, file: configPathOf(folder) }));
  }

  /** Looks for the folder holding a config again; resolves true when the choice changed. */
  async refresh(): Promise<boolean> {
    const before = this.folder?.uri.toString();
    this.chosen = await firstWith(vscode.workspace.workspaceFolders ?? [], async (folder) => {
      try {
        const stat = await vscode.workspace.fs.stat(vscode.Uri.file(configPathOf(folder)));
        return (stat.type & vscode.FileType.File) !== 0;
      } catch {
        return false;
      }
    });
    const changed = this.folder?.uri.toString() !== before;
    if (changed) this.changed.fire();
    return changed;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function configPathOf(folder: vscode.WorkspaceFolder): string {
  return path.resolve(folder.uri.fsPath, readSetting('configFile', folder.uri));
}

/** The first item (in order) for which `test` holds; the tests run side by side. */
export async function firstWith<T>(items: readonly T[], test: (item: T) => Promise<boolean>): Promise<T | undefined> {
  const results = await Promise.all(items.map(test));
  return items[results.indexOf(true)];
}
