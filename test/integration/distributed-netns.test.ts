// Acceptance of distributed load: three agents, each in a network namespace of its own, against a
// target in another, coordinated through BullMQ on a Redis with a password that they reach over
// their veth links. The merged run's count is the sum of the agents', its percentiles those of the
// union of every agent's raw latencies, and the arrivals at the target stay evenly spaced.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/runRecord';
import { LatencyHistogram } from '../../src/core/stats';
import { startLocalRedis, type LocalRedis } from '../../src/runners/redis/localServer';
import { type AgentProcess, allKeys, CLI, ip, ipQuiet, netnsUnavailable, perflabAsync, startAgent } from '../helpers/agents';
import { startHttpTarget, type HttpTarget } from '../helpers/httpTargets';

const unavailable = netnsUnavailable();
if (unavailable) console.warn(`distributed-netns: skipped, ${unavailable}`);

const AGENTS = 3;
const RATE = 1_500;
const SECONDS = 6;
/** A fresh target and fresh generators start slowly (JIT, first connections): the first seconds are a warm-up phase at the same rate. */
const WARM_UP_SECONDS = 2;
const TOTAL = RATE * AGENTS * (WARM_UP_SECONDS + SECONDS);
const PASSWORD = 'perflab-test-secret';
const id = String(process.pid % 10_000);
const targetNs = `plt${id}`;
const agentNs = (k: number) => `pla${id}x${k}`;
const TARGET_IP = '10.215.0.1';
const redisSide = (k: number) => `10.213.${k}.1`;

describe.skipIf(unavailable !== undefined)(`three agents in network namespaces${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let redis: LocalRedis | undefined;
  let target: HttpTarget | undefined;
  const agents: AgentProcess[] = [];
  let dir: string;
  let rawDir: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
    teardownNetwork();
    // Target: its address on its loopback, one veth link to each agent.
    ip('netns', 'add', targetNs);
    ip('-n', targetNs, 'link', 'set', 'lo', 'up');
    ip('-n', targetNs, 'addr', 'add', `${TARGET_IP}/32`, 'dev', 'lo');
    for (let k = 1; k <= AGENTS; k++) {
      const ns = agentNs(k);
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      // Agent ↔ this (root) namespace, where Redis and the coordinator are.
      ip('link', 'add', `plr${id}x${k}`, 'type', 'veth', 'peer', 'name', 'r0', 'netns', ns);
      ip('addr', 'add', `${redisSide(k)}/30`, 'dev', `plr${id}x${k}`);
      ip('link', 'set', `plr${id}x${k}`, 'up');
      ip('-n', ns, 'addr', 'add', `10.213.${k}.2/30`, 'dev', 'r0');
      ip('-n', ns, 'link', 'set', 'r0', 'up');
      // Agent ↔ target.
      ip('-n', ns, 'link', 'add', 't0', 'type', 'veth', 'peer', 'name', `a${k}`, 'netns', targetNs);
      ip('-n', ns, 'addr', 'add', `10.214.${k}.1/30`, 'dev', 't0');
      ip('-n', ns, 'link', 'set', 't0', 'up');
      ip('-n', targetNs, 'addr', 'add', `10.214.${k}.2/30`, 'dev', `a${k}`);
      ip('-n', targetNs, 'link', 'set', `a${k}`, 'up');
      ip('-n', ns, 'route', 'add', `${TARGET_IP}/32`, 'via', `10.214.${k}.2`);
    }
    redis = await startLocalRedis({ alsoBind: Array.from({ length: AGENTS }, (_, i) => redisSide(i + 1)), password: PASSWORD });
    target = await startHttpTarget({ netns: targetNs, host: '0.0.0.0' });
    dir = mkdtempSync(path.join(tmpdir(), 'perflab-dist-'));
    rawDir = path.join(dir, 'raw');
    for (let k = 1; k <= AGENTS; k++) {
      agents.push(await startAgent({
        name: `agent-${k}`, netns: agentNs(k), redis: `redis://${redisSide(k)}:${redis.port}`, allowHosts: [redisSide(k), TARGET_IP],
        env: { PERFLAB_REDIS_PASSWORD: PASSWORD, PERFLAB_AGENT_RAW_DIR: rawDir },
      }));
    }
    writeFileSync(path.join(dir, 'perflab.config.json'), JSON.stringify({
      stack: { redis: { url: redis.url } },
      targets: { api: { baseUrl: `http://${TARGET_IP}:${target.port}`, allowHosts: [TARGET_IP] } },
      profiles: {
        spread: {
          type: 'http', target: 'api',
          phases: [
            { name: 'warm-up', duration: `${WARM_UP_SECONDS}s`, arrivalRate: RATE * AGENTS },
            { name: 'steady', duration: `${SECONDS}s`, arrivalRate: RATE * AGENTS },
          ],
          scenarios: [{ name: 'root', request: { path: '/' } }],
          distributed: { agents: AGENTS },
        },
      },
    }));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await target?.stop();
    await redis?.stop();
    teardownNetwork();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`3 × ${RATE} req/s: one run, the sum of the agents' counts, the union's percentiles, evenly spaced arrivals`, async () => {
    await target!.reset();
    const { done } = perflabAsync(dir, ['run', 'spread', '--json', 'out.json'], { PERFLAB_REDIS_PASSWORD: PASSWORD });
    const r = await done;
    expect(r.code, r.out + r.err).toBe(0);
    const record = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as RunRecord;
    const report = JSON.stringify({ overall: record.overall, generator: record.generator, agents: record.distributed?.agents.map((a) => ({ ...a, overall: a.overall?.count })) });
    expect(record.status, report).toBe('completed');
    const d = record.distributed!;
    expect(d.partial).toBe(false);
    expect(d.agents.map((a) => a.name).sort()).toEqual(['agent-1', 'agent-2', 'agent-3']);
    expect(d.agents.every((a) => a.status === 'completed')).toBe(true);
    // Each agent's clock was measured against Redis's and reported (one machine: close to 0).
    for (const a of d.agents) {
      expect(Number.isFinite(a.clockOffsetMs)).toBe(true);
      expect(Math.abs(a.clockOffsetMs)).toBeLessThan(50);
    }

    // The count is the agents' sum, and every scheduled request was answered.
    const counts = d.agents.map((a) => a.overall!.count);
    expect(record.overall!.count).toBe(counts.reduce((x, y) => x + y, 0));
    expect(record.overall!.count, report).toBe(TOTAL);
    expect(record.phases.find((p) => p.name === 'steady')!.count).toBe(RATE * AGENTS * SECONDS);
    expect(record.overall!.errors).toBe(0);

    // The percentiles are the union's: exactly the histogram of every raw latency, and within
    // HDR's precision (3 significant digits) of the exact order statistics.
    const files = readdirSync(rawDir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(AGENTS);
    const raw = files.flatMap((f) => JSON.parse(readFileSync(path.join(rawDir, f), 'utf8')) as number[]);
    expect(raw.length).toBe(record.overall!.count);
    const union = LatencyHistogram.create();
    for (const ms of raw) union.recordMs(ms);
    const u = union.summary();
    const l = record.overall!.latency;
    expect({ p50: l.p50, p90: l.p90, p99: l.p99 }).toEqual({ p50: u.p50, p90: u.p90, p99: u.p99 });
    const sorted = [...raw].sort((a, b) => a - b);
    for (const p of [50, 90, 99] as const) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
      expect(Math.abs(l[`p${p}`] - exact), `p${p}: ${l[`p${p}`]} vs exact ${exact}`).toBeLessThanOrEqual(exact * 0.002 + 0.002);
    }

    // Arrivals at the target: per-100 ms counts of the steady phase, the windows at its edges
    // (partial, or the warm-up's) left out.
    const stats = await target!.stats();
    expect(stats.total).toBe(TOTAL);
    // Each phase starts at a time the coordinator plans a moment after the last one ends, so the
    // first steady window can still be a partial one: edge windows below 90 % of the median are
    // left out too (one inside the phase would still count).
    const inner = stats.arrivals.slice(WARM_UP_SECONDS * 10 + 2, -2);
    const median = [...inner].sort((x, y) => x - y)[Math.floor(inner.length / 2)]!;
    let from = 0;
    let to = inner.length;
    while (from < to && inner[from]! < 0.9 * median) from++;
    while (to > from && inner[to - 1]! < 0.9 * median) to--;
    const steady = inner.slice(from, to);
    expect(steady.length).toBeGreaterThanOrEqual(SECONDS * 10 - 5);
    const mean = steady.reduce((a, b) => a + b, 0) / steady.length;
    const cv = Math.sqrt(steady.reduce((a, b) => a + (b - mean) ** 2, 0) / steady.length) / mean;
    console.info(`netns: ${record.overall!.count} requests, p50/p90/p99 ${l.p50}/${l.p90}/${l.p99} ms (union ${u.p50}/${u.p90}/${u.p99}), CV of per-100 ms arrivals ${cv.toFixed(4)}, clocks ${d.agents.map((a) => a.clockOffsetMs).join(', ')} ms, generator-bound ${record.generator!.generatorBound}`);
    // As in the single-generator tests: where the machine's CPU is taken from the generators
    // (another heavy job), nothing can go out on time, and the run must say so instead.
    if (record.generator!.generatorBound) {
      expect(record.generator!.message, report).toMatch(/agent agent-\d: .*the load generator was the limit/);
    } else {
      expect(cv, `per-100 ms arrivals ${steady.join(' ')}`).toBeLessThanOrEqual(0.05);
      expect(mean).toBeCloseTo((RATE * AGENTS) / 10, -1);
    }

    // Nothing of the run is left on the Redis: only the lobby the agents wait on.
    const client = new Redis({ port: redis!.port, password: PASSWORD, lazyConnect: true });
    await client.connect();
    try {
      const keys = await allKeys(client);
      expect(keys.filter((k) => !k.startsWith('perflab-agents:agents:'))).toEqual([]);
      expect(keys.filter((k) => !/^perflab-agents:agents:(meta|id|events|stalled-check|marker)$/.test(k))).toEqual([]);
    } finally {
      client.disconnect();
    }
  }, 90_000);
});

/** Deletes the namespaces (their veth links go with them). */
function teardownNetwork(): void {
  ipQuiet('netns', 'del', targetNs);
  for (let k = 1; k <= AGENTS; k++) {
    ipQuiet('netns', 'del', agentNs(k));
    ipQuiet('link', 'del', `plr${id}x${k}`);
  }
}
