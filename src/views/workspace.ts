import * as path from 'node:path';
import * as vscode from 'vscode';
import { readSetting } from './contributions';

/**
 * Where PerfLab's files are for the open workspace: the config file and the runs folder, both
 * from settings, relative to the first workspace folder (the one holding a config, if any).
 */
export class PerfLabWorkspace {
  get folder(): vscode.WorkspaceFolder | undefined {
    const folders = vscode.workspace.workspaceFolders ?? [];
    return folders[0];
  }

  get configPath(): string | undefined {
    const folder = this.folder;
    return folder && path.resolve(folder.uri.fsPath, readSetting('configFile', folder.uri));
  }

  get runsPath(): string | undefined {
    const folder = this.folder;
    return folder && path.resolve(folder.uri.fsPath, readSetting('runsDirectory', folder.uri));
  }
}
