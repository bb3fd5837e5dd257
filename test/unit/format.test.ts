import { describe, expect, it } from 'vitest';
import {
  MISSING,
  formatBytes,
  formatCount,
  formatDateTime,
  formatDuration,
  formatErrors,
  formatLoadAverage,
  formatMetricValue,
  formatMs,
  formatNumber,
  formatPercent,
  formatAgo,
  formatBytesPerMin,
  formatRate,
  formatShare,
  formatTally,
  textTable,
} from '../../src/core/format';

describe('formatCount', () => {
  it('groups thousands and rounds', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(1234567.6)).toBe('1,234,568');
  });
  it('shows a dash for non-numbers', () => {
    expect(formatCount(Number.NaN)).toBe(MISSING);
    expect(formatCount(Number.POSITIVE_INFINITY)).toBe(MISSING);
  });
});

describe('formatNumber', () => {
  it('keeps integers whole and shrinks decimals as values grow', () => {
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(4.256)).toBe('4.26');
    expect(formatNumber(42.56)).toBe('42.6');
    expect(formatNumber(1425.4)).toBe('1,425');
  });
});

describe('formatMs', () => {
  it('uses precision that fits the magnitude', () => {
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(0.4231)).toBe('0.42 ms');
    expect(formatMs(4.561)).toBe('4.56 ms');
    expect(formatMs(45.61)).toBe('45.6 ms');
    expect(formatMs(456.2)).toBe('456 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(65_000)).toBe('1m 05s');
  });
  it('moves to the next unit when rounding reaches the limit', () => {
    expect(formatMs(9.996)).toBe('10.0 ms');
    expect(formatMs(999.6)).toBe('1.00 s');
    expect(formatMs(59_990)).toBe('1m 00s');
  });
  it('shows a dash for missing values', () => {
    expect(formatMs(null)).toBe(MISSING);
    expect(formatMs(undefined)).toBe(MISSING);
    expect(formatMs(Number.NaN)).toBe(MISSING);
  });
});

describe('formatDuration', () => {
  it('formats run lengths', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(40_020)).toBe('40.0 s');
    expect(formatDuration(65_000)).toBe('1m 05s');
    expect(formatDuration(3_780_000)).toBe('1h 03m');
  });
});

describe('formatRate', () => {
  it('formats per-second rates with an optional unit', () => {
    expect(formatRate(4.256)).toBe('4.26/s');
    expect(formatRate(42.56)).toBe('42.6/s');
    expect(formatRate(12_345.4)).toBe('12,345/s');
    expect(formatRate(12_345.4, 'req/s')).toBe('12,345 req/s');
    expect(formatRate(null)).toBe(MISSING);
  });
});

describe('formatPercent', () => {
  it('formats fractions as percentages', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.000_000_5)).toBe('<0.01%');
    expect(formatPercent(0.001_23)).toBe('0.12%');
    expect(formatPercent(0.123_4)).toBe('12.3%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.999_999)).toBe('100%');
  });
  it('computes error rates and handles empty runs', () => {
    expect(formatShare(3, 1200)).toBe('0.25%');
    expect(formatShare(0, 0)).toBe(MISSING);
    expect(formatErrors(1216, 2347)).toBe('1,216 (51.8%)');
    expect(formatErrors(0, 0)).toBe('0');
  });
});

describe('formatBytes', () => {
  it('uses 1024-based units named as thresholds write them', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(16 * 1024 ** 3)).toBe('16.0 GB');
    expect(formatBytes(-2048)).toBe('-2.0 KB');
  });
  it('signs a growth per minute', () => {
    expect(formatBytesPerMin(1.5 * 1024 ** 2)).toBe('+1.5 MB/min');
    expect(formatBytesPerMin(-340)).toBe('-340 B/min');
  });
});

describe('formatShare', () => {
  it('is a percentage of a whole, a dash of nothing', () => {
    expect(formatShare(1, 8)).toBe('12.5%');
    expect(formatShare(1, 0)).toBe(MISSING);
  });
});

describe('formatTally', () => {
  it('lists counts by kind, the most frequent first', () => {
    expect(formatTally({ 'status:502': 12, ECONNREFUSED: 1204 })).toBe('ECONNREFUSED × 1,204, status:502 × 12');
    expect(formatTally({})).toBe('');
  });
});

describe('formatAgo', () => {
  it('says how long ago a run started', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(formatAgo('2026-11-27T11:59:50Z', now)).toBe('just now');
    expect(formatAgo('2026-11-27T11:50:00Z', now)).toBe('10 min ago');
    expect(formatAgo('2026-11-27T09:00:00Z', now)).toBe('3 h ago');
    expect(formatAgo('2026-11-25T12:00:00Z', now)).toBe('2 days ago');
    expect(formatAgo('2026-10-01T12:00:00Z', now)).toBe('2026-10-01');
  });
});

describe('textTable', () => {
  it('aligns names left and numbers right, with no trailing blanks', () => {
    expect(textTable(['', 'count'], [['get', '1,000'], ['set', '12']])).toBe(['     count', '---  -----', 'get  1,000', 'set     12'].join('\n'));
    expect(textTable(['self', 'function'], [['4.56 ms', 'main'], ['12.0 ms', 'aVeryLongName']], { labels: 'last', maxRule: 8 }))
      .toBe(['   self  function', '-------  --------', '4.56 ms  main', '12.0 ms  aVeryLongName'].join('\n'));
  });
});

describe('formatDateTime', () => {
  it('shows local time without the ISO noise', () => {
    const local = new Date(2025, 10, 27, 9, 5, 3);
    expect(formatDateTime(local.toISOString())).toBe('2025-11-27 09:05:03');
  });
  it('returns unparseable input unchanged', () => {
    expect(formatDateTime('yesterday')).toBe('yesterday');
  });
});

describe('formatLoadAverage', () => {
  it('joins the three averages', () => {
    expect(formatLoadAverage([1.234, 0.98, 0.7])).toBe('1.23, 0.98, 0.70');
    expect(formatLoadAverage([])).toBe(MISSING);
  });
});

describe('formatMetricValue', () => {
  it('formats by unit', () => {
    expect(formatMetricValue(84.27, 'ms')).toBe('84.3 ms');
    expect(formatMetricValue(1500, 'ms')).toBe('1.50 s');
    expect(formatMetricValue(0.0005, 'ratio')).toBe('0.05%');
    expect(formatMetricValue(16_234.7, 'ops/s')).toBe('16,235/s');
    expect(formatMetricValue(2048, 'bytes')).toBe('2.0 KB');
    expect(formatMetricValue(-3 * 1024 ** 2, 'bytes/min')).toBe('-3.0 MB/min');
    expect(formatMetricValue(7, 'count')).toBe('7');
    expect(formatMetricValue(3.14159, 'widgets' as never)).toBe('3.14 widgets');
  });
  it('says so when the run produced no value', () => {
    expect(formatMetricValue(null, 'ms')).toBe('no value');
  });
});
