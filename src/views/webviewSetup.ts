import * as vscode from 'vscode';
import { createNonce, renderWebviewHtml } from './webviewHtml';

/**
 * Gives a webview PerfLab's page `entry` (dist/webview/<entry>.js and .css): scripts on, local
 * resources only from the built webview folder, the HTML shell of webviewHtml.ts.
 */
export function setUpWebview(webview: vscode.Webview, extensionUri: vscode.Uri, entry: string, title: string): void {
  const root = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  webview.options = { enableScripts: true, localResourceRoots: [root] };
  webview.html = renderWebviewHtml({
    title,
    cspSource: webview.cspSource,
    nonce: createNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, `${entry}.js`)).toString(),
    styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(root, `${entry}.css`)).toString()],
  });
}
