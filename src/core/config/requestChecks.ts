/**
 * What the requests of a config may hold, checked before anything is sent: templates that
 * compile (as the runner will compile them), and no control characters where HTTP would read
 * them as structure. A CR or LF in a header value or a path would end the line on the wire and
 * let the config inject a header of its own; a header name must be an RFC 7230 token.
 */

import { quoted } from './echo';
import type { ProblemInput, Segment } from './locate';
import { compileTemplate, TemplateError } from './templates';

type Obj = Record<string, unknown>;

/** RFC 7230 `token`: the characters a header name (and a method) may have. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const CONTROL_NAMES: Record<number, string> = { 0x00: 'NUL', 0x09: 'a tab', 0x0a: 'a line break (LF)', 0x0d: 'a line break (CR)', 0x7f: 'DEL' };

/**
 * The first control character of `text` (C0 or DEL; a tab only when `tab` is false), described.
 * The HTTP runner applies the same check to every request it builds at run time.
 */
export function controlChar(text: string, tab: boolean): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && !(tab && c === 0x09)) || c === 0x7f) {
      return `${CONTROL_NAMES[c] ?? `the control character U+${c.toString(16).toUpperCase().padStart(4, '0')}`} at character ${i + 1}`;
    }
  }
  return undefined;
}

/** Header names and values of a `headers` object (a target's or a request's). */
export function checkHeaders(out: ProblemInput[], at: Segment[], raw: unknown): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
  for (const [name, value] of Object.entries(raw as Obj)) {
    const path = [...at, name];
    if (!TOKEN.test(name)) {
      const control = controlChar(name, false);
      out.push({
        path, anchor: 'key', code: 'header-name',
        message: `header name ${quoted(name)} ${control ? `contains ${control}` : 'is not a valid HTTP header name'}`,
        hint: 'use letters, digits and - _ . ! # $ % & \' * + ^ ` | ~ only, e.g. "X-Request-Id" (no spaces, colons or line breaks)',
      });
    }
    const control = typeof value === 'string' ? controlChar(value, true) : undefined;
    if (control) {
      out.push({
        path, code: 'header-value', message: `header value contains ${control}`,
        hint: 'remove it and keep the value on one line: a line break in a header value would end the header and start another on the wire',
      });
    }
  }
}

/** Method, path, headers and templates of one scenario's `request`. */
export function checkRequest(out: ProblemInput[], at: Segment[], raw: unknown): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
  const req = raw as Obj;
  if (typeof req.path === 'string') {
    const control = controlChar(req.path, false);
    if (control) {
      out.push({
        path: [...at, 'path'], code: 'pattern', message: `path contains ${control}`,
        hint: 'remove it, or percent-encode it (e.g. %0A); a raw control character would break the request line on the wire',
      });
    } else if (/\s/.test(req.path)) {
      out.push({ path: [...at, 'path'], code: 'pattern', message: `path ${quoted(req.path)} contains whitespace`, hint: 'encode spaces as %20, or move values to "query"' });
    }
  }
  checkHeaders(out, [...at, 'headers'], req.headers);
  checkTemplates(out, at, req);
}

/** Every string the runner compiles as a template, compiled the same way. */
function checkTemplates(out: ProblemInput[], at: Segment[], req: Obj): void {
  const check = (value: unknown, path: Segment[]) => checkTemplate(out, value, path);
  check(req.path, [...at, 'path']);
  check(req.body, [...at, 'body']);
  for (const key of ['query', 'headers'] as const) {
    const values = req[key];
    if (typeof values === 'object' && values !== null && !Array.isArray(values)) {
      for (const [name, value] of Object.entries(values as Obj)) check(value, [...at, key, name]);
    }
  }
  checkJsonTemplates(out, [...at, 'json'], req.json);
}

/** Every string of a JSON value templated as the runners render it (an HTTP body, a BullMQ job's data), however deep. */
export function checkJsonTemplates(out: ProblemInput[], at: Segment[], json: unknown): void {
  const walk = (value: unknown, path: Segment[]): void => {
    if (typeof value === 'string') checkTemplate(out, value, path);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value as Obj)) walk(v, [...path, k]);
  };
  walk(json, at);
}

function checkTemplate(out: ProblemInput[], value: unknown, path: Segment[]): void {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return;
  try {
    compileTemplate(String(value), path.join('.'));
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    out.push({ path, code: 'template', message: err.reason, hint: err.hint });
  }
}
