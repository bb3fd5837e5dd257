/**
 * The config document between its text and validation: how deep it may nest, and the plain data
 * built from its syntax tree. Objects get a null prototype, so a key such as `constructor` or
 * `toString` is data like any other and never reaches `Object.prototype`.
 */

import type { Node } from 'jsonc-parser';
import type { ProblemInput, Segment } from './locate';

/**
 * Deepest nesting of `{ }` and `[ ]` a config may have. A config needs about eight levels plus
 * its JSON bodies; parsing and validation recurse per level, so a bound well below the stack's
 * (about 10,000 levels) keeps any file from overflowing it.
 */
export const MAX_DEPTH = 64;

/**
 * A problem when `text` nests deeper than {@link MAX_DEPTH}, located at the bracket that goes
 * one level too far. Strings and comments are skipped; unbalanced brackets are the parser's to
 * report, so this only counts.
 */
export function checkDepth(text: string): ProblemInput | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: to its closing quote, past escapes; an unclosed one runs to the end of the line.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22 || s === 0x0a) break;
      }
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) {
        return {
          path: [], span: { offset: i, length: 1 }, code: 'too-deep',
          message: `nested too deeply: more than ${MAX_DEPTH} levels of { } and [ ]`,
          hint: 'a config needs a few levels: close the brackets left open, or flatten the JSON body',
        };
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/** A key JavaScript gives a meaning of its own: it cannot name anything in a config. */
const RESERVED_KEY = '__proto__';

/**
 * The value of a syntax tree node as plain data, objects with a null prototype. A `__proto__`
 * key is kept as data and reported, since tools that read the config or its run records as
 * ordinary objects would take it for the prototype.
 */
export function nodeData(node: Node, report: (p: ProblemInput) => void, path: Segment[] = []): unknown {
  switch (node.type) {
    case 'object': {
      const out = Object.create(null) as Record<string, unknown>;
      for (const prop of node.children ?? []) {
        const [key, value] = prop.children ?? [];
        if (!key) continue;
        const name = String(key.value);
        if (name === RESERVED_KEY) {
          report({
            path: [...path, name], anchor: 'key', span: { offset: key.offset, length: key.length }, code: 'reserved-key',
            message: `"${RESERVED_KEY}" cannot be used as a name`, hint: 'rename it: JavaScript reads this key as the prototype of an object',
          });
        }
        out[name] = value ? nodeData(value, report, [...path, name]) : undefined;
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map((child, i) => nodeData(child, report, [...path, i]));
    default:
      return node.value;
  }
}
