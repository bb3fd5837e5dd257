import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../core/config/loader';
import type { HttpProfile } from '../../core/config/types';

const config = (distributed: string, extra = '') => `{
  "targets": { "api": { "baseUrl": "http://127.0.0.1:3000" } },
  "profiles": {
    "spread": {
      "type": "http", "target": "api",
      "phases": [{ "name": "steady", "duration": "10s", "arrivalRate": 3000 }],
      "scenarios": [{ "name": "root", "request": { "path": "/" } }],
      "distributed": ${distributed}${extra}
    }
  }
}`;

describe('a profile\'s "distributed"', () => {
  it('normalizes: agents, the Redis as written, the join timeout in ms (10 s by default)', () => {
    const a = parseConfigText(config('{ "agents": 3 }'));
    expect(a.problems).toEqual([]);
    expect((a.config!.profiles.spread as HttpProfile).distributed).toEqual({ agents: 3, joinTimeoutMs: 10_000 });
    const b = parseConfigText(config('{ "agents": 2, "redis": "redis://127.0.0.1:6390", "joinTimeout": "30s" }'));
    expect((b.config!.profiles.spread as HttpProfile).distributed).toEqual({ agents: 2, redis: 'redis://127.0.0.1:6390', joinTimeoutMs: 30_000 });
  });

  it('refuses what cannot be: no agents, a fraction of one, an unknown key, a custom generator', () => {
    for (const bad of ['{}', '{ "agents": 0 }', '{ "agents": 1.5 }', '{ "agents": 2, "nodes": 3 }']) {
      expect(parseConfigText(config(bad)).problems.filter((p) => p.severity === 'error').length, bad).toBeGreaterThan(0);
    }
    const generator = parseConfigText(config('{ "agents": 2 }', ', "generator": "./gen.js"'));
    expect(generator.problems.map((p) => p.message)).toContain('a custom "generator" cannot run on load agents');
  });
});
