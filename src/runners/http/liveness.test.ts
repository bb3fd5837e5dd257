import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { DOWN_AFTER_MS, MIN_DOWN_FAILURES, TargetLiveness } from './liveness';

describe('TargetLiveness', () => {
  it('is down once every request for DOWN_AFTER_MS failed with a connection error, enough of them', () => {
    const l = new TargetLiveness();
    const start = performance.now();
    for (let i = 0; i < MIN_DOWN_FAILURES; i++) l.failed(i ? 'ECONNREFUSED' : 'ECONNRESET');
    expect(l.down(start + DOWN_AFTER_MS - 100)).toBeUndefined();
    const down = l.down(start + DOWN_AFTER_MS + 1_000)!;
    expect(down.failures).toBe(MIN_DOWN_FAILURES);
    expect(down.byKind).toEqual({ ECONNRESET: 1, ECONNREFUSED: MIN_DOWN_FAILURES - 1 });
    expect(down.since).toBeGreaterThanOrEqual(start);
  });

  it('needs enough failures: two in the window are not enough', () => {
    const l = new TargetLiveness();
    l.failed('ECONNREFUSED');
    l.failed('ECONNREFUSED');
    expect(l.down(performance.now() + 60_000)).toBeUndefined();
    expect(l.streak()!.failures).toBe(2);
  });

  it('any answer ends the streak, whatever its status', () => {
    const l = new TargetLiveness();
    for (let i = 0; i < 10; i++) l.failed('ECONNREFUSED');
    l.answered();
    expect(l.streak()).toBeUndefined();
    expect(l.down(performance.now() + 60_000)).toBeUndefined();
    l.failed('ECONNRESET');
    expect(l.streak()).toMatchObject({ failures: 1, byKind: { ECONNRESET: 1 } });
  });

  it('a slow target is alive: timeouts and refused requests neither start nor end a streak', () => {
    const l = new TargetLiveness();
    for (let i = 0; i < 100; i++) l.failed('timeout');
    l.failed('invalid-request');
    l.failed('status:500');
    expect(l.streak()).toBeUndefined();
    for (let i = 0; i < 5; i++) l.failed('ECONNREFUSED');
    l.failed('timeout');
    expect(l.streak()!.failures).toBe(5);
  });
});
