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
