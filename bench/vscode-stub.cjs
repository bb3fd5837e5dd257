// Just enough of the `vscode` API for activate() to run outside the editor, so the bench measures
// PerfLab's own activation cost (module load + activate) without the editor's noise.
'use strict';
const noop = () => {};
const disposable = () => ({ dispose: noop });
class EventEmitter {
  constructor() { this.listeners = []; this.event = (l) => { this.listeners.push(l); return disposable(); }; }
  fire(v) { for (const l of this.listeners) l(v); }
  dispose() { this.listeners = []; }
}
class Uri {
  constructor(fsPath) { this.fsPath = fsPath; this.scheme = 'file'; }
  static file(p) { return new Uri(p); }
  static joinPath(u, ...parts) { return new Uri(require('node:path').join(u.fsPath, ...parts)); }
  toString() { return 'file://' + this.fsPath; }
}
const watcher = () => ({ onDidCreate: disposable, onDidChange: disposable, onDidDelete: disposable, dispose: noop });
class Disposable {
  constructor(fn) { this.dispose = fn; }
  static from(...items) { return new Disposable(() => items.forEach((d) => d.dispose())); }
}
module.exports = {
  EventEmitter, Uri, Disposable,
  RelativePattern: class { constructor(base, pattern) { this.base = base; this.pattern = pattern; } },
  ThemeIcon: class { constructor(id, color) { this.id = id; this.color = color; } },
  ThemeColor: class { constructor(id) { this.id = id; } },
  TreeItem: class { constructor(label, state) { this.label = label; this.collapsibleState = state; } },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  DiagnosticSeverity: { Error: 0, Warning: 1 },
  window: {
    createOutputChannel: () => ({ info: noop, warn: noop, error: noop, appendLine: noop, dispose: noop }),
    createTreeView: () => ({ dispose: noop }),
    createStatusBarItem: () => ({ show: noop, hide: noop, dispose: noop }),
    registerCustomEditorProvider: disposable,
    registerWebviewPanelSerializer: disposable,
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
  languages: { createDiagnosticCollection: () => ({ set: noop, clear: noop, dispose: noop }) },
  workspace: {
    workspaceFolders: [{ uri: Uri.file(process.cwd()), name: 'bench', index: 0 }],
    textDocuments: [],
    getConfiguration: () => ({ get: () => undefined }),
    createFileSystemWatcher: watcher,
    onDidChangeConfiguration: disposable,
    onDidChangeTextDocument: disposable,
    onDidCloseTextDocument: disposable,
    onDidChangeWorkspaceFolders: disposable,
    fs: { readFile: () => Promise.reject(new Error('no file')) },
  },
  commands: { registerCommand: disposable, executeCommand: () => Promise.resolve() },
};
