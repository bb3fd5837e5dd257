/**
 * Checks the schema cannot express: references between parts of the config (targets, scenario
 * and phase names in metric names), durations and threshold units, and where load may go.
 * Runs on the raw document even when it failed the schema, so it never assumes a shape.
 */

import { tryParseDuration } from './duration';
import { resolveGeneratorPath } from './generatorPath';
import { checkPhaseLimits, checkRate, checkScaledPreset, checkValueSize, durationTooLong } from './limits';
import { DEFAULT_BULK_SIZE, DEFAULT_CONCURRENCY, DEFAULT_PIPELINE } from './normalize';
import { checkHeaders, checkRequest } from './requestChecks';
import { clipped, echo, quoted } from './echo';
import { isUrlAllowed } from './hosts';
import type { ProblemInput, Segment } from './locate';
import { type MetricContext, readThreshold } from './metrics';
import { PRESETS } from './presets';
import { didYouMeanPrefix, listOf } from './suggest';
import type { PresetName, ProfileType } from './types';

type Obj = Record<string, unknown>;

/** What the checks know beyond the file. */
export interface SemanticOptions {
  /** Folder of the config file: relative paths in it (a generator module) resolve from here. */
  configDir: string;
  /**
   * A profile about to run with its process named outside the config (`perflab run <profile>
   * --attach PID`, or a profile run under an attached profiler): thresholds on process metrics
   * are measurable for it without a `process` in the file.
   */
  processNamedFor?: string;
}

export function checkSemantics(root: Obj, options: SemanticOptions): ProblemInput[] {
  const out: ProblemInput[] = [];
  const topAllow = strings(root.allowHosts);
  const targets = obj(root.targets) ?? {};
  const stack = obj(root.stack);
  const redis = obj(stack?.redis);

  for (const [name, raw] of Object.entries(targets)) {
    const target = obj(raw);
    if (!target) continue;
    const at: Segment[] = ['targets', name];
    checkUrl(out, [...at, 'baseUrl'], target.baseUrl, ['http:', 'https:'], [...topAllow, ...strings(target.allowHosts)], `target ${quoted(name)}`);
    checkDuration(out, [...at, 'timeout'], target.timeout, true);
    checkProcess(out, [...at, 'process'], target.process);
    checkHeaders(out, [...at, 'headers'], target.headers);
  }

  if (redis) checkUrl(out, ['stack', 'redis', 'url'], redis.url, ['redis:', 'rediss:'], topAllow, 'Redis');
  const queues = (Array.isArray(stack?.queues) ? stack.queues : []).map((q) => obj(q)?.name);
  checkUnique(out, ['stack', 'queues'], queues, 'queue');

  for (const [name, raw] of Object.entries(obj(root.profiles) ?? {})) {
    const profile = obj(raw);
    if (!profile) continue;
    const at: Segment[] = ['profiles', name];
    checkProcess(out, [...at, 'process'], profile.process);
    const processNamed = name === options.processNamedFor || obj(profile.process) !== undefined
      || (profile.type === 'http' && typeof profile.target === 'string' && obj(Object.hasOwn(targets, profile.target) ? obj(targets[profile.target])?.process : undefined) !== undefined);
    const facts: ProfileFacts = { processNamed };
    if (profile.type === 'http') checkHttp(out, at, profile, targets, options, facts);
    else if (profile.type === 'redis') checkRedis(out, at, profile, redis, facts);
    else if (profile.type === 'bullmq') checkBullmq(out, at, profile, redis, queues, facts);
  }
  return out;
}

/** What the checks of one profile need to know about the rest of the config. */
interface ProfileFacts {
  /** The profile or its target names a process (or the caller names one for it). */
  processNamed: boolean;
}

/** A `process` names exactly one way to find the process; a `match` written `/…/` must be a valid regular expression. */
function checkProcess(out: ProblemInput[], at: Segment[], raw: unknown): void {
  const p = obj(raw);
  if (!p) return; // the schema reports a wrong type
  const ways = (['pid', 'inspect', 'match'] as const).filter((k) => k in p);
  if (ways.length === 0) {
    out.push({
      path: at, anchor: 'key', code: 'required', message: '"process" names no process',
      hint: 'add one of "pid": 1234, "inspect": "127.0.0.1:9229" or "match": "server.js" (a part of its command line)',
    });
  } else if (ways.length > 1) {
    out.push({
      path: [...at, ways[1]!], anchor: 'key', code: 'conflict', message: `"process" names the process ${ways.length} ways (${ways.map((w) => `"${w}"`).join(', ')})`,
      hint: `keep one of them: "pid" for a fixed process, "inspect" for an inspector address, "match" to find it by command line`,
    });
  }
  if (typeof p.match === 'string') {
    const regex = /^\/(.*)\/([a-z]*)$/s.exec(p.match);
    if (regex) {
      try {
        new RegExp(regex[1]!, regex[2]);
      } catch (err) {
        out.push({
          path: [...at, 'match'], code: 'pattern', message: `${JSON.stringify(p.match)} is not a valid regular expression: ${(err as Error).message}`,
          hint: 'fix the expression, or write a plain part of the command line without the surrounding slashes, e.g. "server.js"',
        });
      }
    }
  }
}

function checkHttp(out: ProblemInput[], at: Segment[], p: Obj, targets: Obj, options: SemanticOptions, facts: ProfileFacts): void {
  if (typeof p.target === 'string' && p.target !== '' && !Object.hasOwn(targets, p.target)) {
    const names = Object.keys(targets);
    out.push({
      path: [...at, 'target'], code: 'unknown-target', message: `unknown target ${quoted(p.target)}`,
      hint: names.length === 0
        ? `define it under "targets", e.g. "targets": { ${quoted(p.target)}: { "baseUrl": "http://127.0.0.1:3000" } }`
        : `${didYouMeanPrefix(p.target, names)}targets: ${listOf(names)}`,
    });
  }
  const hasPhases = 'phases' in p;
  const preset = typeof p.preset === 'string' && Object.hasOwn(PRESETS, p.preset) ? (p.preset as PresetName) : undefined;
  if (hasPhases && 'preset' in p) {
    out.push({
      path: [...at, 'preset'], anchor: 'key', code: 'conflict', message: 'use either "preset" or "phases", not both',
      hint: 'remove "preset" to run your own phases, or remove "phases" to run the preset',
    });
  } else if (!hasPhases && !('preset' in p)) {
    out.push({
      path: at, code: 'required', message: 'missing "phases" (or "preset")',
      hint: 'add "phases": [{ "name": "steady", "duration": "30s", "arrivalRate": 10 }], or "preset": "smoke"',
    });
  }
  if (preset) checkScaledPreset(out, at, Math.max(...PRESETS[preset].map((ph) => Math.max(ph.arrivalRate, ph.rampTo ?? 0))), p.scale);
  if ('scale' in p && !('preset' in p)) {
    out.push({
      path: [...at, 'scale'], anchor: 'key', severity: 'warning', code: 'ignored', message: '"scale" only applies with "preset"',
      hint: 'remove "scale", or change the rates of your phases directly',
    });
  }

  const phases = Array.isArray(p.phases) ? p.phases.map(obj) : [];
  phases.forEach((ph, i) => {
    checkDuration(out, [...at, 'phases', i, 'duration'], ph?.duration, false);
    checkPhaseLimits(out, [...at, 'phases', i], ph);
  });
  const phaseNames = hasPhases ? phases.map((ph) => ph?.name) : preset ? PRESETS[preset].map((ph) => ph.name) : [];
  if (hasPhases) checkUnique(out, [...at, 'phases'], phaseNames, 'phase');

  const scenarios = Array.isArray(p.scenarios) ? p.scenarios.map(obj) : [];
  const scenarioNames = scenarios.map((s) => s?.name);
  checkUnique(out, [...at, 'scenarios'], scenarioNames, 'scenario');
  scenarios.forEach((s, i) => checkRequest(out, [...at, 'scenarios', i, 'request'], s?.request));
  if (typeof p.generator === 'string' && p.generator !== '') {
    const generator = resolveGeneratorPath(options.configDir, p.generator);
    if (!generator.ok) out.push({ path: [...at, 'generator'], code: generator.code, message: generator.message, hint: generator.hint });
  }

  checkDuration(out, [...at, 'timeout'], p.timeout, true);
  checkThresholds(out, at, p, { type: 'http', scenarios: names(scenarioNames), phases: names(phaseNames) }, facts);
}

function checkRedis(out: ProblemInput[], at: Segment[], p: Obj, redis: Obj | undefined, facts: ProfileFacts): void {
  if (!redis) needsRedis(out, at, 'redis');
  // Commands in flight at once, each carrying the value: as src/runners/redis/modes.ts issues them.
  const mode = p.mode ?? 'concurrent';
  const pipeline = typeof p.pipeline === 'number' ? p.pipeline : DEFAULT_PIPELINE;
  const concurrency = typeof p.concurrency === 'number' ? p.concurrency : DEFAULT_CONCURRENCY;
  const [sent, what] = mode === 'sequential' ? [1, 'command'] : mode === 'pipeline' ? [pipeline, 'commands per pipeline'] : [concurrency, 'commands in flight (concurrency)'];
  const pipelined = mode !== 'pipeline' && Array.isArray(p.operations) && p.operations.includes('pipeline');
  checkValueSize(out, [...at, 'valueSize'], p.valueSize, pipelined ? sent * pipeline : sent, pipelined ? `${what} × ${pipeline} per pipeline` : what);
  checkDuration(out, [...at, 'duration'], p.duration, false);
  checkThresholds(out, at, p, { type: 'redis', operations: names(Array.isArray(p.operations) ? p.operations : []) }, facts);
}

function checkBullmq(out: ProblemInput[], at: Segment[], p: Obj, redis: Obj | undefined, queues: unknown[], facts: ProfileFacts): void {
  if (!redis) needsRedis(out, at, 'bullmq');
  const known = names(queues);
  if (typeof p.queue === 'string' && known.length > 0 && !known.includes(p.queue)) {
    out.push({
      path: [...at, 'queue'], severity: 'warning', code: 'unknown-queue', message: `queue ${quoted(p.queue)} is not listed in stack.queues`,
      hint: `${didYouMeanPrefix(p.queue, known)}stack.queues: ${listOf(known)}; add it there to see it in the Stack view`,
    });
  }
  const mode = p.mode ?? 'e2e';
  if (mode === 'drain' && 'duration' in p) {
    out.push({
      path: [...at, 'duration'], anchor: 'key', code: 'conflict', message: '"drain" mode needs a fixed number of jobs, not a duration',
      hint: 'replace "duration" with "jobs", e.g. "jobs": 20000',
    });
  }
  if ('bulkSize' in p && mode !== 'addBulk') {
    out.push({
      path: [...at, 'bulkSize'], anchor: 'key', severity: 'warning', code: 'ignored', message: `"bulkSize" only applies in "addBulk" mode (this profile's mode is ${echo(mode)})`,
      hint: 'set "mode": "addBulk", or remove "bulkSize"',
    });
  }
  checkDuration(out, [...at, 'duration'], p.duration, false);
  checkRate(out, [...at, 'arrivalRate'], p.arrivalRate);
  const bulk = mode === 'addBulk' ? (typeof p.bulkSize === 'number' ? p.bulkSize : DEFAULT_BULK_SIZE) : 1;
  checkValueSize(out, [...at, 'payloadSize'], p.payloadSize, bulk, bulk > 1 ? 'jobs per addBulk call (bulkSize)' : 'job');
  checkDuration(out, [...at, 'processTime'], p.processTime, true);
  checkDuration(out, [...at, 'delayed', 'delay'], obj(p.delayed)?.delay, true);
  checkDuration(out, [...at, 'backoff', 'delay'], obj(p.backoff)?.delay, true);
  checkDuration(out, [...at, 'limiter', 'duration'], obj(p.limiter)?.duration, false);
  checkThresholds(out, at, p, { type: 'bullmq' }, facts);
}

/** A process metric with no process to measure it in: say where to name one. */
function needsProcess(path: Segment[], metric: string, profile: Obj): ProblemInput {
  const name = String(path[1]);
  const target = profile.type === 'http' && typeof profile.target === 'string' ? profile.target : undefined;
  const where = target
    ? `add "process": { "match": "server.js" } (a part of its command line; or "pid", or "inspect": "HOST:PORT") to target "${target}" or to this profile`
    : 'add "process": { "match": "server.js" } (a part of the command line of your Node service; or "pid", or "inspect": "HOST:PORT") to this profile';
  return {
    path, anchor: 'key', code: 'needs-process',
    message: `"${metric}" is measured in a Node process, but profile "${name}" names none`,
    hint: `${where}, or run it with \`perflab run ${name} --attach PID\``,
  };
}

function needsRedis(out: ProblemInput[], at: Segment[], type: ProfileType): void {
  out.push({
    path: [...at, 'type'], code: 'missing-stack', message: `${type} profile ${quoted(String(at[1]))} needs stack.redis, which is not configured`,
    hint: 'add "stack": { "redis": { "url": "redis://127.0.0.1:6379" } } at the top level',
  });
}

function checkThresholds(out: ProblemInput[], at: Segment[], profile: Obj, ctx: MetricContext, facts: ProfileFacts): void {
  const thresholds = obj(profile.thresholds);
  if (!thresholds) return;
  for (const [metric, expression] of Object.entries(thresholds)) {
    const path = [...at, 'thresholds', metric];
    const { template, problems } = readThreshold(metric, expression, ctx);
    for (const p of problems) out.push({ path, ...p });
    if (template?.needsProcess && !facts.processNamed) out.push(needsProcess(path, metric, profile));
  }
}

/** Durations the schema let through ("0s") and numbers that were probably meant as milliseconds. */
function checkDuration(out: ProblemInput[], path: Segment[], value: unknown, shortByNature: boolean): void {
  if (value === undefined || (typeof value !== 'string' && typeof value !== 'number')) return;
  const r = tryParseDuration(value);
  const tooLong = r.ok ? durationTooLong(r.ms, typeof value === 'number' ? `${value} s` : quoted(value)) : undefined;
  if (!r.ok) {
    out.push({ path, code: 'duration', message: r.message, hint: r.hint });
  } else if (tooLong) {
    out.push({ path, code: 'limit', ...tooLong });
  } else if (shortByNature && typeof value === 'number' && value >= 1_000) {
    out.push({
      path, severity: 'warning', code: 'duration-seconds', message: `${value} means ${value} seconds (a bare number is seconds)`,
      hint: `if you meant milliseconds, write "${value}ms"`,
    });
  }
}

function checkUrl(out: ProblemInput[], path: Segment[], value: unknown, protocols: string[], allow: string[], what: string): void {
  if (typeof value !== 'string') return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    out.push({ path, code: 'url', message: `${quoted(value)} is not a valid URL`, hint: `write e.g. "${protocols[0] === 'http:' ? 'http://127.0.0.1:3000' : 'redis://127.0.0.1:6379'}"` });
    return;
  }
  if (!protocols.includes(url.protocol)) return; // the schema's pattern reports it
  if (url.password) {
    const redis = url.protocol.startsWith('redis');
    out.push({
      path, code: 'secret-in-config', message: `the ${redis ? 'Redis URL' : 'URL'} contains a password`,
      hint: redis
        ? 'remove it (e.g. "redis://127.0.0.1:6379") and set PERFLAB_REDIS_PASSWORD in the environment, or store it from the editor; results never record it'
        : 'remove the credentials from the URL and send an Authorization header in "headers" instead',
    });
  }
  if (!isUrlAllowed(url, allow)) {
    const host = clipped(url.hostname);
    out.push({
      path, severity: 'warning', code: 'host-not-allowed',
      message: `${what} points at ${host}, which is not loopback and not in allowHosts`,
      hint: `PerfLab only sends load to loopback: runs against it are refused until "${host}" is listed in ${what.startsWith('target') ? 'the target\'s or the top-level' : 'the top-level'} "allowHosts"`,
    });
  }
}

function checkUnique(out: ProblemInput[], at: Segment[], values: unknown[], what: string): void {
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    if (typeof v !== 'string') return;
    const first = seen.get(v);
    if (first === undefined) {
      seen.set(v, i);
      return;
    }
    out.push({
      path: [...at, i, 'name'], code: 'duplicate-name', message: `duplicate ${what} name ${quoted(v)} (also ${formatIndex(at, first)})`,
      hint: `give each ${what} its own name; names identify ${what}s in results and thresholds`,
    });
  });
}

function formatIndex(at: Segment[], i: number): string {
  return `${String(at[at.length - 1])}[${i}]`;
}

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function names(values: unknown[]): string[] {
  return values.filter((s): s is string => typeof s === 'string');
}
