/**
 * Reading `perflab.config.json`: JSONC syntax, the JSON schema, then semantic checks, each
 * problem located on its node. Never throws on bad input: everything wrong with the file comes
 * back as a problem, and `config` is present only when no problem is an error.
 */

import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseTree, type Node, type ParseError } from 'jsonc-parser';
import { checkDepth, nodeData } from './document';
import { decodeConfig } from './encoding';
import { quoted } from './echo';
import { LineIndex, ProblemSink, spanOf, nearestNode } from './locate';
import { normalizeConfig } from './normalize';
import { validateAgainstSchema } from './schemaValidation';
import { checkSemantics, type SemanticOptions } from './semantic';
import { describeSyntaxError } from './syntax';
import type { ConfigLoadResult, ConfigParseResult, ConfigProblem } from './types';

export const CONFIG_FILE_NAME = 'perflab.config.json';

const INIT_HINT = 'run `perflab init` (or "PerfLab: Init Config" in the editor) to write a starter config';

/** What the caller knows beyond the file (see {@link SemanticOptions}); the config's folder comes from `file`. */
export type LoadOptions = Omit<SemanticOptions, 'configDir'>;

/** Parses and validates config text; `file` is only used to label problems. */
export function parseConfigText(text: string, file: string = CONFIG_FILE_NAME, options: LoadOptions = {}): ConfigParseResult {
  try {
    return parse(text, file, options);
  } catch (err) {
    return { problems: [fileProblem(file, 'internal', `could not validate the config: ${String(err)}`, 'please report this with the config file attached')] };
  }
}

/**
 * Parses and validates the bytes of a config file: UTF-8, with or without a byte-order mark; a
 * UTF-16 file, or one in another encoding, is a problem that says how to save it.
 */
export function parseConfigBytes(bytes: Uint8Array, file: string = CONFIG_FILE_NAME, options: LoadOptions = {}): ConfigParseResult {
  const decoded = decodeConfig(bytes);
  if (decoded.ok) return parseConfigText(decoded.text, file, options);
  const sink = new ProblemSink(file, decoded.text, undefined);
  sink.add(decoded.problem);
  return { problems: sink.sorted() };
}

/** Reads, parses and validates a config file. A missing file is a problem, not an exception. */
export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<ConfigLoadResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT'
      ? fileProblem(file, 'missing-file', `no config file at ${file}`, INIT_HINT)
      : fileProblem(file, 'unreadable', `cannot read ${file}: ${(err as Error).message}`, 'check that the path is a readable file');
    return { file, problems: [problem] };
  }
  return { file, ...parseConfigBytes(bytes, file, options) };
}

export interface FormatOptions {
  /** Print the file relative to this directory (e.g. the workspace folder or `process.cwd()`). */
  relativeTo?: string;
}

/**
 * One line for terminals and logs:
 * `perflab.config.json:14:9 profiles.smoke.phases[1].duration: "2 minutes" is not a duration — write e.g. "120s" or "2m"`.
 */
export function formatProblem(p: ConfigProblem, options: FormatOptions = {}): string {
  const file = options.relativeTo ? relative(options.relativeTo, p.file) || p.file : p.file;
  const where = `${file}:${p.line}:${p.column}`;
  const what = `${p.severity === 'warning' ? 'warning: ' : ''}${p.message}${p.hint ? ` — ${p.hint}` : ''}`;
  return p.path ? `${where} ${p.path}: ${what}` : `${where} ${what}`;
}

function parse(input: string, file: string, options: LoadOptions): ConfigParseResult {
  // A byte-order mark becomes a space, so offsets still match the file.
  const text = input.charCodeAt(0) === 0xfeff ? ` ${input.slice(1)}` : input;
  const tooDeep = checkDepth(text);
  if (tooDeep) {
    const sink = new ProblemSink(file, text, undefined);
    sink.add(tooDeep);
    return { problems: sink.sorted() };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const sink = new ProblemSink(file, text, root);

  if (errors.length > 0) {
    sink.add(describeSyntaxError(errors[0]!, text));
    return { problems: sink.sorted() };
  }
  if (!root) {
    sink.add({ path: [], code: 'empty', message: 'the config file is empty', hint: INIT_HINT });
    return { problems: sink.sorted() };
  }
  if (root.type !== 'object') {
    sink.add({
      path: [], code: 'not-object', message: `the config must be an object { … }, not ${describeNode(root)}`,
      hint: 'write { "profiles": { … } } at the top level; `perflab init` writes a complete example',
    });
    return { problems: sink.sorted() };
  }

  reportDuplicateKeys(root, sink);
  const data = nodeData(root, (p) => sink.add(p)) as Record<string, unknown>;
  for (const p of validateAgainstSchema(data)) sink.add(p);
  for (const p of checkSemantics(data, { ...options, configDir: dirname(resolve(file)) })) sink.add(p);

  const lines = new LineIndex(text);
  const normalize = (doc: Record<string, unknown>) => normalizeConfig(doc, (path) => lines.position(spanOf(nearestNode(root, path), 'key').offset));
  const problems = sink.sorted();
  if (!sink.hasErrors) return { config: normalize(data), problems };
  const invalid = usableWithout(problems);
  if (!invalid) return { problems };
  // Only whole profiles are left out: what remains passed every check, so it normalizes.
  const profiles = Object.create(null) as Record<string, unknown>;
  for (const [name, profile] of Object.entries(data.profiles as Record<string, unknown>)) if (!invalid.includes(name)) profiles[name] = profile;
  return { problems, usable: { config: normalize({ ...data, profiles }), invalidProfiles: invalid } };
}

/** The profiles that hold errors, when every error is inside one; undefined when any is not. */
function usableWithout(problems: readonly ConfigProblem[]): string[] | undefined {
  const invalid = new Set<string>();
  for (const p of problems) {
    if (p.severity !== 'error') continue;
    if (p.profile === undefined) return undefined;
    invalid.add(p.profile);
  }
  return [...invalid];
}

/** JSON keeps the last of two equal keys without a word; in a config that is always a mistake. */
function reportDuplicateKeys(node: Node, sink: ProblemSink, path: (string | number)[] = []): void {
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const [key, value] = prop.children ?? [];
      if (!key) continue;
      const name = String(key.value);
      if (seen.has(name)) {
        sink.add({
          path: [...path, name], span: { offset: key.offset, length: key.length }, code: 'duplicate-key',
          message: `duplicate key ${quoted(name)}`, hint: 'only the last one takes effect: merge the two or remove one',
        });
      }
      seen.add(name);
      if (value) reportDuplicateKeys(value, sink, [...path, name]);
    }
  } else if (node.type === 'array') {
    node.children?.forEach((child, i) => reportDuplicateKeys(child, sink, [...path, i]));
  }
}

function describeNode(node: Node): string {
  switch (node.type) {
    case 'array': return 'a list';
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return String(node.value);
    default: return node.type;
  }
}

function fileProblem(file: string, code: string, message: string, hint: string): ConfigProblem {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1, path: '', message, hint, severity: 'error', code };
}
