/**
 * `perflab profile` tells how the work it drove went: `--under` prints the load run's report with
 * its threshold verdicts and exits as `perflab run` would; `leaks --request` shows the responses
 * and fails when the requests failed; a load that never reaches the attached process is named
 * before the capture; the help lists every option; spikes beyond the ten shown are counted.
 * The built CLI against real servers.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cliFolder } from '../helpers/cli';
import { useLocalRedis } from '../helpers/redis';
import { startTarget, stopAllTargets } from '../fixtures/targets/harness';

const folder = cliFolder('perflab-profile-outcomes-');
const redisUrl = useLocalRedis();
afterEach(() => stopAllTargets());
afterAll(() => folder.remove());

async function strictServer() {
  const t = await startTarget('strict-server.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'], ready: /^listening \d+$/ });
  const port = Number((await t.waitForLine(/^listening (\d+)$/))[1]);
  return { t, port, inspect: String(t.inspectorPort) };
}

function writeConfig(port: number, extra: Record<string, unknown> = {}) {
  folder.write('perflab.config.json', {
    stack: { redis: { url: redisUrl() } },
    targets: { api: { baseUrl: `http://127.0.0.1:${port}` } },
    profiles: {
      // 80 ms blocks four times a second: p99 far above 10 ms, and a lag spike in most intervals.
      slow: {
        type: 'http',
        target: 'api',
        phases: [{ name: 'steady', duration: '8s', arrivalRate: 4 }],
        scenarios: [{ name: 'slow', request: { method: 'GET', path: '/slow' } }],
        thresholds: { 'latency.p99': '< 10ms' },
      },
      short: {
        type: 'http',
        target: 'api',
        phases: [{ name: 'steady', duration: '1s', connections: 2 }],
        scenarios: [{ name: 'slow', request: { method: 'GET', path: '/slow' } }],
        thresholds: { 'latency.p99': '< 10ms' },
      },
      queue: { type: 'bullmq', queue: 'messages', mode: 'e2e', jobs: 200 },
      ...extra,
    },
  });
}

const runRecord = (dir: string) => JSON.parse(readFileSync(path.join(folder.dir, dir, 'run.json'), 'utf8')) as { pass: boolean; thresholds: { metric: string; pass: boolean }[] };

describe('perflab profile --under: the load run decides the exit code', () => {
  it('cpu --under prints the failed threshold, exits 1, and counts the spikes it does not show', async () => {
    const { port, inspect } = await strictServer();
    writeConfig(port);
    const r = await folder.runAsync('profile', 'cpu', '--inspect', inspect, '--under', 'slow');
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/^slow \(http\) FAIL in /m);
    expect(r.out).toMatch(/^latency\.p99\s+< 10ms\s+[\d.]+ ?ms\s+FAIL$/m);
    const dir = /^saved in (\S+):/m.exec(r.out)![1]!;
    expect(runRecord(dir).pass).toBe(false);

    // Ten spikes shown, the rest counted, and all of them in spikes.json.
    const spikes = JSON.parse(readFileSync(path.join(folder.dir, dir, 'spikes.json'), 'utf8')) as unknown[];
    expect(spikes.length).toBeGreaterThan(10);
    const section = r.out.slice(r.out.indexOf('Event-loop lag spikes:'));
    expect(section.split('\n').slice(1, 11).every((l) => /^ {2}during the [\d.]+ m?s spike/.test(l))).toBe(true);
    expect(section.split('\n')[11]).toBe(`  … ${spikes.length - 10} more in ${path.join(dir, 'spikes.json')} (${spikes.length} in all)`);
  });

  it('heap --under exits 1 on a failed threshold too', async () => {
    const { port, inspect } = await strictServer();
    writeConfig(port);
    const r = await folder.runAsync('profile', 'heap', '--inspect', inspect, '--under', 'short');
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/^latency\.p99\s+< 10ms\s+[\d.]+ ?ms\s+FAIL$/m);
    expect(r.out).toMatch(/^Heap sampling: /m);
  });
});

describe('perflab profile --under a load that never reaches the process', () => {
  it('warns before capturing that a bullmq profile runs in PerfLab, and does not call jobs req/s', async () => {
    const { t, inspect } = await strictServer();
    writeConfig(0);
    const r = await folder.runAsync('profile', 'cpu', '--inspect', inspect, '--under', 'queue');
    expect(r.code, r.err).toBe(0);
    const lines = r.err.split('\n');
    expect(lines[0]).toMatch(/^attached to /);
    // The next thing said, before the run or the capture: the process is not what is loaded.
    expect(lines[1]).toBe(
      `warn: the bullmq profile "queue" never touches pid ${t.pid}: it adds and processes its jobs in PerfLab's own process (its own queue and worker), so the capture will show pid ${t.pid} idle. Run an http profile against the process to profile it under load`,
    );
    expect(r.out).toMatch(/^queue \(bullmq\) PASS in /m);
    expect(r.out).not.toMatch(/req\/s/);
  });

  it('warns when the http target is a port the process attached by --inspect does not listen on', async () => {
    const { t, inspect } = await strictServer();
    const other = await startTarget('port-holder.cjs', { ready: /^listening \d+$/ });
    const otherPort = Number((await other.waitForLine(/^listening (\d+)$/))[1]);
    writeConfig(otherPort);
    const r = await folder.runAsync('profile', 'cpu', '--inspect', inspect, '--under', 'short');
    expect(r.err.split('\n')[1]).toBe(`warn: pid ${t.pid} does not listen on port ${otherPort} (http://127.0.0.1:${otherPort}); the load goes to another process, so the profile will not show it`);
  });
});

describe('perflab profile leaks --request when the requests fail', () => {
  it.each([
    ['a typo in the path (404)', ['--request', 'GET http://127.0.0.1:PORT/mesages'], /GET http:\/\/127\.0\.0\.1:\d+\/mesages: every request failed \(responses: 404 × 20\); 404: check the method and the path in --request \(a typo\?\)/],
    ['a bad body (400)', ['--request', 'POST http://127.0.0.1:PORT/messages', '--body', '{"too":"+1555"}'], /POST http:\/\/127\.0\.0\.1:\d+\/messages: every request failed \(responses: 400 × 20\); 400: the server rejected the request; check --body/],
  ])('exits 3 naming the status and what to check: %s', async (_, args, message) => {
    const { port, inspect } = await strictServer();
    const r = await folder.runAsync('profile', 'leaks', '--inspect', inspect, ...args.map((a) => a.replace('PORT', String(port))), '--out', 'failed-leaks');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(message);
    expect(r.out).not.toMatch(/no group of objects/);
  });

  it('shows the responses by status when the requests succeed', async () => {
    const { port, inspect } = await strictServer();
    const r = await folder.runAsync('profile', 'leaks', '--inspect', inspect, '--request', `POST http://127.0.0.1:${port}/messages`, '--body', '{"to":"+1555","type":"text","body":"hi"}', '--repeat', '100', '--out', 'ok-leaks');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^ok-leaks\/leaks\.json: 100 × POST \/messages, 100 operations \(snapshots\); responses: 202 × 100$/m);
  });
});

describe('perflab profile --help', () => {
  it('lists --top, --rounds, --json and --force', async () => {
    const r = await folder.runAsync('profile', '--help');
    expect(r.code).toBe(0);
    for (const option of ['--top N', '--rounds N', '--json', '--force', '--mode snapshots|sampling']) expect(r.out).toContain(option);
  });
});
