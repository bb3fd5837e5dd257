import { describe, expect, it } from 'vitest';
import { parseConfigText } from './config';
import { profileHash } from './configHash';

const config = (lead: string, p99: string) => `{${lead}
  "targets": { "api": { "baseUrl": "http://127.0.0.1:3000" } },
  "profiles": {
    "smoke": {
      "type": "http",
      "target": "api",
      "phases": [{ "name": "steady", "duration": "10s", "arrivalRate": 10 }],
      "scenarios": [{ "name": "health", "request": { "path": "/health" } }],
      "thresholds": { "latency.p99": "${p99}" }
    }
  }
}`;

function smoke(text: string) {
  const { config: parsed, problems } = parseConfigText(text);
  expect(problems).toEqual([]);
  return parsed!.profiles.smoke!;
}

describe('profileHash', () => {
  it('is the same when the profile and its thresholds only moved in the file', () => {
    const here = smoke(config('', '< 200ms'));
    const lower = smoke(config('\n\n\n', '< 200ms'));
    expect(lower.thresholds[0]!.source!.line).toBe(here.thresholds[0]!.source!.line + 3);
    expect(profileHash(lower)).toBe(profileHash(here));
  });

  it('changes with what the profile checks', () => {
    expect(profileHash(smoke(config('', '< 100ms')))).not.toBe(profileHash(smoke(config('', '< 200ms'))));
  });
});
