import { describe, expect, it } from 'vitest';
import { clampToExtremes, errorKind, OperationRecorder, overallResult, redisMetrics } from './recorder';

describe('OperationRecorder', () => {
  it('counts successes and failures, by kind, and closes one-second intervals into the totals', () => {
    const rec = new OperationRecorder('get');
    rec.start(0);
    for (let i = 1; i <= 100; i++) rec.ok(i * 10);
    rec.fail(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'));
    rec.endedAt = 1000;
    const point = rec.closeInterval(1000, 0);
    expect(point).toMatchObject({ t: 1, phase: 'get', rps: 101, errors: 1 });
    expect(point.p50).toBeCloseTo(0.5, 2);

    rec.ok(2000);
    rec.endedAt = 2000;
    rec.closeInterval(2000, 0);
    const result = rec.result();
    expect(result).toMatchObject({ name: 'get', count: 102, errors: 1, errorsByKind: { WRONGTYPE: 1 }, rate: 51 });
    expect(result.latency.min).toBe(0.01);
    expect(result.latency.max).toBe(2);
  });

  it('merges operations into the overall result and names metrics as the catalog does', () => {
    const a = new OperationRecorder('set');
    const b = new OperationRecorder('get');
    for (const [rec, us] of [[a, 100], [b, 300]] as const) {
      rec.start(0);
      for (let i = 0; i < 10; i++) rec.ok(us);
      rec.endedAt = 500;
      rec.closeInterval(500, 0);
    }
    b.fail(new Error('Connection is closed.'));
    const overall = overallResult([a, b]);
    expect(overall).toMatchObject({ name: 'overall', count: 21, errors: 1, errorsByKind: { connection: 1 }, rate: 21 });
    expect(overall.latency.min).toBe(0.1);
    expect(overall.latency.max).toBe(0.3);

    const metrics = redisMetrics([a.result(), b.result()], overall);
    expect(metrics['op.set.rate']).toBe(20);
    expect(metrics['op.get.latency.p99']).toBe(0.3);
    expect(metrics['errors.rate']).toBeCloseTo(1 / 21);
  });

  it('keeps HDR percentiles within the exact extremes', () => {
    expect(clampToExtremes({ min: 1, mean: 2, p50: 0.999, p90: 3, p95: 3.29, p99: 3.291, max: 3.29 })).toEqual({
      min: 1, mean: 2, p50: 1, p90: 3, p95: 3.29, p99: 3.29, max: 3.29,
    });
  });
});

describe('errorKind', () => {
  it.each([
    [new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), 'WRONGTYPE'],
    [new Error("OOM command not allowed when used memory > 'maxmemory'."), 'OOM'],
    [new Error('READONLY You can\'t write against a read only replica.'), 'READONLY'],
    [new Error('Connection is closed.'), 'connection'],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'connection'],
    [new Error('write EPIPE'), 'connection'],
    [new Error("Stream isn't writeable and enableOfflineQueue options is false"), 'connection'],
    [new Error('Command timed out'), 'timeout'],
    [Object.assign(new Error('something odd'), { code: 'EWEIRD' }), 'EWEIRD'],
    ['a string', 'error'],
  ])('%s → %s', (err, kind) => {
    expect(errorKind(err)).toBe(kind);
  });
});
