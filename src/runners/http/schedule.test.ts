import { describe, expect, it } from 'vitest';
import { ArrivalSchedule, ConnectionSlots, growSlots, MAX_SCHEDULED } from './schedule';

describe('ArrivalSchedule', () => {
  it('refuses a plan it cannot number, at once, instead of spinning on it', () => {
    // Each of these used to loop forever in the constructor (1e308 × 1 s is Infinity requests;
    // at 3.6e24 requests, total − 1 === total).
    expect(() => new ArrivalSchedule(1e308, 1_000)).toThrow(RangeError);
    expect(() => new ArrivalSchedule(10, 1e20 * 3_600_000)).toThrow(/more than the 1099511627776 one schedule numbers/);
    expect(() => new ArrivalSchedule(10, 1_000, 1e308)).toThrow(RangeError);
    expect(() => new ArrivalSchedule(Number.NaN, 1_000)).toThrow(/finite and at least 0/);
    expect(() => new ArrivalSchedule(-1, 1_000)).toThrow(/finite and at least 0/);
    expect(() => new ArrivalSchedule(10, Infinity)).toThrow(/finite time/);
    expect(() => new ArrivalSchedule(10, 0)).toThrow(/finite time/);
    expect(() => new ArrivalSchedule(MAX_SCHEDULED / 10 + 1, 10_000)).toThrow(RangeError);
  });

  it('numbers the largest plan the limits allow: 100,000 per second for 24 h', () => {
    const s = new ArrivalSchedule(100_000, 86_400_000);
    expect(s.total).toBe(8_640_000_000);
    expect(s.timeOf(s.total - 1)).toBeLessThan(86_400_000);
    expect(s.timeOf(s.total - 1)).toBeGreaterThan(s.timeOf(s.total - 2));
  });

  it('spaces a constant rate evenly: request n at n/R', () => {
    const s = new ArrivalSchedule(1000, 10_000);
    expect(s.total).toBe(10_000);
    expect(s.timeOf(0)).toBe(0);
    expect(s.timeOf(1)).toBeCloseTo(1, 9);
    expect(s.timeOf(9_999)).toBeCloseTo(9_999, 6);
    expect(s.dueBy(0)).toBe(1);
    expect(s.dueBy(4.5)).toBe(5);
  });

  it('counts only requests due before the end', () => {
    expect(new ArrivalSchedule(3, 1000).total).toBe(3); // 0, 333, 667 ms
    expect(new ArrivalSchedule(2.5, 2000).total).toBe(5);
    expect(new ArrivalSchedule(0.5, 1000).total).toBe(1);
  });

  it('follows a linear ramp: cumulative arrivals are the integral of the rate', () => {
    // 10 → 50 per second over 20 s: N(t) = 10t + t²; 600 requests in all.
    const s = new ArrivalSchedule(10, 20_000, 50);
    expect(s.total).toBe(600);
    for (const t of [1, 5, 10, 15, 19.5]) {
      const n = 10 * t + t * t;
      expect(s.timeOf(n) / 1000).toBeCloseTo(t, 6);
    }
    expect(s.rateAt(0)).toBeCloseTo(10);
    expect(s.rateAt(10_000)).toBeCloseTo(30);
    expect(s.rateAt(20_000)).toBeCloseTo(50);
    // Gaps shrink as the rate grows: about 100 ms at the start (the rate is already rising), 20 ms at the end.
    expect(s.timeOf(1) - s.timeOf(0)).toBeCloseTo(99, 0);
    expect(s.timeOf(599) - s.timeOf(598)).toBeCloseTo(20, 0);
  });

  it('ramps down, and to zero, without running past the end', () => {
    const down = new ArrivalSchedule(100, 10_000, 10);
    expect(down.total).toBe(550);
    expect(down.timeOf(549)).toBeLessThan(10_000);
    const toZero = new ArrivalSchedule(100, 1_000, 0);
    expect(toZero.total).toBe(50);
    expect(toZero.timeOf(49)).toBeLessThan(1_000);
    for (let n = 1; n < 50; n++) expect(toZero.timeOf(n)).toBeGreaterThan(toZero.timeOf(n - 1));
  });
});

describe('connection slots (wrk2: connection i of C sends i, i+C, …)', () => {
  it('gives each connection an evenly spaced share', () => {
    const slots = Array.from({ length: 4 }, (_, i) => new ConnectionSlots(i, 4));
    const taken = slots.map((s) => Array.from({ length: 3 }, () => {
      const n = s.peek();
      s.advance();
      return n;
    }));
    expect(taken).toEqual([[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
  });

  it('keeps every request owned exactly once when the pool grows', () => {
    const slots = Array.from({ length: 3 }, (_, i) => new ConnectionSlots(i, 3));
    // Connection 0 is ahead, 2 is behind.
    for (let k = 0; k < 5; k++) slots[0]!.advance();
    for (let k = 0; k < 3; k++) slots[1]!.advance();
    slots[2]!.advance();
    const sentBefore = new Set([0, 3, 6, 9, 12, 1, 4, 7, 2]);
    const { epoch, added } = growSlots(slots, 5);
    expect(epoch).toBe(15);
    const all = [...slots, ...added];
    const owned: number[] = [];
    for (const s of all) {
      for (;;) {
        const n = s.peek();
        if (n >= 40) break;
        owned.push(n);
        s.advance();
      }
    }
    const expected = Array.from({ length: 40 }, (_, n) => n).filter((n) => !sentBefore.has(n));
    expect(owned.sort((a, b) => a - b)).toEqual(expected);
    // The old connections finish their own backlog first, then join the new epoch.
    const c0 = new ConnectionSlots(0, 3);
    const c2 = new ConnectionSlots(2, 3);
    c2.advance();
    growSlots([c0, new ConnectionSlots(1, 3), c2], 5);
    const next = () => {
      const n = c0.peek();
      c0.advance();
      return n;
    };
    expect([next(), next(), next(), next()]).toEqual([0, 3, 5, 10]);
  });
});

describe('ArrivalSchedule shares', () => {
  it('interleaves: the shares of a phase are the whole schedule, each request once', () => {
    for (const [rate, ms, rampTo] of [[1500, 2_000, undefined], [10, 3_000, 70], [999, 1_234, 3]] as const) {
      const whole = new ArrivalSchedule(rate, ms, rampTo);
      const times: number[] = [];
      for (let index = 0; index < 3; index++) {
        const s = new ArrivalSchedule(rate, ms, rampTo, { index, of: 3 });
        for (let n = 0; n < s.total; n++) times.push(s.timeOf(n));
        expect(s.rateAt(500)).toBeCloseTo(whole.rateAt(500) / 3, 9);
      }
      times.sort((a, b) => a - b);
      expect(times.length).toBe(whole.total);
      for (let n = 0; n < whole.total; n++) expect(times[n]).toBeCloseTo(whole.timeOf(n), 9);
    }
  });

  it('counts what each share has due', () => {
    const shares = [0, 1, 2].map((index) => new ArrivalSchedule(1000, 1_000, undefined, { index, of: 3 }));
    expect(shares.map((s) => s.total)).toEqual([334, 333, 333]);
    expect(shares.map((s) => s.dueBy(0))).toEqual([1, 0, 0]);
    expect(shares.map((s) => s.dueBy(4.5))).toEqual([2, 2, 1]);
    expect(shares.reduce((n, s) => n + s.dueBy(600), 0)).toBe(new ArrivalSchedule(1000, 1_000).dueBy(600));
    expect(() => new ArrivalSchedule(10, 1_000, undefined, { index: 3, of: 3 })).toThrow(RangeError);
  });
});
