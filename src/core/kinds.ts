/**
 * What each kind of run is, in one place: its name in the UI, its icon, the words its results
 * use, and the metrics it measures. The runner registry (src/runners/registry.ts) pairs each
 * entry with the runner that starts it; the metric catalog (core/config/metrics.ts), the text and
 * Markdown reports, the editor's trees and the run webview read it from here. Pure data (no Node,
 * no DOM): the webview bundle takes this file as it is.
 *
 * A new kind is its runner folder under src/runners, an entry here and its line in the registry,
 * plus its part of the config (README, "Adding a kind of run", lists the files).
 */
import type { MetricUnit, RunType } from './runRecord';

/** A metric a kind's runs report, by name pattern (`<stat>`, `<scenario>`, `<phase>`, `<operation>` are filled from the profile). */
export interface KindMetric {
  pattern: string;
  unit: MetricUnit;
  description: string;
}

export interface KindDescription {
  type: RunType;
  /** What the UI calls a run of this kind: `HTTP load test`. */
  label: string;
  /** A codicon name for the trees (https://microsoft.github.io/vscode-codicons/). */
  icon: string;
  /** Words for its results. */
  words: {
    /** What it counts, as a heading: `Requests`. */
    count: string;
    /** The count's table column. */
    countColumn: string;
    /** Its rate: `req/s`. */
    rateUnit: string;
    /** One row of its results, and the section they are in: `Scenario`, `Scenarios`. */
    item: string;
    items: string;
  };
  /** The metrics its own runner measures (the catalog adds those every kind has, see core/config/metrics.ts). */
  metrics: readonly KindMetric[];
}

const m = (pattern: string, unit: MetricUnit, description: string): KindMetric => ({ pattern, unit, description });

const REDIS_MEMORY = m('redis.memory.used.max', 'bytes', "Peak memory of the Redis server during the run (INFO memory's used_memory).");

export const KINDS: { readonly [T in RunType]: KindDescription & { type: T } } = {
  http: {
    type: 'http',
    label: 'HTTP load test',
    icon: 'globe',
    words: { count: 'Requests', countColumn: 'Requests', rateUnit: 'req/s', item: 'Scenario', items: 'Scenarios' },
    metrics: [
      m('latency.<stat>', 'ms', 'Request latency (from the intended send time with an arrival rate).'),
      m('latency.uncorrected.<stat>', 'ms', 'Request latency from the actual send (arrival-rate phases).'),
      m('rps', 'ops/s', 'Completed requests per second.'),
      m('requests', 'count', 'Completed requests.'),
      m('errors.count', 'count', 'Failed requests.'),
      m('scenario.<scenario>.latency.<stat>', 'ms', 'Latency of one scenario.'),
      m('scenario.<scenario>.errors.rate', 'ratio', 'Share of failed requests of one scenario.'),
      m('scenario.<scenario>.rps', 'ops/s', 'Requests per second of one scenario.'),
      m('phase.<phase>.latency.<stat>', 'ms', 'Latency during one phase.'),
      m('phase.<phase>.rps', 'ops/s', 'Requests per second during one phase.'),
      m('generator.lag.p99', 'ms', "99th percentile event-loop lag of PerfLab's load generator."),
      m('generator.late', 'count', 'Requests sent later than scheduled.'),
    ],
  },
  redis: {
    type: 'redis',
    label: 'Redis benchmark',
    icon: 'database',
    words: { count: 'Operations', countColumn: 'Count', rateUnit: 'ops/s', item: 'Operation', items: 'Operations' },
    metrics: [
      m('op.<operation>.rate', 'ops/s', 'Commands per second of one operation.'),
      m('op.<operation>.latency.<stat>', 'ms', 'Latency of one operation.'),
      REDIS_MEMORY,
    ],
  },
  bullmq: {
    type: 'bullmq',
    label: 'BullMQ benchmark',
    icon: 'list-ordered',
    words: { count: 'Jobs', countColumn: 'Jobs', rateUnit: 'jobs/s', item: 'Operation', items: 'Operations' },
    metrics: [
      m('e2e.latency.<stat>', 'ms', 'Job latency from add to completion.'),
      m('add.rate', 'ops/s', 'Jobs added per second.'),
      m('drain.rate', 'ops/s', 'Jobs completed per second.'),
      m('jobs.failed', 'count', 'Jobs that ended failed.'),
      REDIS_MEMORY,
    ],
  },
};

/** The kinds in a stable order: `http`, `redis`, `bullmq`. */
export const KIND_TYPES = Object.keys(KINDS) as RunType[];

/** The description of a run's kind; one of another version's kinds gets a neutral one. */
export function kindOf(type: string): KindDescription {
  if (Object.hasOwn(KINDS, type)) return KINDS[type as RunType];
  return {
    type: type as RunType, label: `${type} run`, icon: 'beaker',
    words: { count: 'Operations', countColumn: 'Count', rateUnit: '/s', item: 'Operation', items: 'Operations' }, metrics: [],
  };
}
