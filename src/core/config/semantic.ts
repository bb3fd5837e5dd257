/**
 * Checks the schema cannot express: references between parts of the config (targets, scenario
 * and phase names in metric names), durations and threshold units, and where load may go. Each
 * kind checks its own profiles (src/runners/<kind>/config.ts); the targets, the stack, a
 * profile's process and its thresholds are checked here. Runs on the raw document even when it
 * failed the schema, so it never assumes a shape.
 */

import type { Kind } from '../../runners/kind';
import { isProfileType, KINDS } from '../../runners/registry';
import { checkDuration, checkUnique, obj, strings, type Obj } from './checks';
import { checkHeaders } from './requestChecks';
import { clipped, quoted } from './echo';
import { isUrlAllowed } from './hosts';
import type { ProblemInput, Segment } from './locate';
import { type MetricContext, readThreshold, validMetricNames } from './metrics';
import { DEFAULT_RULES, NOISE_KEY, parseNoise, parseRule, ruleCovers } from '../compare/rules';
import { didYouMean } from './suggest';

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
    if (!isProfileType(profile.type)) continue; // the schema names the valid types
    const kind = KINDS[profile.type] as unknown as Kind;
    const target = kind.config.targetOf?.(profile);
    const processNamed = name === options.processNamedFor || obj(profile.process) !== undefined
      || (target !== undefined && Object.hasOwn(targets, target) && obj(obj(targets[target])?.process) !== undefined);
    if (kind.usesRedis && !redis) needsRedis(out, at, kind.type);
    const names = kind.config.check(out, at, profile, { targets, ...(redis ? { redis } : {}), queues, options });
    checkThresholds(out, at, profile, { type: profile.type, ...names }, { processNamed, target });
    checkRegressions(out, at, profile, { type: profile.type, ...names });
  }
  return out;
}

/** What the threshold checks of one profile need to know about the rest of the config. */
interface ProfileFacts {
  /** The profile or its target names a process (or the caller names one for it). */
  processNamed: boolean;
  /** The target it sends load to, if its kind has one. */
  target?: string;
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

/** A process metric with no process to measure it in: say where to name one. */
function needsProcess(path: Segment[], metric: string, target: string | undefined): ProblemInput {
  const name = String(path[1]);
  const where = target
    ? `add "process": { "match": "server.js" } (a part of its command line; or "pid", or "inspect": "HOST:PORT") to target "${target}" or to this profile`
    : 'add "process": { "match": "server.js" } (a part of the command line of your Node service; or "pid", or "inspect": "HOST:PORT") to this profile';
  return {
    path, anchor: 'key', code: 'needs-process',
    message: `"${metric}" is measured in a Node process, but profile "${name}" names none`,
    hint: `${where}, or run it with \`perflab run ${name} --attach PID\``,
  };
}

function needsRedis(out: ProblemInput[], at: Segment[], type: string): void {
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
    if (template?.needsProcess && !facts.processNamed) out.push(needsProcess(path, metric, facts.target));
  }
}

/** Each rule names metrics of the profile (a metric, or the tail of some) and is a signed percentage or `off`. */
function checkRegressions(out: ProblemInput[], at: Segment[], profile: Obj, ctx: MetricContext): void {
  const rules = obj(profile.regressions);
  if (!rules) return;
  const metrics = validMetricNames(ctx);
  for (const [key, expression] of Object.entries(rules)) {
    const path = [...at, 'regressions', key];
    if (typeof expression !== 'string') continue; // the schema reports the type
    if (key === NOISE_KEY) {
      const noise = parseNoise(expression);
      if (!noise.ok) out.push({ path, code: 'regression', message: noise.message, hint: noise.hint });
      continue;
    }
    if (!ruleCovers(key, metrics)) {
      const guess = didYouMean(key, [...Object.keys(DEFAULT_RULES), ...metrics]);
      out.push({
        path, anchor: 'key', code: 'unknown-metric',
        message: `regression rule ${quoted(key)} names no metric of this profile`,
        hint: `${guess ? `did you mean "${guess}"? ` : ''}name a metric (e.g. "${metrics.find((m) => m.includes('p99')) ?? metrics[0] ?? 'latency.p99'}") or the last part of some (e.g. "latency.p99", "errors.rate")`,
      });
    }
    const rule = parseRule(expression);
    if (!rule.ok) out.push({ path, code: 'regression', message: rule.message, hint: rule.hint });
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
        ? 'remove it (e.g. "redis://127.0.0.1:6379") and set PERFLAB_REDIS_PASSWORD in the environment (in VS Code: "PerfLab: Set Redis Password"); results never record it'
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
