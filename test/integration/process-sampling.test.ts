/**
 * The sampled process of a run, from the engine (runProfile): found by its command line (exactly
 * one match, else an error listing the candidates), and left exactly as it was found when the run
 * ends, is cancelled, fails, or the process goes away: no sampler, no timer, no global left.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText, type PerfLabConfig } from '../../src/core/config';
import { RunStore } from '../../src/core/runStore';
import { attach } from '../../src/runners/profiler/attach';
import type { MonitorSample } from '../../src/runners/profiler/types';
import { runProfile } from '../../src/runners/runProfile';
import { TARGETS_DIR, startTarget, stopAllTargets, type TargetProcess } from '../fixtures/targets/harness';
import { startHttpTarget, type HttpTarget } from '../helpers/httpTargets';
import { waitUntil } from '../helpers/redis';

const dir = mkdtempSync(path.join(tmpdir(), 'perflab-sampling-'));
const store = new RunStore(path.join(dir, 'runs'));
let http: HttpTarget;
beforeAll(async () => {
  http = await startHttpTarget();
});
afterEach(() => stopAllTargets());
afterAll(async () => {
  await http?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(process: object, duration = '2s', baseUrl = http.url): PerfLabConfig {
  const { config, problems } = parseConfigText(JSON.stringify({
    targets: { api: { baseUrl, process } },
    profiles: {
      load: {
        type: 'http', target: 'api',
        phases: [{ name: 'steady', duration, arrivalRate: 20 }],
        scenarios: [{ name: 'root', request: { path: '/' } }],
        thresholds: { 'eventLoop.lag.p99': '< 1s', 'memory.rss.max': '< 4GB' },
      },
    },
  }));
  expect(problems).toEqual([]);
  return config!;
}

const run = (cfg: PerfLabConfig, onProcessSample?: (s: MonitorSample) => void) =>
  runProfile({ config: cfg, profile: 'load', configDir: dir, store, trusted: true, ...(onProcessSample ? { onProcessSample } : {}) });

/** The target's active handles and live timers, and any global PerfLab left. */
async function footprint(t: TargetProcess): Promise<{ handles: string; globals: unknown }> {
  const seen = t.stdout.length;
  t.send('handles');
  await waitUntil(() => t.stdout.slice(seen).some((l) => l.startsWith('handles ')), 'the target to report its handles');
  const handles = t.stdout.slice(seen).find((l) => l.startsWith('handles '))!;
  const probe = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
  try {
    const { result } = await probe.session.send('Runtime.evaluate', {
      expression: "Object.getOwnPropertySymbols(globalThis).filter((s) => String(s).includes('perflab')).length",
      returnByValue: true,
    });
    return { handles, globals: result.value };
  } finally {
    await probe.close();
  }
}

describe('the process a run samples', () => {
  it('is left as it was found when the run is cancelled mid-run', async () => {
    const t = await startTarget('blocker.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const before = await footprint(t);
    const samples: MonitorSample[] = [];
    const r = run(config({ inspect: `127.0.0.1:${t.inspectorPort}` }, '60s'), (s) => samples.push(s));
    await waitUntil(() => samples.length >= 2, 'two process samples');
    r.handle.cancel();
    const record = await r.record;
    expect(record.status).toBe('cancelled');
    expect(record.process).toMatchObject({ complete: true });
    expect(record.process!.samples).toBeGreaterThanOrEqual(2);
    expect(await footprint(t)).toEqual(before);
  });

  it('is left as it was found when the run fails', async () => {
    const t = await startTarget('blocker.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const before = await footprint(t);
    // Nothing listens on port 9 of loopback: the run fails before any load.
    const record = await run(config({ pid: t.pid }, '2s', 'http://127.0.0.1:9')).record;
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/127\.0\.0\.1:9/);
    expect(await footprint(t)).toEqual(before);
  });

  it('keeps its figures up to its exit, but gives the thresholds no value', async () => {
    const t = await startTarget('blocker.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const samples: MonitorSample[] = [];
    const r = run(config({ pid: t.pid }, '3s'), (s) => samples.push(s));
    const logs: string[] = [];
    r.handle.on('log', (l) => logs.push(l.message));
    await waitUntil(() => samples.length >= 2, 'two process samples');
    t.send('exit 0');
    const record = await r.record;
    expect(record.status).toBe('completed');
    expect(record.process).toMatchObject({ complete: false });
    expect(record.process!.samples).toBeGreaterThanOrEqual(2);
    expect(record.thresholds.map((v) => v.actual)).toEqual([null, null]);
    expect(record.pass).toBe(false);
    expect(logs.some((m) => /went away .* no process metric goes to the thresholds/.test(m))).toBe(true);
  });

  describe('found by its command line', () => {
    // A script name no other process on this machine has.
    const script = `perflab-match-${process.pid}-${Date.now()}.cjs`;
    beforeAll(() => copyFileSync(path.join(TARGETS_DIR, 'blocker.cjs'), path.join(dir, script)));

    // Attached by pid: SIGUSR1 opens the inspector on a free port, not on the shared 9229.
    const nodeArgs = ['--inspect-port=0'];

    it('samples the one process that matches, by substring or by regular expression', async () => {
      const t = await startTarget(path.join(dir, script), { nodeArgs });
      const bySubstring = await run(config({ match: script })).record;
      expect(bySubstring.process, bySubstring.error).toMatchObject({ pid: t.pid, complete: true });
      expect(bySubstring.thresholds.every((v) => v.actual !== null && v.pass)).toBe(true);
      const byRegex = await run(config({ match: `/${script.replace(/[.-]/g, '\\$&')}$/` })).record;
      expect(byRegex.process, byRegex.error).toMatchObject({ pid: t.pid });
    });

    it('refuses to guess between several, and lists them', async () => {
      const [a, b] = await Promise.all([startTarget(path.join(dir, script), { nodeArgs }), startTarget(path.join(dir, script), { nodeArgs })]);
      const r = run(config({ match: script }));
      const record = await r.record;
      expect(record.status).toBe('failed');
      expect(r.errorCode).toBe('config');
      expect(record.error).toContain(`2 Node processes match "${script}"`);
      expect(record.error).toContain(`pid ${a.pid} (`);
      expect(record.error).toContain(`pid ${b.pid} (`);
      expect(record.error).toMatch(/Make "match" more precise/);
    });

    it('says so when none matches', async () => {
      const r = run(config({ match: `${script}-not-running` }));
      const record = await r.record;
      expect(record.status).toBe('failed');
      expect(record.error).toMatch(/no local Node process matches ".*-not-running" \(process\.match\)/);
    });
  });
});
