/**
 * What each kind of run is, in one place: its name in the UI, its icon, the words its results
 * use ({@link KINDS}), and the metrics it measures ({@link METRICS}, one list for all kinds). The
 * runner registry (src/runners/registry.ts) pairs each kind with the runner that starts it; the
 * metric catalog (core/config/metrics.ts), the text and Markdown reports, the editor's trees and
 * the run webview read it from here. Pure data (no Node,
 * no DOM): the webview bundle takes this file as it is.
 *
 * A new kind is its runner folder under src/runners, an entry here and its line in the registry,
 * plus its part of the config (README, "Adding a kind of run", lists the files).
 */
import type { MetricUnit, RunType } from './runRecord';

/**
 * A metric a run reports, by name pattern (`<stat>`, `<scenario>`, `<phase>`, `<operation>` are
 * filled from the profile), for the kinds that measure it.
 */
export interface KindMetric {
  pattern: string;
  unit: MetricUnit;
  description: string;
  types: readonly RunType[];
  /**
   * Measured inside a Node process that the run samples over the inspector: only a profile whose
   * process is named (its own or its target's `process`, or `--attach PID`) produces it.
   */
  needsProcess?: true;
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
}

export const KINDS: { readonly [T in RunType]: KindDescription & { type: T } } = {
  http: {
    type: 'http',
    label: 'HTTP load test',
    icon: 'globe',
    words: { count: 'Requests', countColumn: 'Requests', rateUnit: 'req/s', item: 'Scenario', items: 'Scenarios' },
  },
  redis: {
    type: 'redis',
    label: 'Redis benchmark',
    icon: 'database',
    words: { count: 'Operations', countColumn: 'Count', rateUnit: 'ops/s', item: 'Operation', items: 'Operations' },
  },
  bullmq: {
    type: 'bullmq',
    label: 'BullMQ benchmark',
    icon: 'list-ordered',
    words: { count: 'Jobs', countColumn: 'Jobs', rateUnit: 'jobs/s', item: 'Operation', items: 'Operations' },
  },
};

/** The kinds in a stable order: `http`, `redis`, `bullmq`. */
export const KIND_TYPES = Object.keys(KINDS) as RunType[];

/** The description of a run's kind; one of another version's kinds gets a neutral one. */
export function kindOf(type: string): KindDescription {
  if (Object.hasOwn(KINDS, type)) return KINDS[type as RunType];
  return {
    type: type as RunType, label: `${type} run`, icon: 'beaker',
    words: { count: 'Operations', countColumn: 'Count', rateUnit: '/s', item: 'Operation', items: 'Operations' },
  };
}

const ALL = KIND_TYPES;
const m = (pattern: string, unit: MetricUnit, types: readonly RunType[], description: string): KindMetric => ({ pattern, unit, types, description });
const p = (pattern: string, unit: MetricUnit, description: string): KindMetric => ({ pattern, unit, types: ALL, description, needsProcess: true });

/** Every metric a threshold can name, one list for all kinds (core/config/metrics.ts checks names against it). */
export const METRICS: readonly KindMetric[] = [
  m('latency.<stat>', 'ms', ['http'], 'Request latency (from the intended send time with an arrival rate).'),
  m('latency.uncorrected.<stat>', 'ms', ['http'], 'Request latency from the actual send (arrival-rate phases).'),
  m('rps', 'ops/s', ['http'], 'Completed requests per second.'),
  m('requests', 'count', ['http'], 'Completed requests.'),
  m('errors.count', 'count', ['http'], 'Failed requests.'),
  m('scenario.<scenario>.latency.<stat>', 'ms', ['http'], 'Latency of one scenario.'),
  m('scenario.<scenario>.errors.rate', 'ratio', ['http'], 'Share of failed requests of one scenario.'),
  m('scenario.<scenario>.rps', 'ops/s', ['http'], 'Requests per second of one scenario.'),
  m('phase.<phase>.latency.<stat>', 'ms', ['http'], 'Latency during one phase.'),
  m('phase.<phase>.rps', 'ops/s', ['http'], 'Requests per second during one phase.'),
  m('generator.lag.p99', 'ms', ['http'], "99th percentile event-loop lag of PerfLab's load generator."),
  m('generator.late', 'count', ['http'], 'Requests sent later than scheduled.'),
  m('op.<operation>.rate', 'ops/s', ['redis'], 'Commands per second of one operation.'),
  m('op.<operation>.latency.<stat>', 'ms', ['redis'], 'Latency of one operation.'),
  m('e2e.latency.<stat>', 'ms', ['bullmq'], 'Job latency from add to completion.'),
  m('add.rate', 'ops/s', ['bullmq'], 'Jobs added per second.'),
  m('drain.rate', 'ops/s', ['bullmq'], 'Jobs completed per second.'),
  m('jobs.failed', 'count', ['bullmq'], 'Jobs that ended failed.'),
  m('redis.memory.used.max', 'bytes', ['redis', 'bullmq'], "Peak memory of the Redis server during the run (INFO memory's used_memory)."),
  m('errors.rate', 'ratio', ALL, 'Share of requests, commands or jobs that failed.'),
  p('memory.rss.max', 'bytes', 'Peak resident set size of the sampled Node process.'),
  p('memory.heapUsed.max', 'bytes', 'Peak V8 heap used by the sampled Node process.'),
  p('memory.heapUsed.growth', 'bytes/min', 'Growth of the heap left after major GCs of the sampled Node process (least-squares slope), per minute.'),
  p('eventLoop.lag.p99', 'ms', '99th percentile event-loop delay of the sampled Node process over the run, net of the timer resolution.'),
  p('eventLoop.lag.max', 'ms', 'Worst event-loop delay of the sampled Node process, net of the timer resolution.'),
  p('cpu.max', 'ratio', 'Highest CPU use of the sampled Node process over one monitor interval, as a fraction of one core.'),
];
