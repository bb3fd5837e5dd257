import { describe, expect, it } from 'vitest';
import {
  commandDeltas,
  highestSlowlogId,
  histogramDelta,
  parseCommandStats,
  parseLatencyHistogram,
  parseLatencyLatest,
  parseSlowlog,
  SLOWLOG_ARG_CHARS,
} from './evidenceReplies';

// As Redis 7.0 writes it (rejected_calls and failed_calls came with 7.0; 6.x has the first three fields).
const START = [
  '# Commandstats',
  'cmdstat_get:calls=10,usec=50,usec_per_call=5.00,rejected_calls=0,failed_calls=0',
  'cmdstat_set:calls=4,usec=40,usec_per_call=10.00,rejected_calls=1,failed_calls=0',
  'cmdstat_config|get:calls=2,usec=20,usec_per_call=10.00,rejected_calls=0,failed_calls=0',
  '',
].join('\r\n');
const END = [
  '# Commandstats',
  'cmdstat_get:calls=110,usec=350,usec_per_call=3.18,rejected_calls=0,failed_calls=0',
  'cmdstat_set:calls=4,usec=40,usec_per_call=10.00,rejected_calls=1,failed_calls=0',
  'cmdstat_config|get:calls=3,usec=35,usec_per_call=11.67,rejected_calls=0,failed_calls=1',
  'cmdstat_eval:calls=1,usec=30512,usec_per_call=30512.00,rejected_calls=0,failed_calls=0',
  '',
].join('\r\n');

describe('INFO commandstats', () => {
  it('parses each command line, subcommands included, and skips anything else', () => {
    const stats = parseCommandStats(START);
    expect([...stats.keys()]).toEqual(['get', 'set', 'config|get']);
    expect(stats.get('set')).toEqual({ calls: 4, usec: 40, rejectedCalls: 1, failedCalls: 0 });
    // Redis 6: no rejected or failed calls.
    expect(parseCommandStats('cmdstat_PING:calls=3,usec=6,usec_per_call=2.00\n')).toEqual(new Map([['ping', { calls: 3, usec: 6 }]]));
    expect(parseCommandStats('cmdstat_x:calls=oops\nnot a line\n')).toEqual(new Map());
  });

  it('takes the deltas between two readings, most time first, leaving out commands without a call', () => {
    expect(commandDeltas(parseCommandStats(START), parseCommandStats(END))).toEqual([
      { command: 'eval', calls: 1, usec: 30512, usecPerCall: 30512 },
      { command: 'get', calls: 100, usec: 300, usecPerCall: 3 },
      { command: 'config|get', calls: 1, usec: 15, usecPerCall: 15, failedCalls: 1 },
    ]);
  });

  it('counts from zero when a counter went back (someone ran CONFIG RESETSTAT meanwhile)', () => {
    const reset = parseCommandStats('cmdstat_get:calls=7,usec=21,usec_per_call=3.00\n');
    expect(commandDeltas(parseCommandStats(START), reset)).toEqual([{ command: 'get', calls: 7, usec: 21, usecPerCall: 3 }]);
  });
});

describe('SLOWLOG GET', () => {
  const reply = [
    [14, 1764690000, 30512, ['EVAL', 'local t0 = redis.call("TIME") -- a long script body that goes on', '0'], '127.0.0.1:50412', 'app'],
    [13, 1764689999, 12001, [Buffer.from('HSET'), 'h', 'f1', 'v1', 'f2', 'v2', 'f3'], '127.0.0.1:50413', ''],
    [12, 1764689000, 15000, ['KEYS', '*'], '127.0.0.1:50000', 'old'],
  ];

  it('keeps the entries above the start id, oldest first, with the command and its first arguments cut short', () => {
    const entries = parseSlowlog(reply, 12);
    expect(entries.map((e) => e.id)).toEqual([13, 14]);
    expect(entries[0]).toEqual({ id: 13, at: new Date(1764689999_000).toISOString(), durationUs: 12001, command: 'hset', args: ['h', 'f1', 'v1', 'f2', '… 2 more'], client: '127.0.0.1:50413' });
    const evalEntry = entries[1]!;
    expect(evalEntry).toMatchObject({ command: 'eval', durationUs: 30512, client: '127.0.0.1:50412', clientName: 'app' });
    expect(evalEntry.args[0]).toHaveLength(SLOWLOG_ARG_CHARS);
    expect(evalEntry.args[0]!.endsWith('…')).toBe(true);
    expect(evalEntry.args[1]).toBe('0');
  });

  it('finds the highest id (-1 for an empty log) and tolerates entries of an old server (no client fields)', () => {
    expect(highestSlowlogId(reply)).toBe(14);
    expect(highestSlowlogId([])).toBe(-1);
    expect(parseSlowlog([[3, 1764690000, 20000, ['DEL', 'k']]], -1)).toEqual([{ id: 3, at: new Date(1764690000_000).toISOString(), durationUs: 20000, command: 'del', args: ['k'] }]);
    expect(parseSlowlog('not a reply', -1)).toEqual([]);
  });
});

describe('LATENCY LATEST and LATENCY HISTOGRAM', () => {
  it('keeps the events of the run (the second it started included), largest first', () => {
    const reply = [
      ['command', 1764690001, 31, 52],
      ['fast-command', 1764690000, 12, 12],
      ['expire-cycle', 1764680000, 40, 40],
    ];
    expect(parseLatencyLatest(reply, 1764690000_400)).toEqual([
      { event: 'command', at: new Date(1764690001_000).toISOString(), latestMs: 31, maxMs: 52 },
      { event: 'fast-command', at: new Date(1764690000_000).toISOString(), latestMs: 12, maxMs: 12 },
    ]);
    expect(parseLatencyLatest([], 0)).toEqual([]);
  });

  it('turns two cumulative histograms into the bounds of p50, p99 and max of the calls in between', () => {
    const start = parseLatencyHistogram(['get', ['calls', 100, 'histogram_usec', [1, 60, 2, 100]]]);
    const end = parseLatencyHistogram([
      'get', ['calls', 300, 'histogram_usec', [1, 120, 2, 250, 4, 298, 32, 300]],
      'eval', ['calls', 1, 'histogram_usec', [32768, 1]],
    ]);
    expect(end.get('get')).toEqual({ calls: 300, buckets: [[1, 120], [2, 250], [4, 298], [32, 300]] });
    // In between: 60 calls ≤ 1 µs, 150 ≤ 2, 198 ≤ 4, 200 ≤ 32.
    expect(histogramDelta('get', start.get('get'), end.get('get')!)).toEqual({ command: 'get', calls: 200, p50Us: 2, p99Us: 4, maxUs: 32 });
    expect(histogramDelta('eval', undefined, end.get('eval')!)).toEqual({ command: 'eval', calls: 1, p50Us: 32768, p99Us: 32768, maxUs: 32768 });
    expect(histogramDelta('get', end.get('get'), end.get('get')!)).toBeUndefined();
  });
});
