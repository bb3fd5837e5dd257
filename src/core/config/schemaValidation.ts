/**
 * Validation against `schemas/perflab.config.schema.json`, the same file VS Code uses for
 * completion, with ajv's errors rewritten into messages a user can act on. The validator is
 * compiled on first use, so importing this module costs nothing until a config is validated.
 */

import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schemaJson from '../../../schemas/perflab.config.schema.json';
import { KIND_TYPES, kindOf } from '../../runners/registry';
import { tryParseDuration } from './duration';
import { clipped, echo, quoted } from './echo';
import type { ProblemInput, Segment } from './locate';
import { didYouMean, didYouMeanPrefix, listOf } from './suggest';
import { tryParseThresholdExpression } from './threshold';
import { parseNoise, parseRule } from '../compare/rules';

/** A JSON Schema node, loosely typed: only the keywords the translator reads. */
interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  examples?: unknown[];
  errorMessage?: string;
  patternErrorMessage?: string;
  not?: { required?: string[] };
  enum?: unknown[];
  items?: SchemaNode;
}

const ROOT = schemaJson as unknown as SchemaNode & { definitions: Record<string, SchemaNode> };

/** Editor-only keywords (VS Code's JSON language service) that ajv must accept and ignore. */
const EDITOR_KEYWORDS = [
  'markdownDescription', 'markdownEnumDescriptions', 'enumDescriptions', 'defaultSnippets', 'errorMessage',
  'patternErrorMessage', 'deprecationMessage', 'doNotSuggest', 'allowComments', 'allowTrailingCommas',
];

/** The kinds' types, in the registry's order (the schema has a `<type>Profile` for each: test/unit/kinds.test.ts). */
const PROFILE_TYPES = KIND_TYPES;

let validator: ValidateFunction | undefined;

function getValidator(): ValidateFunction {
  if (!validator) {
    // `optimize: false` halves compile time; the generated code only ever sees small documents.
    const ajv = new Ajv({ allErrors: true, verbose: true, discriminator: true, allowUnionTypes: true, code: { optimize: false } });
    ajv.addVocabulary(EDITOR_KEYWORDS);
    validator = ajv.compile(ROOT);
  }
  return validator;
}

/** Validates a parsed document; returns problems to locate and report (empty when valid). */
export function validateAgainstSchema(data: unknown): ProblemInput[] {
  const validate = getValidator();
  if (validate(data)) return [];
  return translateErrors(validate.errors ?? [], data);
}

function translateErrors(errors: ErrorObject[], data: unknown): ProblemInput[] {
  // Errors of the alternatives inside an `anyOf` that carries its own message are noise.
  const muted = errors.filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && (e.parentSchema as SchemaNode | undefined)?.errorMessage);
  const isMuted = (e: ErrorObject) => muted.some((m) => m.instancePath === e.instancePath && e.schemaPath.startsWith(`${m.schemaPath}/`));
  // A misspelled required property shows up twice (unknown + missing): the did-you-mean says it all.
  const misspelled = new Set(errors.filter((e) => e.keyword === 'additionalProperties').flatMap((e) => {
    const allowed = Object.keys((e.parentSchema as SchemaNode | undefined)?.properties ?? {});
    const guess = didYouMean(String((e.params as { additionalProperty?: unknown }).additionalProperty), allowed);
    return guess ? [`${e.instancePath}/${guess}`] : [];
  }));
  const out: ProblemInput[] = [];
  for (const e of errors) {
    if (isMuted(e)) continue;
    if (e.keyword === 'required' && misspelled.has(`${e.instancePath}/${String((e.params as { missingProperty?: unknown }).missingProperty)}`)) continue;
    if (e.keyword === 'propertyNames') continue; // its inner error names the property
    if (e.keyword === 'oneOf' && errors.some((o) => o !== e && o.instancePath.startsWith(e.instancePath))) continue;
    if (e.keyword === 'discriminator' && (e.params as { tagValue?: unknown }).tagValue === undefined) continue; // `required` says it
    out.push(translate(e, toSegments(e.instancePath, data)));
  }
  return out;
}

function translate(e: ErrorObject, path: Segment[]): ProblemInput {
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;
  const name = lastKey(path);
  const value = e.data;
  switch (e.keyword) {
    case 'additionalProperties':
      return unknownProperty(path, String(params.additionalProperty), parent);

    case 'required':
      return requiredProblem(path, String(params.missingProperty), parent);

    case 'type':
      return typeProblem(path, String(params.type), value, parent === ROOT.definitions.duration);

    case 'enum': {
      const allowed = ((params.allowedValues as unknown[]) ?? []).map(String);
      const noun = ENUM_NOUNS[name.replace(/\[\d+\]$/, '')] ?? 'value';
      return {
        path, code: 'enum', message: `unknown ${noun} ${echo(value)}`,
        hint: `${typeof value === 'string' ? didYouMeanPrefix(value, allowed) : ''}use one of: ${allowed.join(', ')}`,
      };
    }

    case 'discriminator': {
      const types = PROFILE_TYPES.join(', ');
      const tag = params.tagValue;
      const message = typeof tag === 'string' ? `unknown profile type ${quoted(tag)}` : `profile type must be a string, got ${describeValue(tag)}`;
      return { path: [...path, 'type'], code: 'profile-type', message, hint: `${typeof tag === 'string' ? didYouMeanPrefix(tag, PROFILE_TYPES) : ''}use one of ${types}` };
    }

    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return rangeProblem(path, e, parent);

    case 'minItems':
      return { path, code: 'empty', message: `"${name}" is empty`, hint: EMPTY_HINTS[name] ?? `add at least ${String(params.limit)} item(s)` };

    case 'minProperties':
      return {
        path, code: 'empty', message: 'no profiles defined',
        hint: 'add one under "profiles", e.g. "smoke": { "type": "http", ... }; `perflab init` writes a complete example',
      };

    case 'maxLength':
      return tooLongProblem(path, e.propertyName, value, Number(params.limit));

    case 'minLength':
      return { path, code: 'empty', message: `"${name}" is empty`, hint: 'write a value, or remove the property' };

    case 'uniqueItems': {
      const i = Number(params.i);
      const j = Number(params.j);
      const later = Math.max(i, j);
      const item = Array.isArray(value) ? value[later] : undefined;
      return { path: [...path, later], code: 'duplicate', message: `duplicate item ${echo(item)} (same as item ${Math.min(i, j)})`, hint: 'remove the duplicate' };
    }

    case 'pattern':
      return patternProblem(e, path, parent);

    case 'not':
      return conflictProblem(path, value, parent);

    case 'anyOf':
      return {
        path, code: 'missing-one-of', message: sentence(parent.errorMessage ?? 'does not match any allowed form'),
        hint: path.includes('phases')
          ? 'add "arrivalRate": 10 (requests per second, open model) or "connections": 10 (closed loop)'
          : 'see the property description in the schema',
      };

    case 'dependencies': {
      const prop = String(params.property);
      const missing = String(params.missingProperty);
      return {
        path: [...path, prop], anchor: 'key', code: 'dependency', message: `"${prop}" needs "${missing}"`,
        hint: DEPENDENCY_HINTS[prop] ?? `add "${missing}", or remove "${prop}"`,
      };
    }

    case 'const':
      return { path, code: 'const', message: `must be ${JSON.stringify(params.allowedValue)}`, hint: `write ${JSON.stringify(params.allowedValue)}` };

    default:
      return { path, code: 'schema', message: e.message ?? 'invalid value', hint: 'see the property description in the schema (hover it in the editor)' };
  }
}

function requiredProblem(path: Segment[], missing: string, parent: SchemaNode): ProblemInput {
  if (missing === 'type' && parent === ROOT.definitions.profile) {
    return {
      path, code: 'profile-type', message: `profile "${lastKey(path)}" has no "type"`,
      hint: `add "type": one of ${PROFILE_TYPES.map((t) => `"${t}"`).join(', ')}`,
    };
  }
  const example = REQUIRED_EXAMPLES[missing] ?? exampleOf(parent.properties?.[missing]);
  const hint = missing === 'profiles'
    ? 'add "profiles": { "smoke": { "type": "http", … } }; `perflab init` writes a complete example'
    : `add "${missing}"${example ? `, e.g. "${missing}": ${example}` : ''}`;
  return { path, code: 'required', message: `missing required property "${missing}"`, hint };
}

/** A name (a property key, or a value) over the schema's length limit. */
function tooLongProblem(path: Segment[], key: string | undefined, value: unknown, limit: number): ProblemInput {
  const what = key === undefined ? 'name' : lastKey(path) === 'profiles' ? 'profile name' : lastKey(path) === 'targets' ? 'target name' : 'name';
  return {
    path: key === undefined ? path : [...path, key], anchor: key === undefined ? 'value' : 'key', code: 'too-long',
    message: `${quoted(String(key ?? value))} is longer than ${limit} characters`,
    hint: `use a shorter ${what}: names appear in commands, run ids and metric names`,
  };
}

/** Properties that exclude each other (a schema `not: { required: [...] }`), located at the last one written. */
function conflictProblem(path: Segment[], value: unknown, parent: SchemaNode): ProblemInput {
  const keys = parent.not?.required ?? [];
  const present = keys.filter((k) => isObject(value) && k in value);
  const at = present[present.length - 1];
  return {
    path: at ? [...path, at] : path, anchor: 'key', code: 'conflict', message: sentence(parent.errorMessage ?? 'conflicting properties'),
    hint: CONFLICT_HINTS[keys.join('+')] ?? `keep only one of ${keys.map((k) => `"${k}"`).join(' and ')}`,
  };
}

const ENUM_NOUNS: Record<string, string> = {
  method: 'HTTP method', operations: 'Redis operation', mode: 'mode', preset: 'preset', type: 'backoff type',
};

const REQUIRED_EXAMPLES: Record<string, string> = {
  scenarios: '[{ "name": "health", "request": { "method": "GET", "path": "/health" } }]',
  request: '{ "method": "GET", "path": "/health" }',
  operations: '["set", "get"]',
};

const EMPTY_HINTS: Record<string, string> = {
  phases: 'add at least one phase, e.g. { "name": "steady", "duration": "30s", "arrivalRate": 10 }, or use "preset" instead',
  scenarios: 'add at least one scenario, e.g. { "name": "health", "request": { "method": "GET", "path": "/health" } }',
  operations: 'list at least one of: set, get, incr, lpush, zadd, pipeline, analytics-write, analytics-read',
  workerConcurrency: 'give at least one value, e.g. [1, 10, 50], or a single number such as 10',
  priorities: 'list at least one priority, e.g. [1, 5, 10], or remove "priorities"',
  status: 'list at least one status, e.g. [200, 202]',
};

const CONFLICT_HINTS: Record<string, string> = {
  'connections+arrivalRate': 'remove "connections" for an open-model phase or "arrivalRate" (and "rampTo") for a closed loop; use two phases for both',
  'json+body': 'keep "json" to send a JSON body, or "body" to send raw text',
  'iterations+duration': 'keep "iterations" for a fixed number of commands, or "duration" for a fixed time',
  'jobs+duration': 'keep "jobs" for a fixed number of jobs, or "duration" for a fixed time',
};

const DEPENDENCY_HINTS: Record<string, string> = {
  rampTo: '"rampTo" is where an arrival-rate ramp ends: add "arrivalRate" (the rate at the start), or remove "rampTo"',
  pipelining: '"pipelining" applies to closed-loop phases: add "connections", or remove "pipelining"',
};

function unknownProperty(path: Segment[], prop: string, parent: SchemaNode): ProblemInput {
  const allowed = Object.keys(parent.properties ?? {});
  const at = [...path, prop];
  if (prop === 'password' && path.includes('redis')) {
    return {
      path: at, anchor: 'key', code: 'secret-in-config', message: 'the Redis password does not belong in the config file',
      hint: 'remove it and set PERFLAB_REDIS_PASSWORD in the environment (in VS Code: "PerfLab: Set Redis Password"); results never record it',
    };
  }
  const profileType = PROFILE_TYPES.find((t) => ROOT.definitions[`${t}Profile`] === parent);
  if (profileType) {
    const owners = PROFILE_TYPES.filter((t) => t !== profileType && ROOT.definitions[`${t}Profile`]?.properties?.[prop]);
    if (owners.length > 0 && !didYouMeanPrefix(prop, allowed)) {
      return {
        path: at, anchor: 'key', code: 'unknown-property', message: `unknown property ${quoted(prop)} for ${kindOf(profileType).profileNoun}`,
        hint: `"${prop}" belongs to ${owners.join('/')} profiles; ${profileType} profiles take: ${listOf(allowed, 20)}`,
      };
    }
  }
  return {
    path: at, anchor: 'key', code: 'unknown-property', message: `unknown property ${quoted(prop)}`,
    hint: `${didYouMeanPrefix(prop, allowed)}allowed here: ${listOf(allowed, 20)}`,
  };
}

function typeProblem(path: Segment[], expected: string, value: unknown, isDuration: boolean): ProblemInput {
  const types = expected.split(',');
  let want = types.map(typeWord).join(' or ');
  if (isDuration) want = 'a duration (a string such as "30s", or a number of seconds)';
  let hint = `write ${want}`;
  if (typeof value === 'string' && (types.includes('number') || types.includes('integer')) && value.trim() !== '' && !Number.isNaN(Number(value))) {
    hint = `remove the quotes: ${clipped(value.trim())}`;
  } else if (typeof value === 'string' && types.includes('boolean') && (value === 'true' || value === 'false')) {
    hint = `remove the quotes: ${value}`;
  } else if (typeof value === 'number' && types.includes('integer') && !types.includes('number')) {
    hint = `use a whole number, e.g. ${Math.max(1, Math.round(value))}`;
  } else if ((typeof value === 'number' || typeof value === 'boolean') && types.includes('string')) {
    hint = `put it in quotes: "${String(value)}"`;
  } else if (types.includes('array') && !Array.isArray(value) && value !== null && typeof value !== 'object') {
    hint = `wrap it in a list: [${echo(value)}]`;
  } else if (types.includes('object') && typeof value === 'string') {
    // A URL where an object belongs: `"api": "http://…"` or `"redis": "redis://…"`.
    const key = path[path.length - 2] === 'targets' ? 'baseUrl' : path[path.length - 1] === 'redis' ? 'url' : undefined;
    if (key) hint = `write { "${key}": ${echo(value)} }`;
  }
  if (isDuration) hint = 'write e.g. "30s" or "500ms", or a number of seconds';
  return { path, code: 'type', message: `expected ${want}, got ${describeValue(value)}`, hint };
}

function rangeProblem(path: Segment[], e: ErrorObject, parent: SchemaNode): ProblemInput {
  const value = e.data;
  if (parent === ROOT.definitions.duration) {
    const r = tryParseDuration(value);
    if (!r.ok) return { path, code: 'duration', message: r.message, hint: r.hint };
  }
  const { comparison, limit } = e.params as { comparison: string; limit: number };
  const words: Record<string, string> = { '>=': 'at least', '>': 'greater than', '<=': 'at most', '<': 'less than' };
  const name = lastKey(path);
  const example = exampleOf(parent);
  const negative = typeof value === 'number' && value < 0;
  return {
    path,
    code: 'range',
    message: `${name} must be ${words[comparison] ?? comparison} ${limit}, got ${String(value)}`,
    hint: negative
      ? `${name} cannot be negative${example ? `; use e.g. ${example}` : ''}`
      : example ? `use e.g. ${example}` : `use a value ${words[comparison] ?? comparison} ${limit}`,
  };
}

function patternProblem(e: ErrorObject, path: Segment[], parent: SchemaNode): ProblemInput {
  const value = e.data;
  if (parent === ROOT.definitions.duration) {
    const r = tryParseDuration(value);
    if (!r.ok) return { path, code: 'duration', message: r.message, hint: r.hint };
  }
  if (parent === ROOT.definitions.thresholdExpression) {
    const r = tryParseThresholdExpression(value);
    if (!r.ok) return { path, code: 'threshold', message: r.message, hint: r.hint };
  }
  if (parent === ROOT.definitions.regressionRule || parent === ROOT.definitions.regressions?.properties?.noise) {
    const r = parent === ROOT.definitions.regressionRule ? parseRule(String(value)) : parseNoise(String(value));
    if (!r.ok) return { path, code: 'regression', message: r.message, hint: r.hint };
  }
  const hint = sentence(parent.patternErrorMessage ?? 'see the property description in the schema');
  if (e.propertyName !== undefined) {
    const kind = lastKey(path) === 'profiles' ? 'profile name' : lastKey(path) === 'targets' ? 'target name' : 'name';
    return { path: [...path, e.propertyName], anchor: 'key', code: 'name', message: `${quoted(e.propertyName)} is not a valid ${kind}`, hint };
  }
  const name = lastKey(path).replace(/\[\d+\]$/, '');
  const what: Record<string, string> = {
    baseUrl: 'is not an http:// or https:// URL', url: 'is not a redis:// URL', path: 'does not start with "/"',
    allowHosts: 'is not a host name', name: 'is not a valid name',
  };
  return { path, code: 'pattern', message: `${echo(value)} ${what[name] ?? 'is not in the expected form'}`, hint };
}

/** A schema's first example as JSON text, following a `$ref` when needed. */
function exampleOf(node: SchemaNode | undefined): string | undefined {
  const resolved = resolve(node);
  const ex = node?.examples?.[0] ?? resolved?.examples?.[0];
  return ex === undefined ? undefined : JSON.stringify(ex);
}

function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  const ref = node?.$ref?.replace(/^#\/definitions\//, '');
  return ref ? ROOT.definitions[ref] : node;
}

/** `/profiles/smoke/phases/1` → `['profiles', 'smoke', 'phases', 1]`, numbers for array indices. */
function toSegments(pointer: string, data: unknown): Segment[] {
  if (pointer === '') return [];
  const out: Segment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(key);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(key);
      cur = isObject(cur) ? cur[key] : undefined;
    }
  }
  return out;
}

/** The last key of a path, with a trailing index: `phases[1]`, `connections`. */
function lastKey(path: readonly Segment[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i];
    if (typeof seg === 'string') return path.slice(i + 1).reduce<string>((s, n) => `${s}[${String(n)}]`, clipped(seg));
  }
  return 'the config';
}

function typeWord(t: string): string {
  return ({ integer: 'a whole number', number: 'a number', string: 'a string', object: 'an object', array: 'a list', boolean: 'true or false', null: 'null' } as Record<string, string>)[t] ?? t;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${quoted(v)}`;
  return String(v);
}

function sentence(s: string): string {
  const t = s.replace(/\.$/, '');
  return t.charAt(0).toLowerCase() + t.slice(1);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
