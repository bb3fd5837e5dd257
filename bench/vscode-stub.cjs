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
/**
 * What the stub does not spell out: a value that can be called, constructed and read from, and
 * gives itself back (`vscode.window.createTextEditorDecorationType(...)`, `OverviewRulerLane.Right`).
 * Enough for activate(), which only sets things up.
 */
const anything = new Proxy(function () {}, {
  get: (_t, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => 0 : anything),
  apply: () => anything,
  construct: () => anything,
});
const withFallback = (obj) => new Proxy(obj, {
  get: (t, key) => (key in t ? (t[key] && typeof t[key] === 'object' && !Array.isArray(t[key]) ? withFallback(t[key]) : t[key]) : anything),
});
module.exports = withFallback({
  EventEmitter, Uri, Disposable,
  RelativePattern: class { constructor(base, pattern) { this.base = base; this.pattern = pattern; } },
  ThemeIcon: class { constructor(id, color) { this.id = id; this.color = color; } },
  ThemeColor: class { constructor(id) { this.id = id; } },
  TreeItem: class { constructor(label, state) { this.label = label; this.collapsibleState = state; } },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  DiagnosticSeverity: { Error: 0, Warning: 1 },
  window: {
    createOutputChannel: () => ({ info: noop, warn: noop, error: noop, appendLine: noop, dispose: noop }),
    createTreeView: () => ({ dispose: noop, visible: false, onDidChangeVisibility: disposable }),
    createStatusBarItem: () => ({ show: noop, hide: noop, dispose: noop }),
    registerCustomEditorProvider: disposable,
    registerWebviewPanelSerializer: disposable,
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
  // esbuild's interop copies only the keys the module has: every top-level name the bundle reads at activation is here.
  OverviewRulerLane: { Left: 1, Center: 2, Right: 4, Full: 7 },
  DecorationRangeBehavior: { OpenOpen: 0, ClosedClosed: 1, OpenClosed: 2, ClosedOpen: 3 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  Position: class { constructor(line, character) { this.line = line; this.character = character; } },
  Range: class { constructor(...args) { this.args = args; } },
  Location: class { constructor(uri, range) { this.uri = uri; this.range = range; } },
  CodeLens: class { constructor(range, command) { this.range = range; this.command = command; } },
  TestMessage: class { constructor(message) { this.message = message; } },
  MarkdownString: class { constructor(value = '') { this.value = value; } appendMarkdown(v) { this.value += v; return this; } },
  languages: { createDiagnosticCollection: () => ({ set: noop, clear: noop, dispose: noop }), registerCodeLensProvider: disposable },
  tests: {
    createTestController: () => ({ createRunProfile: disposable, createTestItem: (id, label) => ({ id, label, children: { replace: noop } }), items: { replace: noop, forEach: noop }, dispose: noop }),
  },
  TestRunProfileKind: { Run: 1, Debug: 2, Coverage: 3 },
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
});
