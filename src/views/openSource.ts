/**
 * Opens a profiled function's source at its line: a `file://` url or a path, in the editor. Node's
 * own modules and other urls have no file to open, which the error says (the page shows it).
 * The one answer to a page's `openSource` request: the flame view, the run page, the comparison page.
 */
import * as vscode from 'vscode';
import type { RequestParams } from '../protocol';
import { fileOfUrl } from '../runners/profiler/analysis/urls';

export async function openSource({ url, line, column }: RequestParams<'openSource'>): Promise<null> {
  const file = fileOfUrl(url);
  if (!file && url.startsWith('node:')) throw new Error(`${url} is part of Node.js: it has no source file here`);
  if (!file) throw new Error(`could not open ${url}: it is not a file on this machine`);
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  } catch {
    throw new Error(`could not open ${file}: not found`);
  }
  const at = new vscode.Position(Math.max(line - 1, 0), Math.max(column - 1, 0));
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at), preview: true });
  return null;
}
