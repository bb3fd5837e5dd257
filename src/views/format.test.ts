import { describe, expect, it } from 'vitest';
import { formatAgo, formatDuration } from './format';

describe('tree formatting', () => {
  it('formats durations at a readable precision', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_600_000 + 120_000)).toBe('1 h 2 min');
    expect(formatDuration(-1)).toBe('—');
  });

  it('formats how long ago a run started', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(formatAgo('2026-11-27T11:59:50Z', now)).toBe('just now');
    expect(formatAgo('2026-11-27T11:50:00Z', now)).toBe('10 min ago');
    expect(formatAgo('2026-11-27T09:00:00Z', now)).toBe('3 h ago');
    expect(formatAgo('2026-11-25T12:00:00Z', now)).toBe('2 days ago');
    expect(formatAgo('2026-10-01T12:00:00Z', now)).toBe('2026-10-01');
  });
});
