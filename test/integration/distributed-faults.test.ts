// Faults of a distributed run: an agent killed with SIGKILL mid-run is detected within seconds,
// the run ends partial naming it and keeping what the others measured, its shard is not run by
// anyone else, and no BullMQ key of the run is left on the Redis. Ctrl-C on an agent ends its
// shard cleanly: its measurements reach the coordinator, marked cancelled.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/runRecord';
import { type AgentProcess, allKeys, CLI, perflabAsync, startAgent } from '../helpers/agents';
import { startHttpTarget, type HttpTarget } from '../helpers/httpTargets';
import { useLocalRedis, waitUntil } from '../helpers/redis';

const redisUrl = useLocalRedis();
let target: HttpTarget;
let dir: string;
let agents: AgentProcess[] = [];

const LOBBY_KEY = /^perflab-agents:agents:(meta|id|events|stalled-check|marker)$/;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  target = await startHttpTarget();
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-dist-faults-'));
  writeFileSync(path.join(dir, 'perflab.config.json'), JSON.stringify({
    stack: { redis: { url: redisUrl() } },
    targets: { api: { baseUrl: target.url } },
    profiles: {
      long: {
        type: 'http', target: 'api',
        phases: [{ name: 'steady', duration: '30s', arrivalRate: 900 }],
        scenarios: [{ name: 'root', request: { path: '/' } }],
        distributed: { agents: 3 },
      },
    },
  }));
});
afterEach(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  agents = [];
});
afterAll(async () => {
  await target?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startAgents(n: number): Promise<void> {
  for (let k = 1; k <= n; k++) agents.push(await startAgent({ name: `agent-${k}`, redis: redisUrl() }));
}

/** Keys on the Redis that are not the agents' lobby queue's own. */
async function leftover(): Promise<string[]> {
  const client = new Redis(redisUrl(), { lazyConnect: true });
  await client.connect();
  try {
    return (await allKeys(client)).filter((k) => !LOBBY_KEY.test(k));
  } finally {
    client.disconnect();
  }
}

describe('load agents on the Redis', () => {
  it('the Stack view lists the agents waiting for runs, by name', async () => {
    await startAgents(2);
    const { readStackStatus } = await import('../../src/runners/stack');
    const config = { stack: { redis: { url: redisUrl() }, queues: [] }, targets: {}, allowHosts: [], profiles: {} };
    const status = await readStackStatus(config, {}, 'perflab.config.json');
    expect(status.redis?.ok).toBe(true);
    const agentsSeen = status.redis?.ok ? status.redis.agents : undefined;
    expect(agentsSeen?.map((a) => a.name)).toEqual(['agent-1', 'agent-2']);
  }, 30_000);
});

describe('distributed run faults', () => {
  it('kill -9 of one agent mid-run: partial within 10 s, the agent named, the others\' results kept, no keys left', async () => {
    await startAgents(3);
    let live = '';
    const { done } = perflabAsync(dir, ['run', 'long', '--json', 'killed.json'], {}, (err) => {
      live = err;
    });
    // Mid-run: every agent is sending and the merged live line has counted a few thousand.
    await waitUntil(() => agents.every((a) => /share \d of 3/.test(a.output())) && /total [\d,]{5,}/.test(live), 'the run to be under way', 30_000);
    const victim = agents[1]!;
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    const r = await done;
    const tookMs = Date.now() - killedAt;
    console.info(`kill -9 to the end of the run: ${tookMs} ms`);
    expect(tookMs, r.err).toBeLessThanOrEqual(10_000);
    expect(r.code, r.err).toBe(3);
    const record = JSON.parse(readFileSync(path.join(dir, 'killed.json'), 'utf8')) as RunRecord;
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/^partial run: agent agent-2 was lost \(it stopped answering/);
    expect(record.error).toMatch(/What agent-\d, agent-\d measured until then is kept/);
    const d = record.distributed!;
    expect(d.partial).toBe(true);
    expect(d.missing).toEqual(['agent-2']);
    const byName = Object.fromEntries(d.agents.map((a) => [a.name, a]));
    expect(byName['agent-2']!.status).toBe('lost');
    expect(byName['agent-2']!.overall).toBeUndefined();
    for (const name of ['agent-1', 'agent-3']) {
      expect(byName[name]!.status).toBe('stopped');
      expect(byName[name]!.overall!.count).toBeGreaterThan(1_000);
    }
    expect(record.overall!.count).toBe(byName['agent-1']!.overall!.count + byName['agent-3']!.overall!.count);
    expect(record.overall!.errors).toBe(0);
    // Nobody ran the lost agent's shard: each survivor took exactly one.
    for (const a of [agents[0]!, agents[2]!]) expect(a.output().match(/share \d of 3/g)).toHaveLength(1);
    expect(await leftover()).toEqual([]);
  }, 90_000);

  it('Ctrl-C on an agent ends its shard cleanly: its measurements reach the coordinator, marked cancelled', async () => {
    await startAgents(2);
    writeFileSync(path.join(dir, 'perflab.config.json'), readFileSync(path.join(dir, 'perflab.config.json'), 'utf8').replace('"agents":3', '"agents":2'));
    let live = '';
    const { done } = perflabAsync(dir, ['run', 'long', '--json', 'interrupted.json'], {}, (err) => {
      live = err;
    });
    await waitUntil(() => agents.every((a) => /share \d of 2/.test(a.output())) && /total [\d,]{4,}/.test(live), 'the run to be under way', 30_000);
    agents[0]!.child.kill('SIGINT');
    expect(await agents[0]!.exited).toBe(130);
    const r = await done;
    expect(r.code, r.err).toBe(3);
    const record = JSON.parse(readFileSync(path.join(dir, 'interrupted.json'), 'utf8')) as RunRecord;
    const d = record.distributed!;
    expect(d.missing).toEqual(['agent-1']);
    const one = d.agents.find((a) => a.name === 'agent-1')!;
    expect(one.status).toBe('cancelled');
    expect(one.overall!.count).toBeGreaterThan(500);
    expect(record.error).toMatch(/agent agent-1 cancelled/);
    expect(await leftover()).toEqual([]);
  }, 90_000);
});
