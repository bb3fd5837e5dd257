import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigProblem, PerfLabConfig } from '../core/config';
import type { PerfLabFolder } from './folders';

/** The config as the editor sees it: the parsed profiles and every problem found. */
export interface ConfigState {
  file: string | undefined;
  exists: boolean;
  config: PerfLabConfig | undefined;
  problems: ConfigProblem[];
}

const EMPTY: ConfigState = { file: undefined, exists: false, config: undefined, problems: [] };

/**
 * Loads and validates the PerfLab config of one workspace folder, follows it as it changes (on
 * disk and while it is edited, before saving) and mirrors its problems into the Problems panel.
 */
export class ConfigService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ConfigState>();
  readonly onDidChange = this.changed.event;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('perflab');
  private readonly disposables: vscode.Disposable[] = [this.changed, this.diagnostics];
  private watcher: vscode.FileSystemWatcher | undefined;
  private state: Promise<ConfigState> | undefined;
  private editTimer: NodeJS.Timeout | undefined;
  private loggedFile: string | undefined;

  constructor(
    private readonly folder: PerfLabFolder,
    private readonly log: vscode.LogOutputChannel,
    /** Called with every state loaded (the workspace's `perflab.hasConfig` follows it). */
    private readonly onState: () => void,
  ) {
    this.watch();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('perflab.configFile', folder.folder.uri)) {
          this.watch();
          this.reload();
        }
      }),
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (this.isConfigFile(doc.uri)) this.reload(); // unsaved edits were dropped: back to what is on disk
      }),
    );
  }

  /** The current state; loads it on first use. Never rejects. */
  current(): Promise<ConfigState> {
    this.state ??= this.load();
    return this.state;
  }

  /** Reads the file again and tells listeners. */
  reload(): Promise<ConfigState> {
    this.state = this.load();
    void this.state.then((s) => this.changed.fire(s));
    return this.state;
  }

  /** Watches the folder's config path: the file may appear, change or go. */
  private watch(): void {
    this.watcher?.dispose();
    const reload = () => void this.reload();
    const { folder } = this.folder;
    this.watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(folder, path.relative(folder.uri.fsPath, this.folder.configPath).split(path.sep).join('/')),
    );
    this.watcher.onDidCreate(reload);
    this.watcher.onDidChange(reload);
    this.watcher.onDidDelete(reload);
  }

  /** Whether `uri` is the config file PerfLab reads in this folder. */
  isConfigFile(uri: vscode.Uri): boolean {
    return uri.scheme === 'file' && path.resolve(uri.fsPath) === this.folder.configPath;
  }

  private onEdit(doc: vscode.TextDocument): void {
    if (!this.isConfigFile(doc.uri)) return;
    clearTimeout(this.editTimer);
    this.editTimer = setTimeout(() => {
      this.state = this.validateText(doc.getText(), doc.uri.fsPath);
      void this.state.then((s) => this.changed.fire(s));
    }, 250);
  }

  private async load(): Promise<ConfigState> {
    const file = this.folder.configPath;
    const open = vscode.workspace.textDocuments.find((d) => this.isConfigFile(d.uri) && d.isDirty);
    if (open) return this.validateText(open.getText(), file);
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(file));
      return this.validateText(bytes, file);
    } catch {
      return this.publish({ ...EMPTY, file });
    }
  }

  /** Validates the editor's text of the config, or its bytes on disk (where the encoding is checked too). */
  private async validateText(source: string | Uint8Array, file: string): Promise<ConfigState> {
    try {
      // The loader (schema validation included) is loaded on first use, not at activation.
      const { parseConfigBytes, parseConfigText } = await import('../core/config');
      const { config, problems } = typeof source === 'string' ? parseConfigText(source, file) : parseConfigBytes(source, file);
      return this.publish({ file, exists: true, config, problems });
    } catch (err) {
      // Not the user's mistake, but it must not look like a missing or empty config either.
      this.log.error(`Checking ${file} failed: ${(err as Error).stack ?? String(err)}`);
      const problem: ConfigProblem = {
        file,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        path: '',
        message: `PerfLab could not check this config: ${(err as Error).message}`,
        hint: 'see the PerfLab output channel for details, and report it if it persists',
        severity: 'error',
        code: 'internal',
      };
      return this.publish({ file, exists: true, config: undefined, problems: [problem] });
    }
  }

  private publish(state: ConfigState): ConfigState {
    if (state.exists && state.file !== this.loggedFile) {
      this.loggedFile = state.file;
      this.log.info(`Config: ${state.file}`);
    }
    this.onState();
    this.diagnostics.clear();
    if (state.file && state.problems.length) {
      this.diagnostics.set(vscode.Uri.file(state.file), state.problems.map(toDiagnostic));
    }
    return state;
  }

  dispose(): void {
    clearTimeout(this.editTimer);
    this.watcher?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

export function problemRange(p: ConfigProblem): vscode.Range {
  const start = new vscode.Position(Math.max(0, p.line - 1), Math.max(0, p.column - 1));
  const end = p.endLine ? new vscode.Position(Math.max(0, p.endLine - 1), Math.max(0, (p.endColumn ?? p.column) - 1)) : start;
  return new vscode.Range(start, end.isAfter(start) ? end : start.translate(0, 1));
}

function toDiagnostic(p: ConfigProblem): vscode.Diagnostic {
  const severity = p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error;
  const message = p.path ? `${p.path}: ${p.message} — ${p.hint}` : `${p.message} — ${p.hint}`;
  const diagnostic = new vscode.Diagnostic(problemRange(p), message, severity);
  diagnostic.source = 'PerfLab';
  return diagnostic;
}
