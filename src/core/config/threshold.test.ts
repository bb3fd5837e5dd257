import { describe, expect, it } from 'vitest';
import { bindThreshold, compareThreshold, tryParseThresholdExpression, type ThresholdExpression } from './threshold';

function parseThresholdExpression(text: string): ThresholdExpression {
  const r = tryParseThresholdExpression(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('tryParseThresholdExpression', () => {
  it.each([
    ['< 100ms', '<', 100, 'ms'],
    ['<= 2s', '<=', 2_000, 'ms'],
    ['< 1.5s', '<', 1_500, 'ms'],
    ['< 500us', '<', 0.5, 'ms'],
    ['< 1m', '<', 60_000, 'ms'],
    ['>= 1000/s', '>=', 1_000, 'ops/s'],
    ['>= 15000/s', '>=', 15_000, 'ops/s'],
    ['>= 600/min', '>=', 10, 'ops/s'],
    ['>= 50 req/s', '>=', 50, 'ops/s'],
    ['>= 200 rps', '>=', 200, 'ops/s'],
    ['< 0.1%', '<', 0.001, 'ratio'],
    ['< 5%', '<', 0.05, 'ratio'],
    ['< 512MB', '<', 512 * 1024 ** 2, 'bytes'],
    ['< 1.5GB', '<', 1.5 * 1024 ** 3, 'bytes'],
    ['< 1MB/min', '<', 1024 ** 2, 'bytes/min'],
    ['< 10KB/s', '<', 10 * 1024 * 60, 'bytes/min'],
    ['< 60MB/h', '<', 1024 ** 2, 'bytes/min'],
    ['> 40', '>', 40, 'none'],
    ['== 0', '==', 0, 'none'],
    ['!= 3', '!=', 3, 'none'],
    ['<100ms', '<', 100, 'ms'],
  ])('%s', (text, op, value, unit) => {
    const e = parseThresholdExpression(text);
    expect(e.op).toBe(op);
    expect(e.value).toBeCloseTo(value, 9);
    expect(e.unit).toBe(unit);
    expect(e.text).toBe(text);
  });

  it.each([
    ['100ms', /no comparison operator/, 'start with one of < <= > >= == !=, e.g. "< 100ms"'],
    ['= 0', /"=" is not a comparison operator/, 'write "== 0"'],
    ['=> 10/s', /"=>" is not a comparison operator/, 'write ">= 10/s"'],
    ['< -5ms', /negative/, /never negative/],
    ['< 100 bananas', /unknown unit "bananas"/, /ms\/s\/m\/h for times/],
    ['< 10/fortnight', /unknown unit/, /\/s for rates/],
    ['fast', /"fast" is not a threshold/, /e\.g\. "< 100ms"/],
    ['', /empty/, /operator and a value/],
  ])('explains %j', (text, message, hint) => {
    const r = tryParseThresholdExpression(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(message);
    if (typeof hint === 'string') expect(r.hint).toBe(hint);
    else expect(r.hint).toMatch(hint);
  });
});

describe('bindThreshold', () => {
  const bind = (text: string, unit: Parameters<typeof bindThreshold>[2], metric = 'm') =>
    bindThreshold(parseThresholdExpression(text), metric, unit);

  it('keeps values already in the metric unit', () => {
    expect(bind('< 100ms', 'ms')).toEqual({ ok: true, value: { op: '<', value: 100, unit: 'ms' } });
    expect(bind('< 0.1%', 'ratio')).toEqual({ ok: true, value: { op: '<', value: 0.001, unit: 'ratio' } });
  });

  it('gives bare numbers the metric unit', () => {
    expect(bind('>= 40', 'ops/s')).toMatchObject({ ok: true, value: { value: 40, unit: 'ops/s' } });
    expect(bind('== 0', 'ratio')).toMatchObject({ ok: true, value: { value: 0, unit: 'ratio' } });
    expect(bind('== 0', 'count')).toMatchObject({ ok: true, value: { value: 0, unit: 'count' } });
    expect(bind('< 1048576', 'bytes')).toMatchObject({ ok: true, value: { value: 1_048_576 } });
  });

  it('rejects a bare number for a time, and for a ratio other than 0', () => {
    expect(bind('< 100', 'ms', 'latency.p99')).toMatchObject({ ok: false, message: '"< 100" has no unit, but latency.p99 is a time', hint: 'add a unit, e.g. "< 100ms" or "< 100s"' });
    expect(bind('< 5', 'ratio', 'errors.rate')).toMatchObject({ ok: false, hint: 'write a percentage: "< 5%"' });
    expect(bind('< 0.1', 'ratio', 'errors.rate')).toMatchObject({
      ok: false, message: '"< 0.1" has no unit, but errors.rate is a ratio: 0.1 could mean 0.1% or 10%', hint: 'write a percentage: "< 0.1%", or "< 10%" for a fraction of 0.1',
    });
  });

  it('reports unit mismatches', () => {
    expect(bind('>= 40/s', 'ms', 'latency.p99')).toMatchObject({
      ok: false, message: 'unit mismatch: latency.p99 is a time, but ">= 40/s" is a rate', hint: 'write a time, e.g. "< 100ms"',
    });
    expect(bind('< 10ms', 'count', 'requests')).toMatchObject({ ok: false, message: /requests is a count/ });
    expect(bind('< 1%', 'bytes')).toMatchObject({ ok: false });
  });
});

describe('compareThreshold', () => {
  it('compares with each operator', () => {
    expect(compareThreshold('<', 99, 100)).toBe(true);
    expect(compareThreshold('<', 100, 100)).toBe(false);
    expect(compareThreshold('<=', 100, 100)).toBe(true);
    expect(compareThreshold('>', 101, 100)).toBe(true);
    expect(compareThreshold('>=', 99.9, 100)).toBe(false);
    expect(compareThreshold('==', 0, 0)).toBe(true);
    expect(compareThreshold('!=', 1, 0)).toBe(true);
  });

  it('tolerates floating-point noise', () => {
    expect(compareThreshold('==', 0.1 + 0.2, 0.3)).toBe(true);
    expect(compareThreshold('<=', 0.1 + 0.2, 0.3)).toBe(true);
  });
});
