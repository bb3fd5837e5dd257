import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, createNonce, escapeHtml, renderWebviewHtml, type WebviewHtmlOptions } from './webviewHtml';

const options: WebviewHtmlOptions = {
  title: 'Run smoke',
  cspSource: 'https://*.vscode-cdn.net',
  nonce: 'n0nceN0nceN0nce+/AbCd==',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/run.js',
  styleUris: [
    'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/run.css',
    'https://file+.vscode-resource.vscode-cdn.net/ext/media/extra.css',
  ],
};

describe('createNonce', () => {
  it('returns 16 random bytes as base64, different every time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) {
      expect(nonce).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
    }
  });
});

describe('renderWebviewHtml', () => {
  const html = renderWebviewHtml(options);

  it('sets the strict policy with the webview source and the nonce', () => {
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src https://*.vscode-cdn.net data:; ` +
        `style-src https://*.vscode-cdn.net; font-src https://*.vscode-cdn.net; script-src 'nonce-n0nceN0nceN0nce+/AbCd==';">`,
    );
    expect(contentSecurityPolicy('x', 'y')).toBe(
      "default-src 'none'; img-src x data:; style-src x; font-src x; script-src 'nonce-y';",
    );
  });

  it('never allows inline code or styles', () => {
    expect(html).not.toContain('unsafe-inline');
    expect(html).not.toContain('unsafe-eval');
    expect(html).not.toMatch(/<style|style=/);
  });

  it('links the stylesheets in order and loads one nonce’d script into an empty #app', () => {
    const links = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]);
    expect(links).toEqual(options.styleUris);
    expect(html).toContain('<main id="app"></main>');
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual([`<script nonce="${options.nonce}" src="${options.scriptUri}">`]);
  });

  it('escapes the title and the URIs', () => {
    const page = renderWebviewHtml({
      ...options,
      title: '<img src=x onerror=alert(1)> & "quotes"',
      scriptUri: 'https://host/run.js?a=1&b="2"',
    });
    expect(page).toContain('<title>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;</title>');
    expect(page).toContain('src="https://host/run.js?a=1&amp;b=&quot;2&quot;"');
    expect(page).not.toContain('<img');
  });

  it('rejects sources and nonces that could add policy directives', () => {
    expect(() => renderWebviewHtml({ ...options, cspSource: "https://a; script-src 'unsafe-inline'" })).toThrow(/cspSource/);
    expect(() => renderWebviewHtml({ ...options, cspSource: '' })).toThrow(/cspSource/);
    expect(() => renderWebviewHtml({ ...options, cspSource: "'unsafe-inline'" })).toThrow(/cspSource/);
    expect(() => renderWebviewHtml({ ...options, cspSource: "'self' <script>" })).toThrow(/cspSource/);
    // What code-server passes.
    expect(renderWebviewHtml({ ...options, cspSource: "'self' https://*.vscode-cdn.net" })).toContain(
      "style-src 'self' https://*.vscode-cdn.net;",
    );
    expect(() => renderWebviewHtml({ ...options, nonce: "abc' 'unsafe-inline" })).toThrow(/nonce/);
    expect(() => renderWebviewHtml({ ...options, nonce: 'short' })).toThrow(/nonce/);
  });

  it('accepts several space-separated sources', () => {
    expect(renderWebviewHtml({ ...options, cspSource: 'https://a.example https://b.example' })).toContain(
      'style-src https://a.example https://b.example;',
    );
  });
});

describe('escapeHtml', () => {
  it('escapes markup characters', () => {
    expect(escapeHtml(`<a href="x">&</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });
});
