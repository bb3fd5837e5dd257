/**
 * Scenarios compiled for sending: templates parsed once, the request bytes of a template-free
 * scenario built once, and the expect checks ready to apply. Used on both threads: the runner
 * compiles once to report config errors before any load starts, the worker compiles again to send.
 */
import { METHODS } from 'node:http';
import { quoted } from '../../core/config/echo';
import { controlChar, TOKEN } from '../../core/config/requestChecks';
import type { Scenario } from '../../core/config/types';
import { compileTemplate, TemplateError, type CompiledTemplate, type RenderState } from '../../core/config/templates';

/** Where requests go, as the request builder needs it. */
export interface TargetInfo {
  /** `Host` header value, e.g. `127.0.0.1:3000`. */
  host: string;
  /** Path prefix of the base URL without a trailing slash (`''` for `http://h:p/`). */
  basePath: string;
  /** The target's headers, sent with every request (a scenario's own headers win). */
  headers: Record<string, string>;
}

/** One request, ready to be turned into bytes (or handed to autocannon). */
export interface RenderedRequest {
  method: string;
  /** Full request target: base path, path and query string. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface CompiledScenario {
  name: string;
  weight: number;
  /** True when every request of this scenario is the same. */
  isStatic: boolean;
  render(state: RenderState): RenderedRequest;
  /** Status accepted by `expect.status` (default any 2xx or 3xx). */
  statusOk(status: number): boolean;
  /** `expect.bodyContains`, when the body has to be read. */
  bodyContains?: string;
}

export type Part = string | ((state: RenderState) => string);

/** Compiles the scenarios of a profile; throws a TemplateError naming the scenario and field. */
export function compileScenarios(scenarios: readonly Scenario[], target: TargetInfo): CompiledScenario[] {
  return scenarios.map((s) => compileScenario(s, target));
}

export function compileScenario(s: Scenario, target: TargetInfo): CompiledScenario {
  const where = (field: string) => `scenario "${s.name}" request.${field}`;
  const req = s.request;
  const path = compileTemplate(req.path, where('path'), encodeURIComponent);
  const query = Object.entries(req.query).map(([k, v]) => {
    const value = compileTemplate(String(v), where(`query.${k}`));
    return { key: encodeURIComponent(k), value };
  });
  const headers = Object.entries(req.headers).map(([k, v]) => ({ key: k, value: compileTemplate(v, where(`headers.${k}`)) }));
  const body: Part[] | undefined = req.json !== undefined
    ? compileJson(req.json, where('json'))
    : req.body !== undefined
      ? [toPart(compileTemplate(req.body, where('body')))]
      : undefined;

  const headerNames = new Set(Object.keys(req.headers).map((k) => k.toLowerCase()));
  const fixedHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(target.headers)) if (!headerNames.has(k.toLowerCase())) fixedHeaders[k] = v;
  if (req.json !== undefined && !headerNames.has('content-type') && !Object.keys(fixedHeaders).some((k) => k.toLowerCase() === 'content-type')) {
    fixedHeaders['Content-Type'] = 'application/json';
  }

  const isStatic = path.isStatic && query.every((q) => q.value.isStatic) && headers.every((h) => h.value.isStatic)
    && (body ?? []).every((p) => typeof p === 'string');

  const renderOnce = (state: RenderState): RenderedRequest => {
    let p = target.basePath + path.render(state);
    if (query.length) {
      p += (p.includes('?') ? '&' : '?') + query.map((q) => `${q.key}=${encodeURIComponent(q.value.render(state))}`).join('&');
    }
    const h: Record<string, string> = { ...fixedHeaders };
    for (const { key, value } of headers) h[key] = value.render(state);
    const out: RenderedRequest = { method: req.method, path: p, headers: h };
    if (body) out.body = renderParts(body, state);
    return out;
  };

  let render = renderOnce;
  if (isStatic) {
    const fixed = renderOnce({ seq: 0 });
    // A caller that skipped validation: refuse before any load rather than at every request.
    const fault = requestFault(fixed);
    if (fault) throw new TemplateError(`scenario "${s.name}" request`, fault, 'such a request is never sent; `perflab validate` shows where to fix it');
    render = () => fixed;
  }
  const statuses = s.expect.status ? new Set(s.expect.status) : undefined;
  return {
    name: s.name,
    weight: s.weight,
    isStatic,
    render,
    statusOk: statuses ? (status) => statuses.has(status) : (status) => status >= 200 && status < 400,
    ...(s.expect.bodyContains !== undefined ? { bodyContains: s.expect.bodyContains } : {}),
  };
}

function toPart(t: CompiledTemplate): Part {
  return t.isStatic ? t.source : (state) => t.render(state);
}

export function renderParts(parts: readonly Part[], state: RenderState): string {
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p : p(state);
  return out;
}

/**
 * A JSON body as literal JSON text with holes for the templated strings. A string that is exactly
 * one `{{int(…)}}` or `{{seq}}` becomes a JSON number.
 */
export function compileJson(value: unknown, where: string): Part[] {
  const parts: Part[] = [];
  const lit = (text: string) => {
    const last = parts[parts.length - 1];
    if (typeof last === 'string') parts[parts.length - 1] = last + text;
    else parts.push(text);
  };
  const walk = (v: unknown, at: string): void => {
    if (typeof v === 'string') {
      const t = compileTemplate(v, at);
      if (t.isStatic) return lit(JSON.stringify(v));
      const single = t.single;
      parts.push(single
        ? (state) => {
          const x = single(state);
          return typeof x === 'number' ? String(x) : JSON.stringify(x);
        }
        : (state) => JSON.stringify(t.render(state)));
    } else if (Array.isArray(v)) {
      lit('[');
      v.forEach((item, i) => {
        if (i) lit(',');
        walk(item, `${at}[${i}]`);
      });
      lit(']');
    } else if (v !== null && typeof v === 'object') {
      lit('{');
      Object.entries(v as Record<string, unknown>).forEach(([k, item], i) => {
        lit(`${i ? ',' : ''}${JSON.stringify(k)}:`);
        walk(item, `${at}.${k}`);
      });
      lit('}');
    } else {
      lit(JSON.stringify(v) ?? 'null');
    }
  };
  walk(value, where);
  return parts;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const KNOWN_METHODS = new Set(METHODS);

/**
 * Why a request must not go on the wire, or undefined. A control character in the path or a
 * header (CR, LF, NUL, …) would end its line early, and what follows would be read as a header
 * of its own or as a second request: both generators refuse such a request instead of sending
 * it. The checks are validation's (src/core/config/requestChecks.ts), applied to what a custom
 * generator or a template produced at run time.
 */
export function requestFault(req: RenderedRequest): string | undefined {
  if (!KNOWN_METHODS.has(req.method)) return `method ${quoted(String(req.method))} is not an HTTP method`;
  if (typeof req.path !== 'string') return 'its path is not a string';
  const inPath = controlChar(req.path, false);
  if (inPath) return `path ${quoted(req.path)} contains ${inPath}`;
  if (/\s/.test(req.path)) return `path ${quoted(req.path)} contains whitespace`;
  for (const name in req.headers) {
    if (!TOKEN.test(name)) {
      const inName = controlChar(name, false);
      return `header name ${quoted(name)} ${inName ? `contains ${inName}` : 'is not a valid HTTP header name'}`;
    }
    const inValue = controlChar(String(req.headers[name]), true);
    if (inValue) return `header ${quoted(name)}: its value contains ${inValue}`;
  }
  return undefined;
}

/**
 * HTTP/1.1 request bytes. `Host` and `Content-Length` are added unless the headers set them.
 * The head is UTF-8, as autocannon writes it: a character past U+00FF becomes bytes of 0x80 and
 * up, never a CR or LF (Latin-1 would keep only its low byte, so U+010A would become LF).
 */
export function requestBytes(req: RenderedRequest, host: string): Buffer {
  let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
  let hasHost = false;
  let hasLength = false;
  for (const [k, v] of Object.entries(req.headers)) {
    const lower = k.toLowerCase();
    if (lower === 'host') hasHost = true;
    else if (lower === 'content-length') hasLength = true;
    head += `${k}: ${v}\r\n`;
  }
  if (!hasHost) head += `Host: ${host}\r\n`;
  const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
  if (!hasLength && (body || BODY_METHODS.has(req.method))) head += `Content-Length: ${body?.length ?? 0}\r\n`;
  head += '\r\n';
  return body?.length ? Buffer.concat([Buffer.from(head), body]) : Buffer.from(head);
}

/** Weighted random choice of a scenario index: `weights` are relative shares (> 0). */
export function weightedPicker(weights: readonly number[]): () => number {
  if (weights.length === 1) return () => 0;
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w) / total);
  const last = weights.length - 1;
  return () => {
    const r = Math.random();
    for (let i = 0; i < last; i++) if (r < cumulative[i]!) return i;
    return last;
  };
}

/**
 * A fixed deck of scenario indexes in shuffled order whose counts follow the weights (largest
 * remainder, at least one each): for engines that cycle through a list of requests (autocannon).
 */
export function weightedDeck(weights: readonly number[], size = 100): number[] {
  const n = weights.length;
  const total = weights.reduce((a, b) => a + b, 0);
  const slots = Math.max(size, n);
  const exact = weights.map((w) => (w / total) * (slots - n));
  const counts = exact.map((e) => 1 + Math.floor(e));
  let left = slots - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; left > 0; k = (k + 1) % n, left--) counts[order[k]![1]]! += 1;
  const deck: number[] = [];
  counts.forEach((c, i) => {
    for (let j = 0; j < c; j++) deck.push(i);
  });
  for (let i = deck.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [deck[i], deck[j]] = [deck[j]!, deck[i]!];
  }
  return deck;
}

/** Target info from a base URL plus the target's headers. */
export function targetInfo(baseUrl: string, headers: Record<string, string>): TargetInfo {
  const u = new URL(baseUrl);
  return { host: u.host, basePath: u.pathname.replace(/\/+$/, ''), headers };
}
