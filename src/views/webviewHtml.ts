/**
 * The HTML shell every PerfLab webview loads: a strict Content-Security-Policy, the stylesheets,
 * an empty `#app` and one nonce'd script. It carries no data — the page asks for it with `ready`
 * and the host answers by `postMessage` — so profiled names (untrusted input) never reach HTML.
 * VS Code-free: the panel classes and the webview test tier render the very same page.
 */
import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../core/report/html';

export { escapeHtml };

export interface WebviewHtmlOptions {
  /** Document title (escaped). */
  title: string;
  /** `webview.cspSource`, e.g. `https://*.vscode-cdn.net`; in tests, the test server's origin. */
  cspSource: string;
  /** A fresh value from {@link createNonce} per render. */
  nonce: string;
  /** `webview.asWebviewUri(...)` of the bundle, as a string. */
  scriptUri: string;
  styleUris: string[];
}

/** 16 random bytes, base64: unguessable, and valid as a CSP nonce. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The policy: nothing by default; images, styles and fonts from the webview's own origin; only our script. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return (
    `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource}; ` +
    `font-src ${cspSource}; script-src 'nonce-${nonce}';`
  );
}

export function renderWebviewHtml(options: WebviewHtmlOptions): string {
  const { title, cspSource, nonce, scriptUri, styleUris } = options;
  // Both end up inside the policy: a `;` would let them add directives of their own. Quoted
  // keywords are fine (code-server passes `'self' https://*.vscode-cdn.net`), except unsafe ones.
  const source = String.raw`(?:'(?!unsafe-)[a-z-]+'|[^\s;,'"<>]+)`;
  if (!new RegExp(`^${source}( ${source})*$`).test(cspSource)) {
    throw new Error(`Invalid cspSource for a webview policy: ${JSON.stringify(cspSource)}`);
  }
  if (!/^[A-Za-z0-9+/_=-]{16,}$/.test(nonce)) {
    throw new Error('Invalid nonce for a webview policy: use createNonce()');
  }
  const styles = styleUris.map((uri) => `  <link rel="stylesheet" href="${escapeHtml(uri)}">\n`).join('');
  return (
    '<!DOCTYPE html>\n' +
    '<html lang="en">\n' +
    '<head>\n' +
    '  <meta charset="utf-8">\n' +
    `  <meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(cspSource, nonce))}">\n` +
    '  <meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `  <title>${escapeHtml(title)}</title>\n` +
    styles +
    '</head>\n' +
    '<body>\n' +
    '  <main id="app"></main>\n' +
    `  <script nonce="${escapeHtml(nonce)}" src="${escapeHtml(scriptUri)}"></script>\n` +
    '</body>\n' +
    '</html>\n'
  );
}

