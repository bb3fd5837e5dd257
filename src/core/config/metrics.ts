/**
 * The metrics a threshold can name, per profile type, and the unit each is measured in: each
 * kind's own (its folder's kind.ts, listed by src/runners/registry.ts) and those every kind has
 * ({@link COMMON_METRICS}). Runners report under these same names, so a threshold that validates
 * here finds its value.
 */

import { type KindMetric, metric } from '../kindDescription';
import { KINDS, KIND_TYPES } from '../../runners/registry';
import { bindThreshold, type MetricUnit, tryParseThresholdExpression } from './threshold';
import type { Profile, ProfileType, Threshold } from './types';
import { quoted } from './echo';
import { didYouMean, listOf } from './suggest';

export const LATENCY_STATS = ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];

/**
 * A metric of the catalog and the kinds that measure it. `<stat>` is one of
 * {@link LATENCY_STATS}; `<scenario>`, `<phase>`, `<operation>` name parts of the profile.
 */
export interface MetricTemplate extends KindMetric {
  types: readonly ProfileType[];
}

const sampled = (pattern: string, unit: MetricUnit, description: string) => metric(pattern, unit, description, { needsProcess: true });

/** The metrics of every kind: its failures, and the Node process a run samples (src/runners/processSampling.ts). */
export const COMMON_METRICS: readonly KindMetric[] = [
  metric('errors.rate', 'ratio', 'Share of requests, commands or jobs that failed.'),
  sampled('memory.rss.max', 'bytes', 'Peak resident set size of the sampled Node process.'),
  sampled('memory.heapUsed.max', 'bytes', 'Peak V8 heap used by the sampled Node process.'),
  sampled('memory.heapUsed.growth', 'bytes/min', 'Growth of the heap left after major GCs of the sampled Node process (least-squares slope), per minute.'),
  sampled('eventLoop.lag.p99', 'ms', '99th percentile event-loop delay of the sampled Node process over the run, net of the timer resolution.'),
  sampled('eventLoop.lag.max', 'ms', 'Worst event-loop delay of the sampled Node process, net of the timer resolution.'),
  sampled('cpu.max', 'ratio', 'Highest CPU use of the sampled Node process over one monitor interval, as a fraction of one core.'),
];

/**
 * The catalog: each kind's metrics in the registry's order, then the common ones; a metric that
 * several kinds declare (the same object, e.g. Redis memory) is one entry naming them all.
 */
export const METRIC_TEMPLATES: readonly MetricTemplate[] = (() => {
  const byMetric = new Map<KindMetric, ProfileType[]>();
  for (const type of KIND_TYPES) for (const metric of KINDS[type].metrics) byMetric.set(metric, [...(byMetric.get(metric) ?? []), type]);
  for (const metric of COMMON_METRICS) byMetric.set(metric, KIND_TYPES);
  return [...byMetric].map(([metric, types]) => ({ ...metric, types }));
})();

/** The names a profile defines, which fill the templates' placeholders. */
export interface MetricContext {
  type: ProfileType;
  scenarios?: readonly string[];
  phases?: readonly string[];
  operations?: readonly string[];
}

export type MetricLookup =
  | { ok: true; unit: MetricUnit; template: MetricTemplate }
  | { ok: false; code: MetricErrorCode; message: string; hint: string };

export type MetricErrorCode = 'unknown-metric' | 'unknown-scenario' | 'unknown-phase' | 'unknown-operation' | 'unknown-stat' | 'metric-not-for-type';

type Placeholder = 'stat' | 'scenario' | 'phase' | 'operation';

const PLACEHOLDER_WORD: Record<Placeholder, string> = { stat: 'statistic', scenario: 'scenario', phase: 'phase', operation: 'operation' };
const PLACEHOLDER_CODE: Record<Placeholder, MetricErrorCode> = {
  stat: 'unknown-stat', scenario: 'unknown-scenario', phase: 'unknown-phase', operation: 'unknown-operation',
};

/** What is wrong with one threshold: `anchor: 'key'` when it is the metric's name, not the expression. */
export interface ThresholdProblem {
  code: MetricErrorCode | 'threshold' | 'unit-mismatch';
  message: string;
  hint: string;
  anchor?: 'key';
}

/**
 * Reads one threshold of a profile, the one place that does: its metric looked up in the
 * catalog, its expression parsed and bound to the metric's unit. Every problem is given (an
 * unknown metric and a bad expression at once); `threshold` is there only when there are none.
 * A non-string expression gets no problem here: the schema reports its type.
 */
export function readThreshold(metric: string, expression: unknown, ctx: MetricContext): { threshold?: Threshold; template?: MetricTemplate; problems: ThresholdProblem[] } {
  const problems: ThresholdProblem[] = [];
  const found = lookupMetric(metric, ctx);
  if (!found.ok) problems.push({ code: found.code, message: found.message, hint: found.hint, anchor: 'key' });
  const template = found.ok ? found.template : undefined;
  if (typeof expression !== 'string') return { ...(template ? { template } : {}), problems };
  const parsed = tryParseThresholdExpression(expression);
  if (!parsed.ok) problems.push({ code: 'threshold', message: parsed.message, hint: parsed.hint });
  if (!found.ok || !parsed.ok) return { ...(template ? { template } : {}), problems };
  const bound = bindThreshold(parsed.value, metric, found.unit);
  if (!bound.ok) return { template: found.template, problems: [{ code: 'unit-mismatch', message: bound.message, hint: bound.hint }] };
  return { threshold: { metric, expression, ...bound.value }, template: found.template, problems };
}

/** Checks a metric name against a profile; when unknown, says why and lists what is valid. */
export function lookupMetric(name: string, ctx: MetricContext): MetricLookup {
  const own = templatesFor(ctx.type);
  let nearMiss: MetricLookup | undefined;
  for (const template of own) {
    const bindings = matchTemplate(template.pattern, name);
    if (!bindings) continue;
    const bad = bindings.find(([ph, value]) => !valuesOf(ph, ctx).includes(value));
    if (!bad) return { ok: true, unit: template.unit, template };
    nearMiss ??= placeholderError(bad[0], bad[1], name, ctx);
  }
  if (nearMiss) return nearMiss;

  const other = METRIC_TEMPLATES.find((tp) => !tp.types.includes(ctx.type) && matchTemplate(tp.pattern, name));
  if (other) {
    return {
      ok: false,
      code: 'metric-not-for-type',
      message: `${quoted(name)} is a metric of ${other.types.join('/')} profiles, not of ${aProfile(ctx.type)}`,
      hint: `use a metric of ${aProfile(ctx.type)}: ${describeMetrics(ctx)}`,
    };
  }
  const guess = didYouMean(name, validMetricNames(ctx));
  return {
    ok: false,
    code: 'unknown-metric',
    message: `unknown metric ${quoted(name)} for ${aProfile(ctx.type)}`,
    hint: `${guess ? `did you mean "${guess}"? ` : ''}valid metrics: ${describeMetrics(ctx)}`,
  };
}

/**
 * The names a loaded profile defines, as its kind's config part reported them when it was
 * normalized: an HTTP profile's scenarios and phases, a Redis profile's operations.
 */
export function metricContextOf(profile: Profile): MetricContext {
  const p = profile as unknown as { scenarios?: { name: string }[]; phases?: { name: string }[]; operations?: string[] };
  return {
    type: profile.type,
    ...(p.scenarios ? { scenarios: p.scenarios.map((s) => s.name) } : {}),
    ...(p.phases ? { phases: p.phases.map((ph) => ph.name) } : {}),
    ...(p.operations ? { operations: [...p.operations] } : {}),
  };
}

/** Every metric name valid for the profile, placeholders expanded (for completion and suggestions). */
export function validMetricNames(ctx: MetricContext): string[] {
  const out: string[] = [];
  for (const template of templatesFor(ctx.type)) {
    let names = [''];
    for (const seg of template.pattern.split('.')) {
      const ph = placeholderOf(seg);
      const values = ph ? valuesOf(ph, ctx) : [seg];
      names = names.flatMap((prefix) => values.map((v) => (prefix ? `${prefix}.${v}` : v)));
    }
    for (const name of names) out.push(name);
  }
  return out;
}

/** The unit of a metric a run of `type` reported (a name from the catalog, whatever its placeholders hold). */
export function unitOfMetric(name: string, type: string): MetricUnit | undefined {
  return METRIC_TEMPLATES.find((tp) => tp.types.includes(type as ProfileType) && matchTemplate(tp.pattern, name))?.unit;
}

/** Templates that apply to a profile type. */
export function templatesFor(type: ProfileType): MetricTemplate[] {
  return METRIC_TEMPLATES.filter((tp) => tp.types.includes(type));
}

/** `latency.<stat>, rps, …; <stat> is p50|p90|…; <scenario> is a|b` — compact, for hints. */
export function describeMetrics(ctx: MetricContext): string {
  const templates = templatesFor(ctx.type).filter((tp) => {
    const phs = tp.pattern.split('.').map(placeholderOf).filter((p): p is Placeholder => p !== undefined);
    return phs.every((p) => valuesOf(p, ctx).length > 0);
  });
  const used = new Set<Placeholder>();
  for (const tp of templates) for (const seg of tp.pattern.split('.')) {
    const ph = placeholderOf(seg);
    if (ph) used.add(ph);
  }
  const legend = [...used].map((ph) => `<${ph}> is ${listOf(valuesOf(ph, ctx)).replace(/, /g, '|')}`);
  return `${templates.map((tp) => tp.pattern).join(', ')}${legend.length ? `; ${legend.join('; ')}` : ''}`;
}

function placeholderError(ph: Placeholder, value: string, name: string, ctx: MetricContext): MetricLookup {
  const values = valuesOf(ph, ctx);
  const guess = didYouMean(value, values);
  const what = PLACEHOLDER_WORD[ph];
  const message = ph === 'stat'
    ? `unknown statistic ${quoted(value)} in ${quoted(name)}`
    : ph === 'operation'
      ? `operation ${quoted(value)} in ${quoted(name)} is not among this profile's operations`
      : `no ${what} named ${quoted(value)} in this profile (metric ${quoted(name)})`;
  const list = values.length ? `${what === 'statistic' ? 'statistics' : `${what}s`}: ${listOf(values)}` : `the profile has no ${what}s`;
  const hint = ph === 'operation' && !guess
    ? `add ${quoted(value)} to "operations" or use one of them; ${list}`
    : `${guess ? `did you mean "${guess}"? ` : ''}${list}`;
  return { ok: false, code: PLACEHOLDER_CODE[ph], message, hint };
}

function matchTemplate(pattern: string, name: string): [Placeholder, string][] | undefined {
  const ps = pattern.split('.');
  const ns = name.split('.');
  if (ps.length !== ns.length) return undefined;
  const bindings: [Placeholder, string][] = [];
  for (let i = 0; i < ps.length; i++) {
    const ph = placeholderOf(ps[i]!);
    if (ph) {
      if (ns[i] === '') return undefined;
      bindings.push([ph, ns[i]!]);
    } else if (ps[i] !== ns[i]) {
      return undefined;
    }
  }
  return bindings;
}

function placeholderOf(seg: string): Placeholder | undefined {
  const m = /^<(stat|scenario|phase|operation)>$/.exec(seg);
  return m ? (m[1] as Placeholder) : undefined;
}

function valuesOf(ph: Placeholder, ctx: MetricContext): readonly string[] {
  switch (ph) {
    case 'stat': return LATENCY_STATS;
    case 'scenario': return ctx.scenarios ?? [];
    case 'phase': return ctx.phases ?? [];
    case 'operation': return ctx.operations ?? [];
  }
}

/** `an http profile`: how messages name a profile of the type. */
function aProfile(type: ProfileType): string {
  return KINDS[type].profileNoun;
}
