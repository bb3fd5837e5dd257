/**
 * What the UI shows of a kind of run: its name, icon and the words its results use. Each kind
 * declares one in its folder (src/runners/<kind>/kind.ts); the registry (src/runners/registry.ts)
 * lists them. Pure, serializable data: the run webview receives its run's description in the
 * `run` message (src/protocol.ts) rather than importing the registry.
 */
import type { MetricUnit } from './runRecord';

export interface KindWords {
  /** What it counts, as a heading: `Requests`. */
  count: string;
  /** The count's table column. */
  countColumn: string;
  /** Its rate: `req/s`. */
  rateUnit: string;
  /** One row of its results, and the section they are in: `Scenario`, `Scenarios`. */
  item: string;
  items: string;
}

export interface KindDescription {
  /** The profile's `type` in the config, and the run record's. */
  type: string;
  /** What the UI calls a run of this kind: `HTTP load test`. */
  label: string;
  /** How messages name one of its profiles: `an http profile`. */
  profileNoun: string;
  /** A codicon name for the trees (https://microsoft.github.io/vscode-codicons/). */
  icon: string;
  words: KindWords;
}

/**
 * A metric a run of the kind reports, by name pattern (`<stat>`, `<scenario>`, `<phase>`,
 * `<operation>` are filled from the profile). Runners report under these names, so a threshold
 * that validates finds its value.
 */
export interface KindMetric {
  pattern: string;
  unit: MetricUnit;
  description: string;
  /**
   * Measured inside a Node process that the run samples over the inspector: only a profile whose
   * process is named (its own or its target's `process`, or `--attach PID`) produces it.
   */
  needsProcess?: true;
}

/** The description of a kind this version does not know (a record written by another version). */
export function unknownKind(type: string): KindDescription {
  return {
    type, label: `${type} run`, profileNoun: `a ${type} profile`, icon: 'beaker',
    words: { count: 'Operations', countColumn: 'Count', rateUnit: '/s', item: 'Operation', items: 'Operations' },
  };
}

/** Only the description's own fields: what a webview is sent of a kind. */
export function describeKind(kind: KindDescription): KindDescription {
  const { type, label, profileNoun, icon, words } = kind;
  return { type, label, profileNoun, icon, words: { ...words } };
}

/** One metric of a kind's list. */
export function metric(pattern: string, unit: MetricUnit, description: string, opts: { needsProcess?: true } = {}): KindMetric {
  return { pattern, unit, description, ...opts };
}
