import type { RunRecord } from '../../src/core/runRecord';
import { makeRunRecord } from './runRecords';

/** One duration, size, rate and latency, and how every surface must show them (test/unit/one-format.test.ts, the webview tier). */
export const SAME = { durationMs: 65_400, heapBytes: 536_870_912, rate: 12_345.6, p99Ms: 84.27 };
export const EXPECTED = { duration: '1m 05s', size: '512.0 MB', rate: '12,346 req/s', p99: '84.3 ms' };

/** An HTTP run that took {@link SAME}.durationMs at {@link SAME}.rate, with a heap and a p99 threshold. */
export function sameValuesRecord(): RunRecord {
  const latency = { min: 1, mean: 20, p50: 10, p90: 40, p95: 60, p99: SAME.p99Ms, max: 120 };
  return makeRunRecord({
    durationMs: SAME.durationMs,
    overall: { name: 'overall', count: 807_000, errors: 0, rate: SAME.rate, latency },
    thresholds: [
      { metric: 'memory.heapUsed.max', limit: '< 1GB', actual: SAME.heapBytes, unit: 'bytes', pass: true },
      { metric: 'latency.p99', limit: '< 50ms', actual: SAME.p99Ms, unit: 'ms', pass: false },
    ],
    pass: false,
  });
}
