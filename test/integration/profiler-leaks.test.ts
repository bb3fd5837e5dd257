/**
 * Leak detection on the demo stack (each with its own private redis-server). With LEAK=1 every
 * request leaves a `RequestAuditEntry` behind: under a load profile it must be the top group,
 * with its retainer path; with LEAK=0 no group may stand above the noise floor. And a server
 * that leaks through a timer: its report leads with the application's part of the path.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type DemoHandle } from '../../src/runners/demo';
import { parseConfigText, type PerfLabConfig } from '../../src/core/config';
import { RunStore } from '../../src/core/runStore';
import { analyzeHeapSnapshot } from '../../src/runners/profiler/analysis';
import { attach, type AttachedTarget } from '../../src/runners/profiler/attach';
import { findLeaks, httpRepeatAction, type LeakResult } from '../../src/runners/profiler/leaks';
import { loadProfileAction } from '../../src/runners/profiler/underLoad';
import { countInstancesReference, startTarget, stopAllTargets } from '../fixtures/targets/harness';

const dir = mkdtempSync(path.join(tmpdir(), 'perflab-leaks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = { to: '+15551234567', type: 'text', body: 'hello from the leak test' };

/** A small load profile against the demo: POST /messages at a steady rate. */
function loadConfig(baseUrl: string): PerfLabConfig {
  const text = JSON.stringify({
    targets: { demo: { baseUrl } },
    profiles: {
      messages: {
        type: 'http',
        target: 'demo',
        phases: [{ name: 'steady', duration: '3s', arrivalRate: 100 }],
        scenarios: [{ name: 'send', request: { method: 'POST', path: '/messages', json: message } }],
      },
    },
  });
  const { config, problems } = parseConfigText(text, path.join(dir, 'perflab.config.json'));
  expect(problems.filter((p) => p.severity !== 'warning')).toEqual([]);
  return config!;
}

function demoStack(leak: '0' | '1') {
  const ctx = {} as { demo: DemoHandle; target: AttachedTarget; config: PerfLabConfig; store: RunStore };
  beforeAll(async () => {
    // --inspect-port=0: SIGUSR1 opens the inspector on a free port, whoever holds 9229.
    ctx.demo = await startDemo({ port: 0, env: { LEAK: leak, NODE_OPTIONS: '--inspect-port=0' } });
    ctx.target = await attach({ kind: 'pid', pid: ctx.demo.pid });
    ctx.config = loadConfig(ctx.demo.url);
    ctx.store = new RunStore(path.join(dir, `runs-${leak}`));
  });
  afterAll(async () => {
    await ctx.target?.close();
    await ctx.demo?.stop();
  });
  return ctx;
}

function leakHunt(ctx: ReturnType<typeof demoStack>, name: string, mode: 'snapshots' | 'sampling' = 'snapshots'): Promise<LeakResult> {
  const warmup = httpRepeatAction({ url: `${ctx.demo.url}/messages`, method: 'POST', body: message, repeats: 30 });
  const action = loadProfileAction({ config: ctx.config, configDir: dir, profile: 'messages', store: ctx.store, trusted: true });
  return findLeaks(ctx.target.session, { dir: path.join(dir, name), action, warmup, mode, rounds: 3 }).result;
}

describe('leaks on the demo stack with LEAK=1', () => {
  const ctx = demoStack('1');

  it('finds RequestAuditEntry as the top group under a load profile, with its retainer path', async () => {
    const result = await leakHunt(ctx, 'leak-1');
    expect(result.operations).toBeGreaterThan(100);
    const top = result.report!.groups[0]!;
    expect(top.name).toBe('RequestAuditEntry');
    // One entry per request of the action (the warm-up ones were there before the baseline).
    expect(top.count).toBeGreaterThanOrEqual(result.operations);
    expect(top.retainedSize).toBeGreaterThan(top.count * 4_000);
    expect(top.retainerPath.length).toBeGreaterThan(1);
    expect(top.retainerPath.join(' ')).toMatch(/auditTrail/);
    expect(top.retainerPath[top.retainerPath.length - 1]).toMatch(/RequestAuditEntry/);
    expect(result.summary[0]).toMatch(/^RequestAuditEntry: \d+ objects still alive/);
    const saved = JSON.parse(readFileSync(result.file, 'utf8')) as LeakResult;
    expect(saved.report!.groups[0]!.name).toBe('RequestAuditEntry');
    // The load run was recorded like any other.
    const runs = await ctx.store.list();
    expect(runs.runs.length).toBe(1);
  });

  it('finds it by heap-sampling growth too (the cheaper mode)', async () => {
    const result = await leakHunt(ctx, 'leak-1-sampling', 'sampling');
    expect(result.growth!.length).toBeGreaterThan(0);
    expect(result.growth![0]!.name).toBe('RequestAuditEntry');
    expect(result.growth![0]!.url).toMatch(/leak\.js$/);
  });
});

describe('leaks on the demo stack with LEAK=0', () => {
  const ctx = demoStack('0');

  it('reports no group above the noise floor', async () => {
    const result = await leakHunt(ctx, 'leak-0');
    expect(result.operations).toBeGreaterThan(100);
    expect(result.report!.groups.map((g) => `${g.name} ×${g.count}`)).toEqual([]);
    expect(result.summary[0]).toMatch(/no group of objects .* stands above the noise floor/);
  });
});

describe('leaks held by a timer', () => {
  afterEach(() => stopAllTargets());

  async function hunt(name: string, fullRetainerPaths?: boolean): Promise<LeakResult> {
    const server = await startTarget('session-leak.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'], ready: /^listening \d+$/ });
    const port = (await server.waitForLine(/^listening (\d+)$/))[1];
    const target = await attach({ kind: 'address', address: { host: '127.0.0.1', port: server.inspectorPort! } });
    try {
      const request = (repeats: number) => httpRepeatAction({ url: `http://127.0.0.1:${port}/login`, repeats });
      return await findLeaks(target.session, { dir: path.join(dir, name), action: request(200), warmup: request(20), fullRetainerPaths }).result;
    } finally {
      await target.close();
    }
  }

  it("leads with the application's part of the path and keeps the whole path in the report", async () => {
    const result = await hunt('timer');
    const top = result.report!.groups[0]!;
    expect(top).toMatchObject({ name: 'SessionRecord', count: 200 });
    // The whole path, root side first: Node's timer list holds the Timeout, whose callback's
    // context holds the cache.
    const whole = top.retainerPath;
    const callback = whole.indexOf('sweepSessions(){context}');
    expect(whole[callback - 1]).toBe('Timeout._onTimeout');
    expect(whole.slice(callback + 1, callback + 3)).toEqual(['system / Context->sessionCache', 'Map{table}']);
    expect(whole[whole.length - 1]).toMatch(/^SessionRecord @\d+$/);
    // Everything before the callback is Node's: it is summed up, the rest is shown.
    expect(top.runtimeHops).toBe(callback);
    const [line, via] = result.summary[0]!.split('\n');
    expect(line).toMatch(/^SessionRecord: 200 objects still alive \(.*, 1 per operation\)$/);
    expect(via).toBe(`    retained via … ${callback} internal hops via Timeout._onTimeout → ${whole.slice(callback).join(' → ')}`);
    const saved = JSON.parse(readFileSync(result.file, 'utf8')) as LeakResult;
    expect(saved.report!.groups[0]).toMatchObject({ retainerPath: whole, runtimeHops: callback });

    // Closures are their own class, counted as DevTools counts its `Function` row (this target
    // has no objects whose constructor is called Function).
    const final = await analyzeHeapSnapshot(result.snapshots!.final);
    expect(final.classes.find((c) => c.name === '(closure)')!.count).toBe(await countInstancesReference(result.snapshots!.final, 'Function'));
    expect(final.classes.some((c) => c.name === 'Function')).toBe(false);
  });

  it('prints the whole path when asked', async () => {
    const result = await hunt('timer-full', true);
    const top = result.report!.groups[0]!;
    expect(top.runtimeHops).toBeGreaterThan(0);
    expect(result.summary[0]).toContain(`\n    retained via ${top.retainerPath.join(' → ')}`);
  });
});
