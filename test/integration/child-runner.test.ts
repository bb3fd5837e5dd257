// The editor's way to run Redis and BullMQ benchmarks: in a child process of their own
// (src/runners/childRunner.ts), with the same record, events, cancel and cleanup as in-process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/core/config';
import { RunStore } from '../../src/core/runStore';
import { runProfile } from '../../src/runners/runProfile';
import { childPids, useLocalRedis, waitUntil } from '../helpers/redis';

const redisUrl = useLocalRedis();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-child-runner-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The profiles as a user writes them, loaded as the editor loads them. */
function start(profile: Record<string, unknown>, url = redisUrl()) {
  const { config, problems } = parseConfigText(JSON.stringify({ stack: { redis: { url }, queues: [{ name: 'messages' }] }, profiles: { p: profile } }));
  expect(problems.filter((x) => x.severity !== 'warning')).toEqual([]);
  return runProfile({ config: config!, profile: 'p', configDir: dir, store: new RunStore(dir), env: {}, trusted: true, ownProcess: true });
}

/** This process's children running the runner bundle. */
const runnerChildren = () => childPids().filter((pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('runner-child.js');
  } catch {
    return false;
  }
});

const benchKeys = () => execFileSync('redis-cli', ['-u', redisUrl(), '--scan', '--pattern', 'perflab*'], { encoding: 'utf8' }).split('\n').filter(Boolean);

describe('a benchmark in a child process', () => {
  it('a BullMQ run: the record and the live events as in-process, and no process left', async () => {
    const run = start({ type: 'bullmq', queue: 'messages', mode: 'e2e', jobs: 300, workerConcurrency: 4 });
    let children = 0;
    let progress = 0;
    run.handle.on('progress', () => {
      progress++;
      children = Math.max(children, runnerChildren().length);
    });
    const record = await run.record;
    expect(record.status).toBe('completed');
    expect(record.overall?.count).toBe(300);
    expect(progress).toBeGreaterThan(0);
    expect(children).toBe(1);
    await waitUntil(() => runnerChildren().length === 0, 'the runner process to exit');
    expect(benchKeys()).toEqual([]);
  });

  it('a Redis run: its operations measured there', async () => {
    const record = await start({ type: 'redis', operations: ['set', 'get'], iterations: 2_000 }).record;
    expect(record.status).toBe('completed');
    expect(record.operations.map((o) => [o.name, o.count])).toEqual([['set', 2_000], ['get', 2_000]]);
  });

  it('cancel stops it, saves it as cancelled, and leaves no keys, queues or process', async () => {
    const run = start({ type: 'bullmq', queue: 'messages', mode: 'e2e', duration: '1m', arrivalRate: 200 });
    await waitUntil(() => benchKeys().length > 0, 'the run to make its queue');
    run.handle.cancel();
    const record = await run.record;
    expect(record.status).toBe('cancelled');
    expect(benchKeys()).toEqual([]);
    await waitUntil(() => runnerChildren().length === 0, 'the runner process to exit');
  });

  it("an unreachable Redis fails the run with the runner's own message", async () => {
    const record = await start({ type: 'bullmq', queue: 'messages', jobs: 100 }, 'redis://127.0.0.1:1').record;
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/cannot connect to Redis at 127\.0\.0\.1:1 \(connection refused\)/);
    await waitUntil(() => runnerChildren().length === 0, 'the runner process to exit');
  });
});
