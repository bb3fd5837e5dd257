/**
 * The agents' measurements as one run: each phase's scenarios merged from the agents' encoded
 * HDR histograms (bucket counts added, so every percentile is the one of the union of their
 * requests, never an average of percentiles), counts summed, the generator's health kept per
 * agent and merged (an agent that was the limit makes the run generator-bound).
 */
import { LatencyHistogram, type SerializedHistogram } from '../../core/stats';
import type { PhaseData, PhaseHealth, ScenarioData } from '../http/protocol';

/** One agent's phases, named for messages. */
export interface AgentPhases {
  agent: string;
  phases: PhaseData[];
}

/** The phases of every agent merged phase by phase (by index), in the profile's order. */
export function mergePhases(agents: readonly AgentPhases[]): PhaseData[] {
  const byIndex = new Map<number, { agent: string; phase: PhaseData }[]>();
  for (const a of agents) {
    for (const phase of a.phases) {
      const list = byIndex.get(phase.index) ?? [];
      list.push({ agent: a.agent, phase });
      byIndex.set(phase.index, list);
    }
  }
  return [...byIndex.keys()].sort((x, y) => x - y).map((i) => mergePhase(byIndex.get(i)!));
}

function mergePhase(parts: { agent: string; phase: PhaseData }[]): PhaseData {
  const first = parts[0]!.phase;
  const scenarios = new Map<string, ScenarioData[]>();
  for (const { phase } of parts) {
    for (const s of phase.scenarios) scenarios.set(s.name, [...(scenarios.get(s.name) ?? []), s]);
  }
  const waits = parts.map((p) => p.phase.connectionWait).filter((w): w is SerializedHistogram => w !== undefined);
  const wait = waits.length ? LatencyHistogram.merge(waits) : undefined;
  const merged: PhaseData = {
    index: first.index,
    name: first.name,
    model: first.model,
    durationMs: Math.max(...parts.map((p) => p.phase.durationMs)),
    stopped: parts.some((p) => p.phase.stopped),
    scenarios: [...scenarios.values()].map(mergeScenario),
    health: mergeHealth(parts, wait),
  };
  if (wait) merged.connectionWait = wait.serialize();
  return merged;
}

function mergeScenario(parts: ScenarioData[]): ScenarioData {
  const errorsByKind: Record<string, number> = {};
  for (const p of parts) for (const [k, n] of Object.entries(p.errorsByKind)) errorsByKind[k] = (errorsByKind[k] ?? 0) + n;
  const uncorrected = parts.map((p) => p.uncorrected).filter((u): u is SerializedHistogram => u !== undefined);
  return {
    name: parts[0]!.name,
    count: sum(parts.map((p) => p.count)),
    errors: sum(parts.map((p) => p.errors)),
    errorsByKind,
    latency: LatencyHistogram.merge(parts.map((p) => p.latency)).serialize(),
    ...(uncorrected.length ? { uncorrected: LatencyHistogram.merge(uncorrected).serialize() } : {}),
  };
}

function mergeHealth(parts: { agent: string; phase: PhaseData }[], wait: LatencyHistogram | undefined): PhaseHealth {
  const hs = parts.map((p) => p.phase.health);
  const optional = (key: 'sent' | 'refused' | 'planned' | 'connections' | 'dropped') =>
    hs.some((h) => h[key] !== undefined) ? { [key]: sum(hs.map((h) => h[key] ?? 0)) } : {};
  const messages = parts.filter((p) => p.phase.health.message).map((p) => `agent ${p.agent}: ${p.phase.health.message}`);
  const summary = wait?.summary();
  return {
    lagP99Ms: Math.max(0, ...hs.map((h) => h.lagP99Ms)),
    lateSends: sum(hs.map((h) => h.lateSends)),
    lateSendMaxMs: Math.max(0, ...hs.map((h) => h.lateSendMaxMs)),
    ...optional('sent'),
    ...optional('refused'),
    ...optional('planned'),
    ...optional('connections'),
    ...optional('dropped'),
    ...(summary ? { connectionWait: { p99: summary.p99, max: summary.max } } : {}),
    generatorBound: hs.some((h) => h.generatorBound),
    ...(messages.length ? { message: messages.join('\n') } : {}),
  };
}

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
