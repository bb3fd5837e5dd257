import { describe, expect, it } from 'vitest';
import { parseConfigText } from './config';
import { evaluateThresholds } from './thresholds';

function thresholdsOf(thresholds: Record<string, string>) {
  const text = JSON.stringify({
    targets: { api: { baseUrl: 'http://127.0.0.1:3000' } },
    profiles: {
      p: {
        type: 'http', target: 'api',
        phases: [{ name: 'main', duration: '1s', arrivalRate: 10 }],
        scenarios: [{ name: 'home', weight: 1, request: { path: '/' } }],
        thresholds,
      },
    },
  });
  const { config, problems } = parseConfigText(text, 'perflab.config.json');
  expect(problems).toEqual([]);
  return config!.profiles.p!.thresholds;
}

describe('evaluateThresholds', () => {
  it('compares in canonical units and keeps the expression as written', () => {
    const verdicts = evaluateThresholds(
      thresholdsOf({ 'latency.p99': '< 0.1s', 'errors.rate': '< 0.1%', rps: '>= 40', 'scenario.home.latency.p95': '<= 25ms' }),
      { 'latency.p99': 99.9, 'errors.rate': 0.001, rps: 40, 'scenario.home.latency.p95': 25 },
    );
    expect(verdicts).toEqual([
      { metric: 'latency.p99', limit: '< 0.1s', actual: 99.9, unit: 'ms', pass: true },
      { metric: 'errors.rate', limit: '< 0.1%', actual: 0.001, unit: 'ratio', pass: false },
      { metric: 'rps', limit: '>= 40', actual: 40, unit: 'ops/s', pass: true },
      { metric: 'scenario.home.latency.p95', limit: '<= 25ms', actual: 25, unit: 'ms', pass: true },
    ]);
  });

  it('fails a threshold whose metric the run did not produce', () => {
    const [v] = evaluateThresholds(thresholdsOf({ 'latency.p99': '< 100ms' }), { 'latency.p99': Number.NaN });
    expect(v).toMatchObject({ actual: null, pass: false });
  });
});
