import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadConfigFile, parseConfigText } from './loader';
import { starterConfig } from './starter';
import type { BullmqProfile, HttpProfile, RedisProfile } from './types';

const GOOD = fileURLToPath(new URL('../../../test/fixtures/good-configs/', import.meta.url));

const http = (phases: string, extra = '') => `{
  "targets": { "api": { "baseUrl": "http://127.0.0.1:3000" } },
  "profiles": {
    "smoke": {
      "type": "http",
      "target": "api",
      "phases": [
        { "name": "warm-up", "duration": "10s", "arrivalRate": 10 },
        ${phases}
      ],
      "scenarios": [{ "name": "health", "request": { "path": "/health" } }]${extra}
    }
  }
}`;

describe('formatProblem', () => {
  it('prints file:line:col path: message — hint', () => {
    const { problems } = parseConfigText(http('{ "name": "ramp", "duration": "2 minutes", "arrivalRate": 10 }'));
    expect(problems).toHaveLength(1);
    expect(formatProblem(problems[0]!)).toBe(
      'perflab.config.json:9:39 profiles.smoke.phases[1].duration: "2 minutes" is not a duration — write e.g. "120s" or "2m"',
    );
  });

  it('marks warnings and can print paths relative to a folder', () => {
    const text = http('{ "name": "b", "duration": "10s", "arrivalRate": 10 }').replace('127.0.0.1', 'example.com');
    const { problems } = parseConfigText(text, '/work/app/perflab.config.json');
    expect(formatProblem(problems[0]!, { relativeTo: '/work/app' })).toMatch(/^perflab\.config\.json:2:\d+ targets\.api\.baseUrl: warning: target "api" points at example\.com/);
  });

  it('omits the path for problems about the whole file', () => {
    const { problems } = parseConfigText('', 'x.json');
    expect(formatProblem(problems[0]!)).toBe('x.json:1:1 the config file is empty — run `perflab init` (or "PerfLab: Init Config" in the editor) to write a starter config');
  });
});

describe('loadConfigFile', () => {
  it('reports a missing file with how to create one', async () => {
    const file = join(tmpdir(), 'perflab-missing', 'perflab.config.json');
    const r = await loadConfigFile(file);
    expect(r.config).toBeUndefined();
    expect(r.file).toBe(file);
    expect(r.problems).toMatchObject([{ code: 'missing-file', severity: 'error', line: 1, column: 1, message: `no config file at ${file}` }]);
    expect(r.problems[0]!.hint).toContain('perflab init');
  });

  it('reports an unreadable path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perflab-'));
    const r = await loadConfigFile(dir);
    expect(r.problems).toMatchObject([{ code: 'unreadable' }]);
  });

  it('reads and validates a file on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perflab-'));
    const file = join(dir, 'perflab.config.json');
    const text = starterConfig();
    writeFileSync(file, text);
    const r = await loadConfigFile(file);
    expect(r.problems).toEqual([]);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('"smoke": {')) + 1;
    expect(r.config?.profiles.smoke?.source).toEqual({ line, column: lines[line - 1]!.indexOf('"smoke"') + 1 });
  });
});

describe('parseConfigText', () => {
  it('never throws, whatever the input', () => {
    const base = starterConfig();
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const chars = [...base];
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
        const at = Math.floor(random() * chars.length);
        if (random() < 0.5) chars.splice(at, 1);
        else chars.splice(at, 0, '{}[],:"x0- '[Math.floor(random() * 11)]!);
      }
      const text = chars.join('');
      const r = parseConfigText(text);
      for (const p of r.problems) {
        expect(p.hint).not.toBe('');
        expect(p.code).not.toBe('internal');
      }
      if (r.problems.some((p) => p.severity === 'error')) expect(r.config).toBeUndefined();
    }
    for (const odd of ['null', '42', '"text"', 'true', '{}', '{"profiles": null}', '{"profiles": {"a": null}}', '{"profiles": {"a": []}}', '\uFEFF']) {
      expect(() => parseConfigText(odd)).not.toThrow();
      expect(parseConfigText(odd).problems.length).toBeGreaterThan(0);
    }
  });

  it('locates problems correctly with CRLF line endings and a BOM', () => {
    const text = `\uFEFF${http('{ "name": "b", "duration": "soon", "arrivalRate": 10 }')}`.replace(/\n/g, '\r\n');
    const { problems } = parseConfigText(text);
    expect(problems).toMatchObject([{ line: 9, column: 36, path: 'profiles.smoke.phases[1].duration' }]);
  });

  it('keeps loading with warnings, and warns about numbers that look like milliseconds', () => {
    const { config, problems } = parseConfigText(http('{ "name": "b", "duration": 5, "arrivalRate": 1 }', ',\n      "timeout": 5000'));
    expect(config).toBeDefined();
    expect(problems).toMatchObject([{ severity: 'warning', code: 'duration-seconds', path: 'profiles.smoke.timeout', hint: 'if you meant milliseconds, write "5000ms"' }]);
    expect((config!.profiles.smoke as HttpProfile).timeoutMs).toBe(5_000_000);
  });

  it('reports every independent problem at once, in file order', () => {
    const text = http('{ "name": "b", "duration": "0s", "connections": -1 }', ',\n      "thresholds": { "latency.p99": "< 100", "nope": "< 1ms" }');
    const { problems } = parseConfigText(text);
    expect(problems.map((p) => p.path)).toEqual([
      'profiles.smoke.phases[1].duration',
      'profiles.smoke.phases[1].connections',
      'profiles.smoke.thresholds["latency.p99"]',
      'profiles.smoke.thresholds.nope',
    ]);
  });

  it('warns that a password in the file is an error and suggests the environment', () => {
    const { problems } = parseConfigText('{ "stack": { "redis": { "url": "redis://127.0.0.1:6379", "password": "x" } }, "profiles": { "r": { "type": "redis", "operations": ["get"] } } }');
    expect(problems).toMatchObject([{ code: 'secret-in-config', path: 'stack.redis.password', hint: /PERFLAB_REDIS_PASSWORD/ }]);
  });
});

describe('schema problems', () => {
  const hints = (text: string) => parseConfigText(text).problems.map((p) => `${p.path}: ${p.message} — ${p.hint}`);

  it('suggests the exact fix for wrong types', () => {
    expect(hints('{ "targets": { "api": "http://127.0.0.1:3000" }, "profiles": { "r": { "type": "redis", "operations": ["get"], "iterations": "100" } } }')).toEqual([
      'targets.api: expected an object, got the string "http://127.0.0.1:3000" — write { "baseUrl": "http://127.0.0.1:3000" }',
      'profiles.r.type: redis profile "r" needs stack.redis, which is not configured — add "stack": { "redis": { "url": "redis://127.0.0.1:6379" } } at the top level',
      'profiles.r.iterations: expected a whole number, got the string "100" — remove the quotes: 100',
    ]);
  });

  it('explains durations of the wrong type', () => {
    expect(hints('{ "stack": { "redis": { "url": "redis://127.0.0.1:6379" } }, "profiles": { "q": { "type": "bullmq", "queue": "m", "processTime": true } } }')).toEqual([
      'profiles.q.processTime: expected a duration (a string such as "30s", or a number of seconds), got true — write e.g. "30s" or "500ms", or a number of seconds',
    ]);
  });

  it('collapses a misspelled required property into one did-you-mean', () => {
    expect(hints(http('{ "name": "b", "durration": "10s", "arrivalRate": 1 }'))).toEqual([
      'profiles.smoke.phases[1].durration: unknown property "durration" — did you mean "duration"? allowed here: name, duration, connections, pipelining, arrivalRate, rampTo',
    ]);
  });
});

describe('process metrics', () => {
  const withThresholds = (thresholds: string, targetExtra = '', profileExtra = '') => `{
  "targets": { "api": { "baseUrl": "http://127.0.0.1:3000"${targetExtra} } },
  "profiles": {
    "smoke": {
      "type": "http",
      "target": "api",
      "phases": [{ "name": "warm-up", "duration": "10s", "arrivalRate": 10 }],
      "scenarios": [{ "name": "health", "request": { "path": "/health" } }],${profileExtra}
      "thresholds": { ${thresholds} }
    }
  }
}`;
  const thresholds = '"memory.heapUsed.max": "< 512MB", "eventLoop.lag.p99": "< 50ms"';

  it('are a config error at the threshold key when no process is named, with the fix', () => {
    const { config, problems } = parseConfigText(withThresholds(thresholds));
    expect(config).toBeUndefined();
    expect(problems.map((p) => formatProblem(p))).toEqual([
      'perflab.config.json:9:23 profiles.smoke.thresholds["memory.heapUsed.max"]: "memory.heapUsed.max" is measured in a Node process, but profile "smoke" names none — add "process": { "match": "server.js" } (a part of its command line; or "pid", or "inspect": "HOST:PORT") to target "api" or to this profile, or run it with `perflab run smoke --attach PID`',
      'perflab.config.json:9:57 profiles.smoke.thresholds["eventLoop.lag.p99"]: "eventLoop.lag.p99" is measured in a Node process, but profile "smoke" names none — add "process": { "match": "server.js" } (a part of its command line; or "pid", or "inspect": "HOST:PORT") to target "api" or to this profile, or run it with `perflab run smoke --attach PID`',
    ]);
  });

  it('load when the target or the profile names the process, the profile overriding the target', () => {
    const onTarget = parseConfigText(withThresholds(thresholds, ', "process": { "match": "server.js" }'));
    expect(onTarget.problems).toEqual([]);
    expect(onTarget.config!.profiles.smoke!.process).toEqual({ match: 'server.js' });
    const both = parseConfigText(withThresholds(thresholds, ', "process": { "match": "server.js" }', '\n      "process": { "pid": 77 },'));
    expect(both.problems).toEqual([]);
    expect(both.config!.profiles.smoke!.process).toEqual({ pid: 77 });
  });

  it('load when the caller names the process of the profile about to run (--attach)', () => {
    const attached = parseConfigText(withThresholds(thresholds), 'perflab.config.json', { processNamedFor: 'smoke' });
    expect(attached.problems).toEqual([]);
    expect(attached.config!.profiles.smoke!.process).toBeUndefined();
    expect(parseConfigText(withThresholds(thresholds), 'perflab.config.json', { processNamedFor: 'other' }).config).toBeUndefined();
  });

  it('say when a process is named twice, not at all, or by a broken expression', () => {
    const two = parseConfigText(withThresholds('', '', '\n      "process": { "pid": 1, "match": "x" },'));
    expect(two.problems.map((p) => formatProblem(p))).toEqual([
      'perflab.config.json:9:30 profiles.smoke.process.match: "process" names the process 2 ways ("pid", "match") — keep one of them: "pid" for a fixed process, "inspect" for an inspector address, "match" to find it by command line',
    ]);
    const none = parseConfigText(withThresholds('', ', "process": {}'));
    expect(none.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(['targets.api.process: "process" names no process']);
    const regex = parseConfigText(withThresholds('', ', "process": { "match": "/server(/" }'));
    expect(regex.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([expect.stringMatching(/^targets\.api\.process\.match: "\/server\(\/" is not a valid regular expression/)]);
    const inspect = parseConfigText(withThresholds('', ', "process": { "inspect": "localhost" }'));
    expect(inspect.problems.map((p) => `${p.path}: ${p.hint}`)).toEqual(['targets.api.process.inspect: an inspector address is HOST:PORT, e.g. "127.0.0.1:9229" (a process started with --inspect=127.0.0.1:9229)']);
  });
});

describe('normalized config', () => {
  it('fills defaults, converts durations and parses thresholds', async () => {
    const { config } = await loadConfigFile(join(GOOD, '04-redis-and-bullmq.jsonc'));
    const pipeline = config!.profiles['redis-pipeline'] as RedisProfile;
    expect(pipeline).toMatchObject({ mode: 'pipeline', pipeline: 200, durationMs: 30_000, valueSize: 512, concurrency: 50 });
    expect(pipeline.iterations).toBeUndefined();
    expect(pipeline.thresholds).toEqual([
      { metric: 'op.pipeline.rate', expression: '>= 50000/s', op: '>=', value: 50_000, unit: 'ops/s', source: { line: 18, column: 9 } },
      { metric: 'op.analytics-read.latency.p99', expression: '< 5ms', op: '<', value: 5, unit: 'ms', source: { line: 19, column: 9 } },
      { metric: 'errors.rate', expression: '< 0.01%', op: '<', value: 0.0001, unit: 'ratio', source: { line: 20, column: 9 } },
      { metric: 'eventLoop.lag.p99', expression: '< 20ms', op: '<', value: 20, unit: 'ms', source: { line: 21, column: 9 } },
      { metric: 'redis.memory.used.max', expression: '< 64MB', op: '<', value: 64 * 1024 ** 2, unit: 'bytes', source: { line: 22, column: 9 } },
    ]);
    expect(pipeline.process).toEqual({ match: '/server\\.js$/' });
    expect(config!.profiles['redis-latency']).toMatchObject({ mode: 'sequential', concurrency: 1, iterations: 10_000, pipeline: 100, valueSize: 100, thresholds: [] });

    const sweep = config!.profiles['queue-sweep'] as BullmqProfile;
    expect(sweep).toMatchObject({
      queue: 'emails', mode: 'e2e', durationMs: 20_000, arrivalRate: 500, workerConcurrency: [1, 10, 50], priorities: [1, 5, 10],
      delayed: { ratio: 0.1, delayMs: 250 }, failRate: 0.02, attempts: 3, backoff: { type: 'exponential', delayMs: 50 },
      limiter: { max: 1000, durationMs: 1000 }, payloadSize: 1024, processTimeMs: 2,
    });
    expect(sweep.thresholds.find((t) => t.metric === 'memory.heapUsed.max')).toMatchObject({ value: 256 * 1024 ** 2, unit: 'bytes' });
    expect(sweep.process).toEqual({ pid: 4242 });
    expect(config!.profiles['queue-bulk']).toMatchObject({ mode: 'addBulk', bulkSize: 500, jobs: 50_000, workerConcurrency: [10], failRate: 0, attempts: 1 });
    expect(config!.stack.queues).toEqual([{ name: 'messages', prefix: 'bull' }, { name: 'emails', prefix: 'app' }]);
  });

  it('expands presets, resolves timeouts and keeps phase models apart', async () => {
    const { config } = await loadConfigFile(join(GOOD, '03-preset-remote-allowed.jsonc'));
    const spike = config!.profiles['staging-spike'] as HttpProfile;
    expect(spike).toMatchObject({ preset: 'spike', scale: 2, timeoutMs: 2_500, generator: './perflab.generators.mjs' });
    expect(spike.phases[1]).toEqual({ model: 'open', name: 'spike', duration: '5s', durationMs: 5_000, arrivalRate: 20, rampTo: 600 });
    expect(spike.scenarios[0]!.expect).toEqual({ status: [200, 204], bodyContains: 'results' });
    expect(spike.scenarios[1]).toMatchObject({ weight: 1, request: { method: 'POST', body: 'user={{uuid}}' }, expect: { status: [200] } });
    expect(spike.thresholds.find((t) => t.metric === 'phase.spike.rps')).toMatchObject({ value: 300, unit: 'ops/s' });

    const soak = config!.profiles['mesh-soak'] as HttpProfile;
    expect(soak.timeoutMs).toBe(10_000);
    expect(soak.phases).toEqual([
      { model: 'closed', name: 'fill', duration: '1m30s', durationMs: 90_000, connections: 20, pipelining: 4 },
      { model: 'open', name: 'hold', duration: '1h', durationMs: 3_600_000, arrivalRate: 25.5 },
      { model: 'open', name: 'wind-down', duration: '90s', durationMs: 90_000, arrivalRate: 25, rampTo: 0 },
    ]);
    expect(soak.thresholds[0]).toMatchObject({ metric: 'phase.hold.rps', value: 25, unit: 'ops/s' });
    expect(config!.targets.staging).toEqual({
      name: 'staging', baseUrl: 'https://staging.example.com/api', headers: { 'x-load-test': 'perflab' }, allowHosts: ['staging.example.com'], timeoutMs: 5_000,
      process: { inspect: 'staging.example.com:9229' },
    });
    // The profile samples its target's process, and its growth threshold is in bytes per minute.
    expect(spike.process).toEqual({ inspect: 'staging.example.com:9229' });
    expect(soak.process).toBeUndefined();
    expect(spike.thresholds.find((t) => t.metric === 'memory.heapUsed.growth')).toMatchObject({ value: 2 * 1024 ** 2, unit: 'bytes/min' });
    expect(spike.thresholds.find((t) => t.metric === 'cpu.max')).toMatchObject({ value: 1.5, unit: 'ratio' });
    expect(config!.allowHosts).toEqual(['*.internal.example.com']);
  });

  it('reads a bare number as seconds and defaults the method to GET', async () => {
    const { config } = await loadConfigFile(join(GOOD, '02-minimal-http.json'));
    const quick = config!.profiles.quick as HttpProfile;
    expect(quick.phases[0]).toEqual({ model: 'closed', name: 'steady', duration: 30, durationMs: 30_000, connections: 10, pipelining: 1 });
    expect(quick.scenarios[0]!.request).toEqual({ method: 'GET', path: '/', headers: {}, query: {} });
    expect(quick.timeoutMs).toBe(10_000);
  });
});
