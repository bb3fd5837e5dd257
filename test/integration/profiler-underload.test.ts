/**
 * Profile under load on the demo stack with HOT=1 (its `renderPreview` blocks the event loop for
 * milliseconds per request): the load run's record lists the CPU profile, the timeline and the
 * spike report, and the lag spikes are attributed to `renderPreview`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type DemoHandle } from '../../src/runners/demo';
import { parseConfigText, type PerfLabConfig } from '../../src/core/config';
import { RunStore } from '../../src/core/runStore';
import { analyzeCpuProfile } from '../../src/runners/profiler/analysis';
import { attach, type AttachedTarget } from '../../src/runners/profiler/attach';
import type { TimelineFile } from '../../src/runners/profiler/monitor';
import { profileUnderLoad } from '../../src/runners/profiler/underLoad';

const dir = mkdtempSync(path.join(tmpdir(), 'perflab-underload-'));
let demo: DemoHandle;
let target: AttachedTarget;
let config: PerfLabConfig;

beforeAll(async () => {
  demo = await startDemo({ port: 0, env: { HOT: '1', NODE_OPTIONS: '--inspect-port=0' } });
  target = await attach({ kind: 'pid', pid: demo.pid });
  const text = JSON.stringify({
    targets: { demo: { baseUrl: demo.url } },
    profiles: {
      busy: {
        type: 'http',
        target: 'demo',
        // 16 requests in flight: each event-loop turn runs several renderPreview calls (a few ms
        // each on a fast CPU), so the loop's delay passes the spike threshold however quick the machine.
        phases: [{ name: 'saturate', duration: '4s', connections: 16 }],
        scenarios: [{ name: 'send', request: { method: 'POST', path: '/messages', json: { to: '+15551234567', type: 'text', body: 'hi' } } }],
      },
    },
  });
  const parsed = parseConfigText(text, path.join(dir, 'perflab.config.json'));
  config = parsed.config!;
});
afterAll(async () => {
  await target?.close();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('profile under load', () => {
  it('links the CPU profile and timeline to the run and attributes lag spikes to renderPreview', async () => {
    const store = new RunStore(path.join(dir, 'runs'));
    let sawRun = false;
    const capture = profileUnderLoad(target.session, {
      config,
      configDir: path.resolve(__dirname, '../..'),
      profile: 'busy',
      store,
      trusted: true,
      targetPid: demo.pid,
      monitor: { intervalMs: 250 },
      spikes: { thresholdMs: 20 },
      onRun: () => (sawRun = true),
    });
    const samples: unknown[] = [];
    capture.on('sample', (s) => samples.push(s));
    const result = await capture.result;
    expect(sawRun).toBe(true);
    expect(samples.length).toBeGreaterThan(3);

    // The record on disk lists the captures, and they are next to it.
    const record = await store.read(result.record.id);
    expect(record.status).toBe('completed');
    expect(record.overall!.count).toBeGreaterThan(20);
    expect(record.artifacts.map((a) => `${a.kind}:${a.file}`).sort()).toEqual(['cpuprofile:cpu.cpuprofile', 'report:spikes.json', 'samples:samples.json', 'timeline:timeline.json']);
    for (const a of record.artifacts) expect(existsSync(path.join(result.runDir, a.file))).toBe(true);
    const timeline = JSON.parse(readFileSync(path.join(result.runDir, 'timeline.json'), 'utf8')) as TimelineFile;
    expect(timeline.complete).toBe(true);
    expect(timeline.samples.length).toBe(record.process!.samples);

    // The spikes are renderPreview's doing.
    expect(result.spikes.length).toBeGreaterThan(0);
    const worst = [...result.spikes].sort((a, b) => b.delayMs - a.delayMs)[0]!;
    expect(worst.culprits[0]!.name).toBe('renderPreview');
    expect(worst.message).toMatch(/^during the [\d.]+ m?s spike at [\d.]+ m?s, [\d.]+% of samples were in `renderPreview` \(examples\/demo-stack\/hot\.js:29\)$/);

    // And the profile says the same about the whole run.
    const cpu = await analyzeCpuProfile(result.cpu!.file, { top: 5 });
    expect(cpu.functions.map((f) => f.name)).toContain('renderPreview');
    expect(cpu.intervalUs).toBe(result.cpu!.intervalUs);
    // V8's pseudo-frames are totalled apart, never ranked as functions.
    expect(cpu.functions.map((f) => f.name)).not.toContain('(idle)');
    expect(cpu.meta.map((m) => m.kind)).toEqual(['idle', 'program', 'gc', 'root']);
  });
});
