/**
 * Request templates: `{{helper}}` placeholders in paths, query values, header values and bodies.
 * A template is parsed once into literal parts and bound helper calls, so rendering a request is a
 * walk over an array, never a regex per request.
 *
 * Helpers: `{{phone}}` (E.164, `+1555…`), `{{uuid}}`, `{{int(min,max)}}` (inclusive),
 * `{{words(n)}}`, `{{pick(a,b,…)}}` (one of the arguments; quote one that contains a comma),
 * `{{seq}}` (the request's sequence number in the run, the same everywhere in one request).
 */
import { randomUUID } from 'node:crypto';
import { quoted } from './echo';

/** What varies per request while rendering. */
export interface RenderState {
  /** Sequence number of the request in the run, from 1. */
  seq: number;
}

export type HelperValue = string | number;
type HelperFn = (state: RenderState) => HelperValue;

/** A parsed template: literal text interleaved with helper calls. */
export interface CompiledTemplate {
  /** The template as written. */
  source: string;
  /** True when there is nothing to render (no `{{…}}`). */
  isStatic: boolean;
  /** Renders to text. */
  render(state: RenderState): string;
  /**
   * When the whole template is one helper call, its raw value (a number stays a number): lets a
   * JSON body send `"{{int(1,100)}}"` as the number 57 instead of the string "57".
   */
  single?: HelperFn;
}

/**
 * A template the user has to fix. `message` says where, what and how (for runners);
 * `reason` and `hint` say what and how without the place, for a located config problem.
 */
export class TemplateError extends Error {
  override name = 'TemplateError';

  constructor(
    readonly where: string,
    readonly reason: string,
    readonly hint: string = `template helpers are ${HELPER_USAGE}`,
  ) {
    super(`${where}: ${reason}; ${hint}`);
  }
}

export const HELPER_USAGE = 'phone, uuid, int(min,max), words(n), pick(a,b,…), seq';

const WORDS = [
  'alpha', 'bravo', 'cargo', 'delta', 'echo', 'fable', 'gamma', 'harbor', 'island', 'jolly',
  'kettle', 'lemon', 'meadow', 'north', 'orbit', 'pepper', 'quartz', 'river', 'signal', 'timber',
  'urban', 'velvet', 'willow', 'xenon', 'yellow', 'zephyr', 'amber', 'breeze', 'cobalt', 'dune',
  'ember', 'forest', 'glacier', 'hollow', 'ivory', 'jasper', 'kernel', 'lantern', 'marble', 'nectar',
  'opal', 'prairie', 'quiver', 'ripple', 'summit', 'thistle', 'umber', 'vortex', 'wander', 'yarrow',
  'hello', 'meeting', 'today', 'order', 'shipped', 'thanks', 'please', 'call', 'back', 'soon',
];

const randomInt = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

/** Binds a helper call to a function, checking its arguments once at compile time. */
function bindHelper(name: string, args: string[] | undefined, where: string): HelperFn {
  const fail = (why: string, hint?: string): never => {
    throw new TemplateError(where, why, hint);
  };
  const noArgs = () => {
    if (args !== undefined && args.length > 0) fail(`{{${name}}} takes no arguments`);
  };
  const integer = (text: string | undefined, what: string): number => {
    const n = Number(text);
    if (text === undefined || text.trim() === '' || !Number.isSafeInteger(n)) fail(`${what} of {{${name}(…)}} must be an integer, got ${quoted(text ?? '')}`, `write whole numbers, e.g. {{${name}(${name === 'int' ? '1,100' : '5'})}}`);
    return n;
  };
  switch (name) {
    case 'phone':
      noArgs();
      return () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    case 'uuid':
      noArgs();
      return () => randomUUID();
    case 'seq':
      noArgs();
      return (state) => state.seq;
    case 'int': {
      if (args?.length !== 2) return fail('{{int(min,max)}} takes two integers', 'write e.g. {{int(1,100)}}');
      const min = integer(args[0], 'min');
      const max = integer(args[1], 'max');
      if (min > max) fail(`{{int(${min},${max})}}: min is greater than max`, `write the smaller bound first: {{int(${max},${min})}}`);
      return () => randomInt(min, max);
    }
    case 'words': {
      if (args?.length !== 1) return fail('{{words(n)}} takes the number of words', 'write e.g. {{words(5)}}');
      const n = integer(args[0], 'n');
      if (n < 1 || n > 1000) fail(`{{words(${n})}}: n must be between 1 and 1000`, 'write e.g. {{words(5)}}');
      return () => {
        let out = WORDS[randomInt(0, WORDS.length - 1)]!;
        for (let i = 1; i < n; i++) out += ` ${WORDS[randomInt(0, WORDS.length - 1)]!}`;
        return out;
      };
    }
    case 'pick': {
      if (!args?.length) return fail('{{pick(a,b,…)}} needs at least one value', 'write e.g. {{pick(text,image)}}');
      const values = args;
      return () => values[randomInt(0, values.length - 1)]!;
    }
    default:
      return fail(`unknown template helper ${quoted(name)}`);
  }
}

/** Splits `a, "b,c", 'd'` into trimmed values; quotes keep commas and spaces. */
export function splitArgs(text: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= text.length) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    const quote = text[i];
    let value: string;
    if (quote === '"' || quote === "'") {
      const end = text.indexOf(quote, i + 1);
      if (end < 0) throw new TemplateError(where, `unclosed ${quote} in helper arguments ${quoted(text)}`, `close the quote: ${quote}…${quote}`);
      value = text.slice(i + 1, end);
      i = end + 1;
      while (text[i] === ' ' || text[i] === '\t') i++;
      if (i < text.length && text[i] !== ',') throw new TemplateError(where, `expected "," after a quoted argument in ${quoted(text)}`, 'separate arguments with commas, e.g. {{pick("a b", c)}}');
    } else {
      const end = text.indexOf(',', i);
      value = (end < 0 ? text.slice(i) : text.slice(i, end)).trim();
      i = end < 0 ? text.length : end;
    }
    out.push(value);
    i++; // past the comma (or past the end)
  }
  return out;
}

/** Parses one `{{…}}` expression: `name` or `name(args)`. */
function parseCall(expr: string, where: string): HelperFn {
  const m = /^\s*([A-Za-z_][\w]*)\s*(?:\((.*)\))?\s*$/s.exec(expr);
  if (!m) throw new TemplateError(where, `${quoted(`{{${expr}}}`)} is not a template helper call`);
  const args = m[2] === undefined ? undefined : m[2].trim() === '' ? [] : splitArgs(m[2], where);
  return bindHelper(m[1]!, args, where);
}

/**
 * Compiles a template string. `where` names the place in the config for error messages, e.g.
 * `scenario "send-text" request.path`. `encode` applies to helper output only (e.g.
 * `encodeURIComponent` in a path), never to the literal text. Throws {@link TemplateError}.
 */
export function compileTemplate(source: string, where: string, encode?: (value: string) => string): CompiledTemplate {
  const parts: (string | HelperFn)[] = [];
  let pos = 0;
  for (;;) {
    const open = source.indexOf('{{', pos);
    if (open < 0) break;
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError(where, `"{{" without a closing "}}" in ${quoted(source)}`, 'close the helper with "}}", e.g. "{{phone}}"');
    if (open > pos) parts.push(source.slice(pos, open));
    parts.push(parseCall(source.slice(open + 2, close), where));
    pos = close + 2;
  }
  if (pos < source.length) parts.push(source.slice(pos));

  if (parts.every((p) => typeof p === 'string')) {
    return { source, isStatic: true, render: () => source };
  }
  const render = (state: RenderState): string => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : encode ? encode(String(p(state))) : String(p(state));
    return out;
  };
  const only = parts.length === 1 && typeof parts[0] === 'function' ? (parts[0] as HelperFn) : undefined;
  return { source, isStatic: false, render, ...(only ? { single: only } : {}) };
}
