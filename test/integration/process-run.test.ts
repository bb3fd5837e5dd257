/**
 * Runs that sample the target's Node process, as a user runs them: the built CLI against the
 * demo stack (its own private Redis), the demo's process named in the config or with --attach.
 * The process figures of a run are checked against `perflab profile monitor` watching the same
 * process over the same load, and a leaking demo shows a positive heap growth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, startDemo } from '../../src/runners/demo';
import { formatMs } from '../../src/core/format';
import type { RunRecord } from '../../src/core/runRecord';
import type { TimelineFile } from '../../src/runners/profiler/monitor';
import { waitUntil } from '../helpers/redis';

const CLI = path.resolve('dist/cli.js');
let dir: string;

interface CliRun {
  child: ChildProcess;
  /** Output so far. */
  output: { out: string; err: string };
  done: Promise<{ code: number | null; out: string; err: string }>;
}

/** Starts the CLI in `dir`. */
function startCli(...args: string[]): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { out: '', err: '' };
  child.stdout!.on('data', (d) => (output.out += d));
  child.stderr!.on('data', (d) => (output.err += d));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('exit', (code) => resolve({ code, ...output })));
  return { child, output, done };
}

/** Runs the CLI in `dir`; resolves with its exit code and output. */
function perflab(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return startCli(...args).done;
}

const profile = (thresholds: Record<string, string>, duration: string) => ({
  type: 'http', target: 'demo',
  phases: [{ name: 'steady', duration, arrivalRate: 40 }],
  scenarios: [{ name: 'send', request: { method: 'POST', path: '/messages', json: { to: '{{phone}}', type: 'text', body: '{{words(5)}}' } } }],
  thresholds,
});
const gates = { 'memory.heapUsed.max': '< 512MB', 'eventLoop.lag.p99': '< 50ms' };

function writeConfig(name: string, demo: DemoHandle, process: object | undefined, thresholds: Record<string, string> = gates, duration = '8s'): void {
  writeFileSync(path.join(dir, name), JSON.stringify({
    targets: { demo: { baseUrl: demo.url, ...(process ? { process } : {}) } },
    profiles: { check: profile(thresholds, duration) },
  }, null, 2));
}

function readRecord(file: string): RunRecord {
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as RunRecord;
}

const within = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance * Math.max(a, b);

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-process-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a run whose target names the demo process', () => {
  let demo: DemoHandle;
  beforeAll(async () => {
    // HOT=1 gives the loop real delays to measure; the inspector is open from the start.
    demo = await startDemo({ port: 0, env: { HOT: '1', NODE_OPTIONS: '--inspect=127.0.0.1:0' } });
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it('reports heap and event-loop delay, which agree with `perflab profile monitor` under the same load (heap within 10 %, p99 within 20 %)', async () => {
    // Two monitors watch the process beside the run, each on the window its figure needs. The
    // heap's peak: one monitor from before the run starts until after it ends (an idle loop does
    // not raise the heap). The event-loop p99: one sampling 8 s inside the run's 16 s, since idle
    // ticks around a run would dilute a window's tail and lower its p99.
    writeConfig('perflab.config.json', demo, { pid: demo.pid }, gates, '16s');
    const around = startCli('profile', 'monitor', '--pid', String(demo.pid), '--duration', '60s', '--out', 'around.json');
    await waitUntil(() => around.output.err.includes('attached to'), 'the first monitor to attach', 20_000);
    const running = startCli('run', 'check', '--json', 'run.json');
    await waitUntil(() => /sampling .* every \d+ ms/.test(running.output.err) && /\d+%\s+steady/.test(running.output.err), 'the run to be sampling under load', 20_000);
    const monitor = await perflab('profile', 'monitor', '--pid', String(demo.pid), '--duration', '8s', '--out', 'monitor.json');
    const monitorInsideRun = running.child.exitCode === null;
    const run = await running.done;
    around.child.kill('SIGINT');
    expect((await around.done).code).toBe(130);
    expect([0, 1], run.err).toContain(run.code);
    expect(monitor.code, monitor.err).toBe(0);
    // The second monitor ended before the run did: its window lies inside the run's.
    expect(monitorInsideRun, run.err).toBe(true);

    const record = readRecord('run.json');
    const verdict = (metric: string) => record.thresholds.find((t) => t.metric === metric)!;
    expect(verdict('memory.heapUsed.max').actual).toBeGreaterThan(0);
    expect(verdict('eventLoop.lag.p99').actual).toBeGreaterThan(0);
    expect(record.process).toMatchObject({ pid: demo.pid, complete: true });
    expect(record.artifacts).toContainEqual(expect.objectContaining({ file: 'timeline.json', kind: 'timeline' }));
    expect(run.out).toMatch(/^process: pid \d+/m);
    expect(run.out).toMatch(/event loop delay \(net of the 10 ms timer\): p50 (?:<0\.01|[\d.,]+) m?s, p99 (?:<0\.01|[\d.,]+) m?s/);

    const timeline = JSON.parse(readFileSync(path.join(dir, 'monitor.json'), 'utf8')) as TimelineFile;
    const aroundTimeline = JSON.parse(readFileSync(path.join(dir, 'around.json'), 'utf8')) as TimelineFile;
    const monitorHeapMax = Math.max(...aroundTimeline.samples.map((s) => s.peak.heapUsed));
    const figures = `run: heap ${verdict('memory.heapUsed.max').actual}, p99 ${verdict('eventLoop.lag.p99').actual}; monitors: heap ${monitorHeapMax} (around the run), p99 ${timeline.loopDelay.p99} (inside it)`;
    expect(within(verdict('memory.heapUsed.max').actual!, monitorHeapMax, 0.1), figures).toBe(true);
    // The p99 of two windows that cannot coincide exactly (the run's 16 s, the monitor's 8 s
    // inside it) rests on their few highest ticks; where the machine takes the CPU away now and
    // then (a VM's steal time), those move by 10–15 % between windows, so 20 % here.
    expect(within(verdict('eventLoop.lag.p99').actual!, timeline.loopDelay.p99, 0.2), figures).toBe(true);
    // The monitor prints the same window p99 it saved.
    expect(monitor.out).toContain(`p99 ${formatMs(timeline.loopDelay.p99)}`);
  });

  it('without a named process the thresholds are a config error with line:col and the fix; --attach names one', async () => {
    writeConfig('unnamed.json', demo, undefined);
    const validate = await perflab('validate', '--config', 'unnamed.json');
    expect(validate.code).toBe(2);
    expect(validate.err + validate.out).toMatch(/unnamed\.json:\d+:\d+ profiles\.check\.thresholds\["memory\.heapUsed\.max"\]: "memory\.heapUsed\.max" is measured in a Node process, but profile "check" names none — add "process": \{ "match": "server\.js" \}.* to target "demo" or to this profile, or run it with `perflab run check --attach PID`/);
    expect((await perflab('run', 'check', '--config', 'unnamed.json')).code).toBe(2);

    const attached = await perflab('run', 'check', '--config', 'unnamed.json', '--attach', String(demo.pid), '--json', 'attached.json');
    expect([0, 1], attached.err).toContain(attached.code);
    const record = readRecord('attached.json');
    expect(record.process).toMatchObject({ pid: demo.pid });
    expect(record.thresholds.every((t) => t.actual !== null)).toBe(true);
  });
});

describe('a run against the leaking demo', () => {
  let demo: DemoHandle;
  beforeAll(async () => {
    demo = await startDemo({ port: 0, env: { LEAK: '1', NODE_OPTIONS: '--inspect=127.0.0.1:0' } });
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it('shows the heap left after major GCs growing', async () => {
    writeFileSync(path.join(dir, 'leak.json'), JSON.stringify({
      targets: { demo: { baseUrl: demo.url, process: { pid: demo.pid } } },
      profiles: {
        check: {
          type: 'http', target: 'demo',
          phases: [{ name: 'steady', duration: '16s', arrivalRate: 600 }],
          scenarios: [{ name: 'health', request: { path: '/health' } }],
          thresholds: { 'memory.heapUsed.growth': '< 1GB/min' },
        },
      },
    }));
    const run = await perflab('run', 'check', '--config', 'leak.json', '--json', 'leak-run.json');
    expect([0, 1], run.err).toContain(run.code);
    const record = readRecord('leak-run.json');
    // A leak of 4 KB per request fills the old space a few MB at a time: major GCs come every several seconds.
    expect(record.process!.majorGcs, JSON.stringify(record.process)).toBeGreaterThanOrEqual(2);
    expect(record.process!.heapGrowthPerMin).toBeGreaterThan(0);
    expect(record.thresholds[0]).toMatchObject({ metric: 'memory.heapUsed.growth', actual: record.process!.heapGrowthPerMin });
  });
});
