import { describe, expect, it } from 'vitest';
import { mergedResult, Recorder } from '../recorder';
import { errorKind, redisMetrics } from './results';

describe('redisMetrics', () => {
  it('names each operation\'s rate and latency and the run\'s error rate as the catalog does', () => {
    const a = new Recorder('set');
    const b = new Recorder('get');
    for (const [rec, ms] of [[a, 0.1], [b, 0.3]] as const) {
      rec.start(0);
      for (let i = 0; i < 10; i++) rec.ok(ms);
      rec.stop(500);
    }
    b.fail(errorKind(new Error('Connection is closed.')));
    const overall = mergedResult('overall', [a, b]);
    const metrics = redisMetrics([a.result(), b.result()], overall);
    expect(metrics['op.set.rate']).toBe(20);
    expect(metrics['op.get.rate']).toBe(22);
    expect(metrics['op.get.latency.p99']).toBe(0.3);
    expect(metrics['errors.rate']).toBeCloseTo(1 / 21);
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
