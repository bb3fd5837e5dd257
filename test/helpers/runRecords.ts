import { captureEnvironment } from '../../src/core/environment';
import { RUN_RECORD_VERSION, type RunRecord } from '../../src/core/runRecord';

/** A complete, plausible run record for tests; override what the test is about. */
export function makeRunRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  const latency = { min: 1, mean: 4, p50: 3, p90: 7, p95: 9, p99: 15, max: 40 };
  return {
    version: RUN_RECORD_VERSION,
    id: 'run-1',
    profile: 'smoke',
    type: 'http',
    status: 'completed',
    startedAt: '2026-11-27T10:00:00.000Z',
    endedAt: '2026-11-27T10:00:10.000Z',
    durationMs: 10_000,
    configHash: 'abc123',
    environment: captureEnvironment(),
    target: 'http://127.0.0.1:3000',
    overall: { name: 'overall', count: 1000, errors: 0, rate: 100, latency },
    phases: [{ name: 'warm-up', count: 1000, errors: 0, rate: 100, latency, durationMs: 10_000, model: 'open' }],
    operations: [],
    thresholds: [{ metric: 'latency.p99', limit: '< 100ms', actual: 15, unit: 'ms', pass: true }],
    artifacts: [],
    pass: true,
    ...overrides,
  };
}
