/**
 * Values quoted back in messages, bounded: a 5 MB string in a config must not become a 10 MB
 * error line. Long values keep their first characters and say how big they were:
 * `"xxxxxxxx…" (5 MB)`. Strings are JSON-quoted, so a line break in a value cannot break the
 * one-line message either.
 */

/** How much of a value a message quotes. */
export const ECHO_CHARS = 60;

/** A string in double quotes (JSON escapes), cut after {@link ECHO_CHARS} characters. */
export function quoted(text: string, max = ECHO_CHARS): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max)).slice(0, -1)}…" (${sizeOf(text)})`;
}

/** Any value as JSON text (strings quoted), cut the same way; `undefined` for a value JSON cannot write. */
export function echo(value: unknown, max = ECHO_CHARS): string {
  if (typeof value === 'string') return quoted(value, max);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) return String(value);
  return json.length <= max ? json : `${json.slice(0, max)}… (${sizeOf(json)})`;
}

/** Text without quotes, cut the same way (for names already set off by the message). */
export function clipped(text: string, max = ECHO_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${sizeOf(text)})`;
}

function sizeOf(text: string): string {
  const bytes = Buffer.byteLength(text);
  if (bytes >= 1 << 20) return `${Math.round(bytes / (1 << 20))} MB`;
  if (bytes >= 1 << 10) return `${Math.round(bytes / (1 << 10))} KB`;
  return `${bytes} bytes`;
}
