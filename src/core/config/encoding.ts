/**
 * The bytes of a config file as text. A config is UTF-8 (a byte-order mark is fine). Windows
 * editors often save UTF-16, which would otherwise read as a syntax error on every character,
 * and a file in a legacy 8-bit encoding would silently turn its accents into U+FFFD.
 */

import type { ProblemInput } from './locate';

/** The text of a config file, or why it cannot be read as UTF-8 (with the text as far as it goes). */
export type Decoded = { ok: true; text: string } | { ok: false; problem: ProblemInput; text: string };

const UTF16_HINT = 'save it as UTF-8 (in VS Code: click the encoding in the status bar, "Save with Encoding", "UTF-8")';

/** Decodes a config file; says so when it is UTF-16 or not valid UTF-8. */
export function decodeConfig(bytes: Uint8Array): Decoded {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || looksUtf16(bytes)) {
    return { ok: false, text: '', problem: { path: [], span: { offset: 0, length: 0 }, code: 'encoding', message: 'the file is UTF-16', hint: UTF16_HINT } };
  }
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = text.indexOf('\uFFFD');
    return {
      ok: false, text,
      problem: {
        path: [], span: { offset: Math.max(0, at), length: 1 }, code: 'encoding', message: 'the file is not valid UTF-8 here',
        hint: 'save it as UTF-8 (it looks like another encoding, such as Latin-1 or Windows-1252)',
      },
    };
  }
  return { ok: true, text };
}

/**
 * UTF-16 without a byte-order mark: JSON text starts with ASCII (`{`, spaces, `/`), which
 * UTF-16 stores with a zero byte beside each character, on the same side every time.
 */
function looksUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 64) & ~1;
  if (n < 2) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0 && bytes[i + 1] !== 0) even++;
    else if (bytes[i] !== 0 && bytes[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  return even === pairs || odd === pairs;
}
