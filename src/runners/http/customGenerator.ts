/**
 * Custom request generators: a profile's `generator` names a module in the workspace (a path
 * relative to the config file) that shapes each request itself. It runs only in a trusted
 * workspace, inside the load-generator worker, and must export a synchronous `next`:
 *
 * ```js
 * // perflab.generators.mjs
 * export function next(ctx) {
 *   if (ctx.scenario !== 'send-text') return undefined;          // send the scenario's own request
 *   return {
 *     method: 'POST',
 *     path: `/messages?trace=${ctx.seq}`,                         // relative to the target's baseUrl
 *     headers: { 'content-type': 'application/json' },
 *     body: { to: ctx.helpers.phone(), body: ctx.helpers.words(3) },  // objects are sent as JSON
 *   };
 * }
 * ```
 *
 * `ctx.scenario` is the scenario picked by weight for this request; its `expect` checks apply to
 * the response and its statistics count it. `ctx.request` is that scenario's request with its
 * templates rendered. A generator that throws ends the run with its message. CommonJS
 * (`module.exports = { next }`) and a default export holding `next` work too.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { RenderedRequest } from './requestPlan';
import { compileTemplate } from '../../core/config/templates';

/** What `next(ctx)` receives. */
export interface GeneratorContext {
  /** Sequence number of the request in the run, from 1. */
  seq: number;
  /** Name of the current phase. */
  phase: string;
  /** Name of the scenario picked (by weight) for this request. */
  scenario: string;
  /** The scenario's own request, templates rendered; `path` already carries the base path. */
  request: RenderedRequest;
  /** The template helpers as functions. */
  helpers: GeneratorHelpers;
}

export interface GeneratorHelpers {
  phone(): string;
  uuid(): string;
  int(min: number, max: number): number;
  words(n: number): string;
  pick<T>(...values: T[]): T;
}

/** What `next(ctx)` returns; `undefined` sends `ctx.request` unchanged. */
export interface GeneratedRequest {
  method?: string;
  /** Starts with `/`; the target's base path is put in front. */
  path: string;
  headers?: Record<string, string>;
  /** A string or bytes as is; anything else is sent as JSON. */
  body?: unknown;
}

export type GeneratorNext = (ctx: GeneratorContext) => GeneratedRequest | undefined | null;

const phone = compileTemplate('{{phone}}', 'helpers');
const words = new Map<number, (s: { seq: number }) => string>();

export const generatorHelpers: GeneratorHelpers = {
  phone: () => phone.render({ seq: 0 }),
  uuid: () => randomUUID(),
  int: (min, max) => {
    const lo = Math.ceil(min);
    return lo + Math.floor(Math.random() * (Math.floor(max) - lo + 1));
  },
  words: (n) => {
    let w = words.get(n);
    if (!w) {
      const t = compileTemplate(`{{words(${Math.max(1, Math.min(1000, Math.floor(n)))})}}`, 'helpers');
      w = (s) => t.render(s);
      words.set(n, w);
    }
    return w({ seq: 0 });
  },
  pick: (...values) => values[Math.floor(Math.random() * values.length)]!,
};

/** Loads the module and returns its `next`; throws an Error whose message says what to fix. */
export async function loadGenerator(file: string): Promise<GeneratorNext> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`the custom generator ${file} could not be loaded: ${(err as Error).message}`);
  }
  const candidates = [mod.next, (mod.default as Record<string, unknown> | undefined)?.next];
  const next = candidates.find((c): c is GeneratorNext => typeof c === 'function');
  if (!next) throw new Error(`the custom generator ${file} must export a function next(ctx) returning { method, path, headers?, body? }`);
  return next;
}

/** Turns what `next` returned into a request, base path and target headers applied. */
export function generatedRequest(out: GeneratedRequest, fallback: RenderedRequest, basePath: string, targetHeaders: Record<string, string>): RenderedRequest {
  if (typeof out !== 'object' || typeof out.path !== 'string' || !out.path.startsWith('/')) {
    throw new Error(`the custom generator's next(ctx) returned ${JSON.stringify(out)?.slice(0, 80)}; it must return { method, path: "/…", headers?, body? } or undefined`);
  }
  const headers: Record<string, string> = { ...targetHeaders, ...(out.headers ?? {}) };
  let body: string | Buffer | undefined;
  if (out.body === undefined || out.body === null) body = undefined;
  else if (typeof out.body === 'string' || Buffer.isBuffer(out.body)) body = out.body;
  else {
    body = JSON.stringify(out.body);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  const req: RenderedRequest = { method: (out.method ?? fallback.method).toUpperCase(), path: basePath + out.path, headers };
  if (body !== undefined) req.body = body;
  return req;
}
