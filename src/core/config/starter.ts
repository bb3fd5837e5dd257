/**
 * The commented config `perflab init` writes, aimed at the demo stack (`perflab demo`). Its
 * phases come from {@link PRESETS}, so the starter and `"preset"` always describe the same load.
 */

import { DEFAULT_DEMO_REDIS_URL, DEFAULT_DEMO_URL } from '../demoState';
import { PRESETS, type PresetPhase } from './presets';
import type { PresetName } from './types';

export interface StarterOptions {
  /** Base URL of the service to load; default the demo's {@link DEFAULT_DEMO_URL}. */
  baseUrl?: string;
  /** Redis URL, without a password; default the demo's own redis-server, {@link DEFAULT_DEMO_REDIS_URL}. */
  redisUrl?: string;
}

interface StarterProfile {
  name: PresetName;
  comment: string;
  thresholds: Record<string, string>;
}

const HTTP_PROFILES: StarterProfile[] = [
  {
    name: 'smoke',
    comment: 'About 10 s of the full load shape: run it after every change.',
    thresholds: { 'latency.p99': '< 250ms', 'scenario.health.latency.p95': '< 50ms', 'errors.rate': '< 1%', 'generator.lag.p99': '< 50ms' },
  },
  {
    name: 'load',
    comment: 'The reference shape, 12 min: warm-up, ramp-up, sustained, peak, stress, cool-down.',
    thresholds: { 'latency.p95': '< 100ms', 'latency.p99': '< 250ms', 'phase.sustained.rps': '>= 45/s', 'errors.rate': '< 0.1%' },
  },
  {
    name: 'stress',
    comment: 'Shorter and steeper than load (about 2 min, up to 300 requests/s): where does it bend?',
    thresholds: { 'latency.p99': '< 1s', 'errors.rate': '< 5%' },
  },
  {
    name: 'spike',
    comment: 'A sudden jump from 10 to 300 requests/s and back: does it recover?',
    thresholds: { 'phase.recovery.latency.p99': '< 250ms', 'errors.rate': '< 5%' },
  },
  {
    name: 'endurance',
    comment: 'An hour at the sustained rate, to surface leaks and slow drift.',
    thresholds: { 'latency.p99': '< 250ms', 'errors.rate': '< 0.1%' },
  },
];

/** The JSONC text of a starter config for the demo stack. It passes its own validation. */
export function starterConfig(options: StarterOptions = {}): string {
  const baseUrl = options.baseUrl ?? DEFAULT_DEMO_URL;
  const redisUrl = options.redisUrl ?? DEFAULT_DEMO_REDIS_URL;
  const profiles = HTTP_PROFILES.map(httpProfile).join(',\n');
  return `// PerfLab config: the stack, the targets and the profiles to run (comments and trailing commas are fine).
// Check it with \`npx perflab validate\`; in VS Code the PerfLab extension checks it as you type
// (hover any property for its description). Other editors: add
//   "$schema": "./node_modules/perflab/schemas/perflab.config.schema.json"
{
  "stack": {
    // The Redis that redis-ops and queue-ops benchmark: the demo's own redis-server (\`npx perflab
    // demo\` prints its URL), not your usual one. Benchmarks touch only their own keys, but they do
    // load the server they are pointed at. Never write a password here: set PERFLAB_REDIS_PASSWORD
    // in the environment; run records never contain it.
    "redis": { "url": ${JSON.stringify(redisUrl)} },
    "queues": [{ "name": "messages" }]
  },

  "targets": {
    // The demo's API. \`npx perflab init\` takes both addresses from a demo running in the same
    // folder (.perflab/demo.json), else the demo's defaults. Load only goes to loopback unless a
    // host is listed in "allowHosts".
    "api": { "baseUrl": ${JSON.stringify(baseUrl)}, "timeout": "10s" }
  },

  "profiles": {
${profiles},

    // Redis operation benchmark. Keys live under a per-run prefix with a TTL and are deleted at the end.
    "redis-ops": {
      "type": "redis",
      "operations": ["set", "get", "incr", "lpush", "zadd", "pipeline", "analytics-write", "analytics-read"],
      "mode": "concurrent",
      "concurrency": 50,
      "iterations": 10000,
      "valueSize": 100,
      "thresholds": { "op.get.rate": ">= 10000/s", "op.set.latency.p99": "< 10ms", "errors.rate": "== 0" }
    },

    // BullMQ end to end: jobs added at 500/s, processed by workers with concurrency 10.
    // The benchmark runs on its own copy of the queue and removes only that copy.
    "queue-ops": {
      "type": "bullmq",
      "queue": "messages",
      "mode": "e2e",
      "arrivalRate": 500,
      "duration": "20s",
      "workerConcurrency": 10,
      "thresholds": { "e2e.latency.p99": "< 100ms", "jobs.failed": "== 0" }
    }
  }
}
`;
}

function httpProfile(p: StarterProfile): string {
  const phases = PRESETS[p.name].map((ph) => `        ${phaseText(ph)}`).join(',\n');
  const thresholds = Object.entries(p.thresholds).map(([k, v]) => `        ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n');
  return `    // ${p.comment}
    ${JSON.stringify(p.name)}: {
      "type": "http",
      "target": "api",
      "phases": [
${phases}
      ],
      "scenarios": [
${SCENARIOS}
      ],
      "thresholds": {
${thresholds}
      }
    }`;
}

function phaseText(ph: PresetPhase): string {
  const name = `"name": ${JSON.stringify(ph.name)},`.padEnd(22);
  const duration = `"duration": ${JSON.stringify(ph.duration)},`.padEnd(19);
  const rate = ph.rampTo === undefined ? `"arrivalRate": ${ph.arrivalRate}` : `"arrivalRate": ${ph.arrivalRate}, "rampTo": ${ph.rampTo}`;
  return `{ ${name} ${duration} ${rate} }`;
}

// The demo's routes; {{...}} helpers generate a fresh value for every request.
const SCENARIOS = `        { "name": "send-message", "weight": 50, "request": { "method": "POST", "path": "/messages",
          "json": { "to": "{{phone}}", "type": "text", "body": "{{words(5)}}", "priority": 5 } } },
        { "name": "analytics-event", "weight": 30, "request": { "method": "POST", "path": "/analytics/events",
          "json": { "type": "{{pick(sent,delivered,read)}}", "phone": "{{phone}}" } } },
        { "name": "queue-metrics", "weight": 15, "request": { "method": "GET", "path": "/queue/metrics" } },
        { "name": "health", "weight": 5, "request": { "method": "GET", "path": "/health" } }`;
