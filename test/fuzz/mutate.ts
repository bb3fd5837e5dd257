// Mutations of seed files, as fast-check arbitraries: byte edits anywhere, and structural edits of
// JSON (a value replaced by one a parser or a runner finds hard).
import fc from 'fast-check';

/** Values that break assumptions: huge, negative, fractional, wrong type, long, nested, prototype keys. */
export const HOSTILE: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53, 0.5, 9_999_999_999, '', ' ', '{{phone', '{{int(100,1)}}', 'a\r\nX-Injected: 1', '\u0000', '__proto__', 'constructor', null, true, [], {}, '1e20h', '< 0.1'),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 1_000 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n))),
  fc.json().map((j) => JSON.parse(j)),
);

const SPLICE = ['{', '}', '[', ']', ',', ':', '"', '\\', '-', '.', 'e', '0', '9', 'null', 'true', ' ', '\n', '\r', '\u0000', '\u00ff', '\uffff', '1e308', '-1'];

/** A byte-level edit of `text`: insert, delete, replace, duplicate a span, or truncate. */
export function textEdit(text: string): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 4 }), fc.constantFrom(...SPLICE), fc.nat({ max: 64 })).map(([a, b, op, piece, n]) => {
    const i = a % (text.length + 1);
    const j = Math.min(text.length, i + (b % 64));
    switch (op) {
      case 0: return text.slice(0, i) + piece + text.slice(i);
      case 1: return text.slice(0, i) + text.slice(j);
      case 2: return text.slice(0, i) + piece + text.slice(j);
      case 3: return text.slice(0, j) + text.slice(i, j).repeat(1 + n) + text.slice(j);
      default: return text.slice(0, i);
    }
  });
}

/** Paths to every value in a JSON document. */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (out.length > 5_000) return out;
  if (Array.isArray(value)) value.slice(0, 50).forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

/** A structural edit of a JSON document: one value replaced, one key removed or duplicated under a hostile name. */
export function jsonEdit(doc: unknown): fc.Arbitrary<string> {
  const all = paths(doc);
  return fc.tuple(fc.nat(), fc.nat({ max: 3 }), HOSTILE).map(([p, op, value]) => {
    const copy = structuredClone(doc) as Record<string | number, unknown>;
    const at = all[p % all.length]!;
    if (at.length === 0) return JSON.stringify(op === 0 ? value : copy);
    let parent: Record<string | number, unknown> = copy;
    for (const seg of at.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
    const key = at[at.length - 1]!;
    if (op === 1 && !Array.isArray(parent)) delete parent[key];
    else if (op === 2 && !Array.isArray(parent)) Object.defineProperty(parent, typeof value === 'string' ? value.slice(0, 30) : '__proto__', { value: parent[key], enumerable: true });
    else parent[key] = value;
    return JSON.stringify(copy);
  });
}

/** Seeds, each mutated by a byte edit or a structural one (or left as is); `parse` reads a seed as JSON. */
export function mutated(seeds: readonly string[], parse: (text: string) => unknown = JSON.parse): fc.Arbitrary<string> {
  return fc.constantFrom(...seeds).chain((text) => {
    let doc: unknown;
    try {
      doc = parse(text.replace(/^\uFEFF/, ''));
    } catch {
      doc = undefined;
    }
    const edits: fc.Arbitrary<string>[] = [fc.constant(text), textEdit(text), textEdit(text).chain(textEdit)];
    if (doc !== undefined) edits.push(jsonEdit(doc), jsonEdit(doc).chain(textEdit));
    return fc.oneof(...edits);
  });
}
