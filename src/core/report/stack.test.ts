import { describe, expect, it } from 'vitest';
import type { QueueEvidence, StackEvidence } from '../stackEvidence';
import { formatClock } from '../format';
import { gaugeText, latencyText, queueRow, queueText, queueTrend, slowlogText, stackTextLines } from './stack';
import { stackSeries } from './stackSeries';

const counts = (waiting: number, more: Partial<Record<'active' | 'delayed' | 'failed' | 'completed', number>> = {}) => ({ waiting, active: 0, delayed: 0, failed: 0, completed: 0, ...more });

const evidence = (over: Partial<StackEvidence> = {}): StackEvidence => ({
  target: 'redis://127.0.0.1:6390/0',
  version: '7.0.15',
  intervalMs: 1000,
  samples: 5,
  commands: [
    { command: 'eval', calls: 1, usec: 30512, usecPerCall: 30512 },
    { command: 'pfadd', calls: 37, usec: 148, usecPerCall: 4, failedCalls: 2 },
  ],
  commandTotals: { commands: 2, calls: 38, usec: 30660 },
  slowlog: { entries: [{ id: 4, at: '2026-12-02T16:34:18.000Z', durationUs: 30512, command: 'eval', args: ['local t = …', '0'], client: '127.0.0.1:5000' }], missed: 0, slowerThanUs: 20000 },
  latency: { events: [{ event: 'command', at: '2026-12-02T16:34:18.000Z', latestMs: 31, maxMs: 52 }], monitorThresholdMs: 10, histograms: [{ command: 'eval', calls: 1, p50Us: 32768, p99Us: 32768, maxUs: 32768 }] },
  memory: { start: 1_000_000, max: 3_000_000, end: 1_200_000 },
  clients: { start: 3, max: 12, end: 3 },
  queues: [{ name: 'messages', prefix: 'bull', samples: 5, start: counts(0), max: counts(120, { active: 10 }), end: counts(5, { completed: 500 }) }],
  unavailable: [],
  ...over,
});

describe('the stack in the text report', () => {
  it('lists the top commands, the new slow log entries, latency, memory and clients, and a line per queue', () => {
    const lines = stackTextLines(evidence());
    expect(lines[0]).toBe('redis: redis://127.0.0.1:6390/0 (Redis 7.0.15), 5 readings 1.0 s apart');
    expect(lines).toContain('  commands by Redis time:');
    expect(lines.find((l) => /^\s+eval\s/.test(l))).toMatch(/^\s+eval\s+1\s+30\.5 ms\s+30\.5 ms\s+99\.5%$/);
    expect(lines.find((l) => /^\s+pfadd\s/.test(l))).toMatch(/^\s+pfadd\s+37\s+148 µs\s+4 µs\s+0\.48%$/);
    expect(lines).toContain('  1 new slow log entry (slower than 20.0 ms):');
    expect(lines).toContain(`    ${formatClock('2026-12-02T16:34:18.000Z')}  30.5 ms  eval local t = … 0  (127.0.0.1:5000)`);
    expect(lines).toContain(`  latency events: command 31.0 ms at ${formatClock('2026-12-02T16:34:18.000Z')} (highest ever 52.0 ms)`);
    expect(lines).toContain('  latency per command during the run (LATENCY HISTOGRAM, bucket bounds):');
    expect(lines).toContain('    eval p50 ≤ 32.8 ms, p99 ≤ 32.8 ms, max ≤ 32.8 ms (1 call)');
    expect(lines).toContain("  memory (used_memory) max 2.9 MB (976.6 KB at start, 1.1 MB at end); clients max 12 (3 at start, 3 at end, PerfLab's included)");
    expect(lines.slice(-2)).toEqual(['queues:', '  messages: waiting max 120, active max 10, delayed max 0, failed max 0; waiting 0 → 5 (rose and fell back); completed +500, failed 0']);
  });

  it('says what could not be read, a latency monitor that is off, and a slow log whose entries were dropped', () => {
    const e = evidence({ commands: undefined, commandTotals: undefined, memory: undefined, clients: undefined, latency: { events: [], monitorThresholdMs: 0 }, unavailable: ['INFO was refused (NOPERM): no command statistics, memory or clients.'] });
    const lines = stackTextLines(e);
    expect(lines).not.toContain('  commands by Redis time:');
    expect(lines).toContain('  latency monitor off (latency-monitor-threshold 0): Redis records no latency events');
    expect(lines).toContain('  not read: INFO was refused (NOPERM): no command statistics, memory or clients.');
    expect(slowlogText(evidence({ slowlog: { entries: [], missed: 3, slowerThanUs: 10000 } }))).toBe('3 new slow log entries (slower than 10.0 ms), 3 of them no longer in the log by the end (slowlog-max-len)');
    expect(slowlogText(evidence({ slowlog: { entries: [], missed: 0 } }))).toBe('no new slow log entry');
    expect(latencyText(evidence({ latency: { events: [], monitorThresholdMs: 10 } }))).toBe('no latency event above 10.0 ms');
    // A benchmark reports its own memory readings: the block leaves memory out then.
    expect(gaugeText(evidence(), { memory: false })).toBe("clients max 12 (3 at start, 3 at end, PerfLab's included)");
  });

  it('names the trend of a queue by its waiting jobs, and a queue that could not be read', () => {
    const q = (start: number, max: number, end: number): QueueEvidence => ({ name: 'q', prefix: 'bull', samples: 3, start: counts(start), max: counts(max), end: counts(end) });
    expect(queueTrend(q(0, 5, 5))).toBe('growing');
    // Less than a tenth of the peak: the backlog came back down.
    expect(queueTrend(q(0, 120, 5))).toBe('rose and fell back');
    expect(queueTrend(q(100, 100, 0))).toBe('shrinking');
    expect(queueTrend(q(0, 120, 0))).toBe('rose and fell back');
    expect(queueTrend(q(10, 11, 10))).toBe('steady');
    expect(queueTrend({ name: 'q', prefix: 'bull', samples: 0 })).toBeUndefined();
    expect(queueText({ name: 'q', prefix: 'bull', samples: 0, error: 'NOPERM no permissions' })).toBe('q: not read: NOPERM no permissions');
    expect(queueRow({ ...q(0, 2, 1), error: 'Command timed out' }).note).toBe('some readings failed: Command timed out');
  });
});

describe('the stack series file', () => {
  it('reads a series, with NaN where a reading failed, and refuses a file that is not one', () => {
    const s = stackSeries({
      format: 'perflab-stack-series', version: 1, target: 'redis://x/0', t: [0, 1, 2], memory: [10, null, 30], clients: [1, 2, 3],
      queues: [{ name: 'messages', counts: { waiting: [0, 5, 5], active: [0, 0, 1], delayed: [0, 0, 0], failed: [0, 0, 0], completed: [0, 0, 'x'] } }, { bogus: true }],
    });
    expect(s.t).toEqual([0, 1, 2]);
    expect(s.memory).toEqual([10, Number.NaN, 30]);
    expect(s.queues).toHaveLength(1);
    expect(s.queues[0]!.waiting).toEqual([0, 5, 5]);
    expect(s.queues[0]!.completed).toEqual([0, 0, Number.NaN]);
    expect(() => stackSeries({ format: 'perflab-timeline', samples: [] })).toThrow(/not a PerfLab stack series/);
  });
});
