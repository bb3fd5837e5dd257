import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_REDIS_URL, DEFAULT_DEMO_URL } from '../demoState';
import { parseDuration } from './duration';
import { parseConfigText } from './loader';
import { PRESETS, PRESET_NAMES, presetPhases } from './presets';
import { starterConfig } from './starter';
import type { HttpProfile } from './types';

const total = (profile: HttpProfile) => profile.phases.reduce((s, p) => s + p.durationMs, 0);

describe('starterConfig', () => {
  const text = starterConfig();
  const { config, problems } = parseConfigText(text, 'perflab.config.json');

  it('passes its own validation without a single problem', () => {
    expect(problems).toEqual([]);
    expect(config).toBeDefined();
  });

  it('is commented JSONC, not plain JSON', () => {
    expect(text).toMatch(/^\/\/ /m);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it("targets the demo's default addresses on loopback, never the usual Redis port", () => {
    expect(config!.targets.api!.baseUrl).toBe(DEFAULT_DEMO_URL);
    expect(config!.stack.redis!.url).toBe(DEFAULT_DEMO_REDIS_URL);
    expect(new URL(config!.stack.redis!.url).port).not.toBe('6379');
    expect(text).toContain('.perflab/demo.json');
    expect(text).toMatch(/Never write a password here/);
  });

  it('has the five http profiles plus redis-ops and queue-ops', () => {
    expect(Object.keys(config!.profiles)).toEqual(['smoke', 'load', 'stress', 'spike', 'endurance', 'redis-ops', 'queue-ops']);
    expect(config!.profiles['redis-ops']!.type).toBe('redis');
    expect(config!.profiles['queue-ops']!.type).toBe('bullmq');
  });

  it('sends the demo routes', () => {
    const smoke = config!.profiles.smoke as HttpProfile;
    expect(smoke.scenarios.map((s) => `${s.request.method} ${s.request.path}`)).toEqual([
      'POST /messages', 'POST /analytics/events', 'GET /queue/metrics', 'GET /health',
    ]);
    expect(smoke.scenarios[0]!.request.json).toEqual({ to: '{{phone}}', type: 'text', body: '{{words(5)}}', priority: 5 });
    expect(smoke.scenarios[1]!.request.json).toEqual({ type: '{{pick(sent,delivered,read)}}', phone: '{{phone}}' });
  });

  it('shapes the load: smoke ~10 s, stress and spike shorter than load, endurance longest', () => {
    const p = config!.profiles as Record<string, HttpProfile>;
    expect(total(p.smoke!)).toBe(10_000);
    expect(total(p.load!)).toBe(720_000);
    expect(p.load!.phases.map((ph) => ph.name)).toEqual(['warm-up', 'ramp-up', 'sustained', 'peak', 'stress', 'cool-down']);
    expect(total(p.stress!)).toBeLessThan(total(p.load!));
    expect(total(p.spike!)).toBeLessThan(total(p.load!));
    expect(total(p.endurance!)).toBeGreaterThan(total(p.load!));
    const peak = (prof: HttpProfile) => Math.max(...prof.phases.map((ph) => (ph.model === 'open' ? Math.max(ph.arrivalRate, ph.rampTo ?? 0) : 0)));
    expect(peak(p.stress!)).toBeGreaterThan(peak(p.load!));
    expect(peak(p.spike!)).toBeGreaterThan(peak(p.load!));
  });

  it('writes the same phases as the presets', () => {
    const p = config!.profiles as Record<string, HttpProfile>;
    for (const name of PRESET_NAMES) expect(p[name]!.phases).toEqual(presetPhases(name));
  });

  it('takes another base URL and Redis URL', () => {
    const r = parseConfigText(starterConfig({ baseUrl: 'http://localhost:4123', redisUrl: 'redis://127.0.0.1:6380' }));
    expect(r.problems).toEqual([]);
    expect(r.config!.targets.api!.baseUrl).toBe('http://localhost:4123');
    expect(r.config!.stack.redis!.url).toBe('redis://127.0.0.1:6380');
  });
});

describe('presets', () => {
  it('scales rates, not durations', () => {
    const phases = presetPhases('spike', 2);
    expect(phases.map((p) => p.arrivalRate)).toEqual(PRESETS.spike.map((p) => p.arrivalRate * 2));
    expect(phases[1]).toMatchObject({ name: 'spike', rampTo: 600, durationMs: parseDuration(PRESETS.spike[1]!.duration) });
  });
});
