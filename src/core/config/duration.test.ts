import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, parseDuration, tryParseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['  30s ', 30_000],
  ])('%s → %i ms', (input, ms) => expect(parseDuration(input)).toBe(ms));

  it('reads a number as seconds', () => {
    expect(parseDuration(60)).toBe(60_000);
    expect(parseDuration(0.25)).toBe(250);
  });

  it('rejects zero unless allowed', () => {
    expect(() => parseDuration('0s')).toThrow(/is zero/);
    expect(() => parseDuration(0)).toThrow(/is zero/);
    expect(parseDuration('0ms', { allowZero: true })).toBe(0);
  });

  it.each([
    ['2 minutes', /"2 minutes" is not a duration/, 'write e.g. "120s" or "2m"'],
    ['5 sec', /not a duration/, 'write e.g. "5s"'],
    ['500 millis', /not a duration/, 'write e.g. "500ms" or "0.5s"'],
    ['1.5 hours', /not a duration/, 'write e.g. "5400s" or "1h30m"'],
    ['2d', /not a duration/, 'write e.g. "48h"'],
    ['30', /"30" has no unit/, 'write "30s" for seconds or "30ms" for milliseconds (a number without quotes means seconds)'],
    ['-5s', /negative/, 'durations cannot be negative; write e.g. "5s"'],
    ['soon', /"soon" is not a duration/, 'write a number and a unit (ms, s, m or h), e.g. "500ms", "30s", "2m" or "1h"'],
    ['', /empty/, 'write e.g. "30s", "2m" or "500ms"'],
  ])('explains %j', (input, message, hint) => {
    const r = tryParseDuration(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(message);
    expect(r.hint).toBe(hint);
  });

  it('rejects negative, infinite and non-numeric values', () => {
    expect(tryParseDuration(-5)).toMatchObject({ ok: false, message: 'duration -5 is negative' });
    expect(tryParseDuration(Infinity)).toMatchObject({ ok: false });
    expect(tryParseDuration(true)).toMatchObject({ ok: false, message: 'true is not a duration' });
    expect(tryParseDuration(null)).toMatchObject({ ok: false });
    expect(tryParseDuration('10 s')).toMatchObject({ ok: false, hint: 'write e.g. "10s"' });
  });

  it('throws a DurationError carrying the hint', () => {
    try {
      parseDuration('2 minutes');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DurationError);
      expect((err as DurationError).hint).toBe('write e.g. "120s" or "2m"');
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [500, '500ms'],
    [1_500, '1.5s'],
    [1_234, '1234ms'],
    [30_000, '30s'],
    [120_000, '2m'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [3_723_004, '1h2m3s4ms'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
