import { describe, expect, it } from 'vitest';
import { assessHealth, type HealthInput } from './health';

const open = (over: Partial<NonNullable<HealthInput['open']>> = {}): NonNullable<HealthInput['open']> => ({
  sent: 10_000, refused: 0, planned: 10_000, dropped: 0, stopped: false, lateSends: 10, lateSendMaxMs: 6,
  connections: 10, meanRate: 1000, answerP90Ms: 1, connectionWait: { p99: 0.001, max: 0.5 }, ...over,
});

describe('assessHealth', () => {
  it('tolerates a few short delays, not many or long ones', () => {
    const bound = (lateSends: number, lateSendMaxMs: number) =>
      assessHealth({ phase: 'p', lagP99Ms: 2, open: open({ lateSends, lateSendMaxMs }) }).health.generatorBound;
    expect(bound(180, 16)).toBe(false); // 1.8 %, at most 16 ms late
    expect(bound(180, 60)).toBe(true); // 1.8 %, up to 60 ms late
    expect(bound(600, 8)).toBe(true); // 6 %
    expect(bound(50, 200)).toBe(false); // 0.5 %
  });

  it('passes a generator that kept its schedule', () => {
    const v = assessHealth({ phase: 'p', lagP99Ms: 2, open: open() });
    expect(v.health).toMatchObject({ generatorBound: false, lateSends: 10, lateSendMaxMs: 6, sent: 10_000, connections: 10 });
    expect(v.health.message).toBeUndefined();
    expect(v.warnings).toEqual([]);
  });

  it('blames the generator for event-loop lag and late sends, and says what to do', () => {
    const v = assessHealth({ phase: 'p', lagP99Ms: 45, open: open({ lateSends: 500, lateSendMaxMs: 180 }) });
    expect(v.health.generatorBound).toBe(true);
    expect(v.health.message).toMatch(/phase "p": the load generator was the limit, not the target: its event loop lagged 45\.0 ms at p99 \(limit 20\.0 ms\); 500 of 10000 requests left more than 5 ms behind schedule \(worst 180 ms\)\. .*lower the rate/);
  });

  it('blames the generator when it fell short although the target answered fast', () => {
    const v = assessHealth({ phase: 'p', lagP99Ms: 2, open: open({ sent: 6_000, dropped: 4_000 }) });
    expect(v.health.generatorBound).toBe(true);
    expect(v.health.message).toMatch(/sent only 60\.0% of the 10000 planned requests although the target answered in 1\.00 ms/);
  });

  it('blames the target when it fell short because the target was slow', () => {
    const v = assessHealth({ phase: 'p', lagP99Ms: 2, open: open({ sent: 6_000, dropped: 4_000, answerP90Ms: 900, connections: 1024 }) });
    expect(v.health.generatorBound).toBe(false);
    expect(v.warnings[0]).toMatch(/the target could not keep up: 60\.0% of the 10000 planned requests were sent \(4000 dropped\) with 1024 connections/);
  });

  it('puts a long wait for a connection on the target, and says so; a short one says nothing', () => {
    const v = assessHealth({ phase: 'p', lagP99Ms: 2, open: open({ lateSends: 7, lateSendMaxMs: 9, connectionWait: { p99: 190.4, max: 201.2 } }) });
    expect(v.health.generatorBound).toBe(false);
    expect(v.health.connectionWait).toEqual({ p99: 190.4, max: 201.2 });
    expect(v.warnings).toEqual([
      'phase "p": requests waited up to 201 ms (p99 190 ms) for their connection to carry the previous request: the target\'s answers held them back, ' +
        'not the generator; latencies from the intended send times include the wait.',
    ]);
    expect(assessHealth({ phase: 'p', lagP99Ms: 2, open: open({ connectionWait: { p99: 19, max: 150 } }) }).warnings).toEqual([]);
    // A generator late on its own is the limit for its own reasons; the wait is still the target's.
    const both = assessHealth({ phase: 'p', lagP99Ms: 45, open: open({ connectionWait: { p99: 190.4, max: 201.2 } }) });
    expect(both.health.generatorBound).toBe(true);
    expect(both.health.message).not.toMatch(/connection/);
    expect(both.warnings).toHaveLength(1);
  });

  it('counts refused requests as handled, not as a shortfall', () => {
    expect(assessHealth({ phase: 'p', lagP99Ms: 2, open: open({ sent: 6_000, refused: 4_000 }) }).health.generatorBound).toBe(false);
  });

  it('does not judge a stopped phase by its shortfall; a closed loop only by lag', () => {
    expect(assessHealth({ phase: 'p', lagP99Ms: 2, open: open({ sent: 10, lateSends: 0, stopped: true }) }).health.generatorBound).toBe(false);
    expect(assessHealth({ phase: 'c', lagP99Ms: 5 }).health).toEqual({ lagP99Ms: 5, lateSends: 0, lateSendMaxMs: 0, generatorBound: false });
  });
});

describe('late sends in short phases', () => {
  it('a few late sends in a short phase do not make the generator the limit', () => {
    const open = { sent: 10, refused: 0, planned: 10, dropped: 0, stopped: false, lateSends: 1, lateSendMaxMs: 5.4, connections: 10, meanRate: 10, answerP90Ms: 3, connectionWait: { p99: 0, max: 0 } };
    expect(assessHealth({ phase: 'warm-up', lagP99Ms: 2, open }).health.generatorBound).toBe(false);
    expect(assessHealth({ phase: 'warm-up', lagP99Ms: 2, open: { ...open, sent: 55, planned: 55, lateSends: 5, lateSendMaxMs: 51 } }).health.generatorBound).toBe(true);
  });
});
