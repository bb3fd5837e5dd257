import * as vscode from 'vscode';

/** A tree view that redraws whenever its source says it changed (the config, the run store). */
export abstract class FollowingTree<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listener: vscode.Disposable;

  constructor(onDidChange: vscode.Event<unknown>) {
    this.listener = onDidChange(() => this.changed.fire());
  }

  abstract getChildren(element?: T): vscode.ProviderResult<T[]>;
  abstract getTreeItem(element: T): vscode.TreeItem;

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}

/**
 * Calls `read` now and every `everyMs` while `view` is visible, never while it is hidden (a view
 * of live state: processes, the stack). Disposing stops it.
 */
export function whileVisible(view: vscode.TreeView<unknown>, everyMs: number, read: () => void): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const follow = (visible: boolean) => {
    clearInterval(timer);
    timer = undefined;
    if (!visible) return;
    read();
    timer = setInterval(read, everyMs);
  };
  follow(view.visible);
  const listener = view.onDidChangeVisibility((e) => follow(e.visible));
  return { dispose: () => (clearInterval(timer), listener.dispose()) };
}
