/** The http kind: load phases and weighted scenarios against a target (see ./index.ts). */
import { formatDuration } from '../../core/format';
import { metric } from '../../core/kindDescription';
import type { Kind } from '../kind';
import { type HttpProfile, httpConfig, type Phase } from './config';

export const httpKind: Kind<'http', HttpProfile> = {
  type: 'http',
  label: 'HTTP load test',
  profileNoun: 'an http profile',
  icon: 'globe',
  words: { count: 'Requests', countColumn: 'Requests', rateUnit: 'req/s', item: 'Scenario', items: 'Scenarios' },
  metrics: [
    metric('latency.<stat>', 'ms', 'Request latency (from the intended send time with an arrival rate).'),
    metric('latency.uncorrected.<stat>', 'ms', 'Request latency from the actual send (arrival-rate phases).'),
    metric('rps', 'ops/s', 'Completed requests per second.'),
    metric('requests', 'count', 'Completed requests.'),
    metric('errors.count', 'count', 'Failed requests.'),
    metric('scenario.<scenario>.latency.<stat>', 'ms', 'Latency of one scenario.'),
    metric('scenario.<scenario>.errors.rate', 'ratio', 'Share of failed requests of one scenario.'),
    metric('scenario.<scenario>.rps', 'ops/s', 'Requests per second of one scenario.'),
    metric('phase.<phase>.latency.<stat>', 'ms', 'Latency during one phase.'),
    metric('phase.<phase>.rps', 'ops/s', 'Requests per second during one phase.'),
    metric('generator.lag.p99', 'ms', "99th percentile event-loop lag of PerfLab's load generator."),
    metric('generator.late', 'count', 'Requests sent later than scheduled.'),
  ],
  config: httpConfig,
  outline: (p) => ({
    summary: [`http → ${p.target}`, p.preset && `preset ${p.preset}`, plural(p.phases.length, 'phase'), formatDuration(p.phases.reduce((sum, ph) => sum + ph.durationMs, 0))]
      .filter(Boolean)
      .join(' · '),
    rows: [
      ...p.phases.map((phase, i) => ({ id: `phase:${i}`, label: phase.name, description: `${formatDuration(phase.durationMs)} · ${phaseLoad(phase)}`, icon: 'history' })),
      ...p.scenarios.map((s) => ({ id: `scenario:${s.name}`, label: s.name, description: `${s.request.method} ${s.request.path} · weight ${s.weight}`, icon: 'symbol-event' })),
    ],
  }),
  untrusted: (p) =>
    p.generator === undefined
      ? undefined
      : `profile "${p.name}" uses the custom generator "${p.generator}", which runs code from the workspace: ` +
        'the workspace must be trusted first (in VS Code: "Workspaces: Manage Workspace Trust"), or remove "generator" from the profile',
  load: () => import('./index').then((m) => m.runHttpProfile),
};

function phaseLoad(phase: Phase): string {
  if (phase.model === 'closed') return `${phase.connections} connections`;
  return phase.rampTo !== undefined ? `${phase.arrivalRate}→${phase.rampTo}/s` : `${phase.arrivalRate}/s`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
