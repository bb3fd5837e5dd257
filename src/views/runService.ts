import * as vscode from 'vscode';
import type { RunRecord } from '../core/runRecord';
import { BASELINES_FILE, RunStore } from '../core/runStore';
import type { PerfLabFolder } from './folders';

/**
 * The run history of one workspace folder and each of its profiles' saved baseline, read from the store and
 * kept fresh by a watcher on `<runs>/*\/run.json` and `<runs>/baselines.json` (which `perflab
 * baseline` writes too). Unreadable records are logged, never shown as errors in the tree.
 */
export class RunService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private watcher: vscode.FileSystemWatcher | undefined;
  private listing: Promise<RunRecord[]> | undefined;
  private savedBaselines: Promise<Record<string, string>> | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly settingsListener: vscode.Disposable;

  constructor(
    private readonly folder: PerfLabFolder,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.watch();
    this.settingsListener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('perflab.runsDirectory', folder.folder.uri)) this.storeMoved();
    });
  }

  get store(): RunStore {
    return new RunStore(this.folder.runsPath);
  }

  /** Runs, newest first; cached until the store changes. */
  runs(): Promise<RunRecord[]> {
    this.listing ??= this.load();
    return this.listing;
  }

  /** Each profile's saved baseline run id; cached until the store changes. */
  baselines(): Promise<Record<string, string>> {
    this.savedBaselines ??= this.store.baselines();
    return this.savedBaselines;
  }

  /** Saves (or with `undefined` clears) `profile`'s baseline. */
  async setBaseline(profile: string, id: string | undefined): Promise<void> {
    await this.store.setBaseline(profile, id);
    this.refresh();
  }

  /** The runs folder is another one now: follow it. */
  private storeMoved(): void {
    this.watch();
    this.refresh();
  }

  refresh(): void {
    this.listing = undefined;
    this.savedBaselines = undefined;
    this.changed.fire();
  }

  async delete(id: string): Promise<void> {
    await this.store.delete(id);
    this.refresh();
  }

  private async load(): Promise<RunRecord[]> {
    const store = this.store;
    try {
      const { runs, warnings } = await store.list();
      for (const w of warnings) this.log.warn(w);
      return runs;
    } catch (err) {
      this.log.error(`Listing runs in ${store.root} failed: ${(err as Error).message}`);
      return [];
    }
  }

  private watch(): void {
    this.watcher?.dispose();
    const dir = this.folder.runsPath;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), `{*/run.json,${BASELINES_FILE}}`));
    // A run writes its record once at the end; several runs finishing together refresh once.
    const later = () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.refresh(), 200);
    };
    this.watcher.onDidCreate(later);
    this.watcher.onDidChange(later);
    this.watcher.onDidDelete(later);
  }

  dispose(): void {
    clearTimeout(this.debounce);
    this.watcher?.dispose();
    this.settingsListener.dispose();
    this.changed.dispose();
  }
}
