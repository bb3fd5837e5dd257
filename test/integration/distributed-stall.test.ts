// The stall test (http-stall.test.ts) through two load agents: a target that blocks its event
// loop for 200 ms once a second, 1,000 req/s for 10 s, split across two agents with interleaved
// schedules, must show the same corrected p99 (within 5 %) as one generator sending it all.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/runRecord';
import { runHttpProfile } from '../../src/runners/http';
import { type AgentProcess, CLI, perflabAsync, startAgent } from '../helpers/agents';
import { httpProfile, openPhase, runnerContext, startHttpTarget, type HttpTarget } from '../helpers/httpTargets';
import { useLocalRedis } from '../helpers/redis';

const redisUrl = useLocalRedis();
let stalling: HttpTarget;
let dir: string;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  stalling = await startHttpTarget({ stallMs: 200, stallEveryMs: 1000 });
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-dist-stall-'));
  writeFileSync(path.join(dir, 'perflab.config.json'), JSON.stringify({
    stack: { redis: { url: redisUrl() } },
    targets: { api: { baseUrl: stalling.url } },
    profiles: {
      stall: {
        type: 'http', target: 'api',
        phases: [{ name: 'steady', duration: '10s', arrivalRate: 1000 }],
        scenarios: [{ name: 'root', request: { path: '/' } }],
        distributed: { agents: 2 },
      },
    },
  }));
  for (let k = 1; k <= 2; k++) agents.push(await startAgent({ name: `agent-${k}`, redis: redisUrl() }));
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await stalling?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('arrival rate against a stalling target, through two agents', () => {
  it('1,000 req/s for 10 s: the same corrected p99 (within 5 %) as one generator', async () => {
    const single = await runHttpProfile(httpProfile([openPhase('steady', 1000, 10_000)]), runnerContext(stalling.url)).result;
    expect(single.status).toBe('completed');
    const one = single.overall!;

    const r = await perflabAsync(dir, ['run', 'stall', '--json', 'out.json']).done;
    expect(r.code, r.err).toBe(0);
    const record = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as RunRecord;
    const two = record.overall!;
    const report = JSON.stringify({ single: one.latency, distributed: two.latency, agents: record.distributed!.agents.map((a) => a.overall?.latency) });
    console.info(`stall p99: one generator ${one.latency.p99} ms, two agents ${two.latency.p99} ms`);
    expect(record.distributed!.agents.map((a) => a.status)).toEqual(['completed', 'completed']);
    expect(two.count).toBe(10_000);
    expect(two.errors).toBe(0);
    // Both see the stalls as the theory says (p99 ≈ 190 ms), and agree with each other.
    expect(one.latency.p99, report).toBeGreaterThanOrEqual(170);
    expect(two.latency.p99, report).toBeGreaterThanOrEqual(170);
    expect(Math.abs(two.latency.p99 - one.latency.p99), report).toBeLessThanOrEqual(one.latency.p99 * 0.05);
    // From the actual send the stall hardly shows, through the agents as through one generator.
    expect(two.uncorrectedLatency!.p90, report).toBeLessThan(two.latency.p90 / 10);
  }, 90_000);
});
