import * as path from 'node:path';
import * as vscode from 'vscode';
import { ContextKeys } from '../constants';
import type { RunRecord } from '../core/runRecord';
import { ConfigService } from './configService';
import { readSetting, setContext } from './contributions';
import { RunService } from './runService';

/**
 * One workspace folder as PerfLab sees it: its config file and its runs folder, both from the
 * folder's settings (`perflab.configFile`, `perflab.runsDirectory`), each followed by a service of
 * its own. Profiles, runs and baselines belong to a folder.
 */
export class PerfLabFolder implements vscode.Disposable {
  readonly config: ConfigService;
  readonly runs: RunService;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    log: vscode.LogOutputChannel,
    onConfig: (folder: PerfLabFolder) => void,
  ) {
    this.config = new ConfigService(this, log, () => onConfig(this));
    this.runs = new RunService(this, log);
  }

  get name(): string {
    return this.folder.name;
  }

  /** The folder's URI as a string: the part of a view item's id that keeps folders apart. */
  get key(): string {
    return this.folder.uri.toString();
  }

  get configPath(): string {
    return path.resolve(this.folder.uri.fsPath, readSetting('configFile', this.folder.uri));
  }

  get runsPath(): string {
    return path.resolve(this.folder.uri.fsPath, readSetting('runsDirectory', this.folder.uri));
  }

  /** Whether the folder's config file is there (loading it if it was not loaded yet). */
  async hasConfig(): Promise<boolean> {
    return (await this.config.current()).exists;
  }

  dispose(): void {
    this.config.dispose();
    this.runs.dispose();
  }
}

/** A run and the folder whose runs folder holds it. */
export interface FolderRun {
  run: RunRecord;
  folder: PerfLabFolder;
}

/**
 * The workspace's folders, each a {@link PerfLabFolder}, kept in the workspace's order as folders
 * are added and removed. In a multi-root workspace every folder with a config has its own
 * profiles and runs; the views group by folder when more than one has a config.
 */
export class Folders implements vscode.Disposable {
  private entries: PerfLabFolder[] = [];
  private readonly configChanged = new vscode.EventEmitter<PerfLabFolder | undefined>();
  /** A folder's config changed (the folder), or the set of folders did (undefined). */
  readonly onDidChangeConfig = this.configChanged.event;
  private readonly runsChanged = new vscode.EventEmitter<void>();
  /** A folder's runs or baselines changed, or the set of folders did. */
  readonly onDidChangeRuns = this.runsChanged.event;
  private readonly disposables: vscode.Disposable[] = [this.configChanged, this.runsChanged];
  private listeners: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.sync();
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.foldersChanged()));
  }

  /** Every workspace folder, in the workspace's order. */
  all(): readonly PerfLabFolder[] {
    return this.entries;
  }

  /** The folders whose config file is there, in order. */
  async configured(): Promise<PerfLabFolder[]> {
    const has = await Promise.all(this.entries.map((f) => f.hasConfig()));
    return this.entries.filter((_, i) => has[i]);
  }

  /**
   * The folder a command without one uses: the first with a config, else the first folder
   * (where Init Config writes one); undefined with no folder open.
   */
  async primary(): Promise<PerfLabFolder | undefined> {
    return (await this.configured())[0] ?? this.entries[0];
  }

  /** Whether the views group by folder: more than one folder has a config. */
  async grouped(): Promise<boolean> {
    return (await this.configured()).length > 1;
  }

  /** The folder whose config file `uri` is. */
  ofConfigFile(uri: vscode.Uri): PerfLabFolder | undefined {
    return this.entries.find((f) => f.config.isConfigFile(uri));
  }

  /** Every folder's runs, newest first, each with its folder. */
  async runs(): Promise<FolderRun[]> {
    const lists = await Promise.all(this.entries.map(async (folder) => (await folder.runs.runs()).map((run) => ({ run, folder }))));
    return lists.flat().sort((a, b) => b.run.startedAt.localeCompare(a.run.startedAt));
  }

  /** The run with this id and its folder, from the listings (run ids are unique across folders: they hold a random part). */
  async findRun(id: string): Promise<FolderRun | undefined> {
    return (await this.runs()).find((r) => r.run.id === id);
  }

  /** Reads every folder's config and runs again. */
  async reload(): Promise<void> {
    for (const f of this.entries) f.runs.refresh();
    await Promise.all(this.entries.map((f) => f.config.reload()));
  }

  private foldersChanged(): void {
    this.sync();
    this.configChanged.fire(undefined);
    this.runsChanged.fire();
    void this.updateContext();
  }

  /** Keeps an entry per workspace folder: the same entry for a folder that stays, a new one for a folder added. */
  private sync(): void {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const kept = new Map(this.entries.map((e) => [e.key, e]));
    this.entries = folders.map((folder) => {
      const existing = kept.get(folder.uri.toString());
      kept.delete(folder.uri.toString());
      return existing ?? new PerfLabFolder(folder, this.log, (f) => this.configLoaded(f));
    });
    for (const gone of kept.values()) gone.dispose();
    for (const l of this.listeners) l.dispose();
    this.listeners = this.entries.flatMap((e) => [
      e.config.onDidChange(() => this.configChanged.fire(e)),
      e.runs.onDidChange(() => this.runsChanged.fire()),
    ]);
  }

  private configLoaded(folder: PerfLabFolder): void {
    if (!this.entries.includes(folder)) return;
    void this.updateContext();
  }

  /** `perflab.hasConfig`: some folder has a config (the views' welcome content and menus read it). */
  private async updateContext(): Promise<void> {
    await setContext(ContextKeys.hasConfig, (await this.configured()).length > 0);
  }

  dispose(): void {
    for (const l of this.listeners) l.dispose();
    for (const e of this.entries) e.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
