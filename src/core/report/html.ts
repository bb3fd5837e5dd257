/**
 * One self-contained HTML file of a PerfLab page (the run page, the flame graph): the page's own
 * bundle and stylesheet inline, its data as `<script type="application/json">`, which the page
 * reads with `textContent` and never runs (webview/shared/messaging.ts). It opens offline in any
 * browser: the policy allows nothing but its own nonce'd script and style, and no network.
 */
import { STANDALONE_THEME_CSS } from './htmlTheme';

export interface StandalonePage {
  title: string;
  /** dist/webview/<entry>.js and .css, as built. */
  script: string;
  style: string;
  /** The EmbeddedData of webview/shared/messaging.ts. */
  data: unknown;
  /** A fresh random value (base64), for the policy. */
  nonce: string;
}

/** Its own inline script and style (by nonce), images as data URLs, nothing from the network. */
function policy(nonce: string): string {
  return `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
}

/**
 * Escapes text for element content and double-quoted attribute values (the only kinds PerfLab's
 * pages write: this export and the webviews' shell, src/views/webviewHtml.ts), so a policy's
 * `'none'` stays readable in the page source.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESCAPES[c] ?? c);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * JSON that cannot end its `<script>` element or open a comment in it: every `<` (and the line
 * separators JavaScript once treated as line ends) as a JSON escape, which JSON.parse reads back.
 */
export function embeddedJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function standaloneHtml(page: StandalonePage): string {
  // A bundle's text could contain `</script` or `</style` (in a string): written so the element does not end there.
  const script = page.script.replace(/<\/(script)/gi, '<\\/$1');
  const style = page.style.replace(/<\/(style)/gi, '<\\/$1');
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy(page.nonce))}">\n` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(page.title)}</title>\n` +
    `<style nonce="${escapeHtml(page.nonce)}">\n${STANDALONE_THEME_CSS}\n${style}\n</style>\n` +
    '</head>\n<body>\n<main id="app"></main>\n' +
    `<script type="application/json" id="perflab-data">${embeddedJson(page.data)}</script>\n` +
    `<script nonce="${escapeHtml(page.nonce)}">\n${script}\n</script>\n` +
    '</body>\n</html>\n'
  );
}
