import { describe, expect, it } from 'vitest';
import type { BullmqProfile } from '../../core/config';
import { JobPlan } from './jobs';

function profile(overrides: Partial<BullmqProfile> = {}): BullmqProfile {
  return {
    name: 'q', type: 'bullmq', queue: 'messages', mode: 'e2e', jobs: 1000, bulkSize: 100, workerConcurrency: [10],
    failRate: 0, attempts: 1, payloadSize: 256, processTimeMs: 0, thresholds: [], source: { line: 1, column: 1 },
    ...overrides,
  };
}

describe('JobPlan', () => {
  it('plain jobs carry their sequence number and a payload of payloadSize characters, and no options', () => {
    const plan = new JobPlan(profile({ payloadSize: 300 }));
    expect(plan.data(7)).toEqual({ seq: 7, payload: expect.any(String) });
    expect(plan.data(7).payload).toHaveLength(300);
    expect(plan.options(7)).toBeUndefined();
  });

  it('delays exactly `ratio` of the jobs, spread evenly', () => {
    const plan = new JobPlan(profile({ delayed: { ratio: 0.1, delayMs: 500 } }));
    const delayed = Array.from({ length: 1000 }, (_, i) => plan.delayOf(i)).filter((d) => d === 500);
    expect(delayed).toHaveLength(100);
    for (let start = 0; start < 1000; start += 100) {
      expect(Array.from({ length: 100 }, (_, i) => plan.delayOf(start + i)).filter(Boolean)).toHaveLength(10);
    }
    expect(plan.options(9)).toEqual({ delay: 500 });
  });

  it('picks priorities from the list, each about equally often, the same on every run', () => {
    const plan = new JobPlan(profile({ priorities: [1, 5, 10] }));
    const counts = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const p = plan.options(i)?.priority;
      counts.set(p!, (counts.get(p!) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([1, 5, 10]);
    for (const n of counts.values()) expect(n).toBeGreaterThan(850);
    expect(new JobPlan(profile({ priorities: [1, 5, 10] })).options(42)).toEqual(plan.options(42));
  });

  it('passes attempts and backoff to BullMQ', () => {
    const plan = new JobPlan(profile({ attempts: 3, backoff: { type: 'exponential', delayMs: 50 }, failRate: 0.1 }));
    expect(plan.options(0)).toEqual({ attempts: 3, backoff: { type: 'exponential', delay: 50 }, stackTraceLimit: 0 });
  });

  it('fails about failRate of all attempts, deterministically', () => {
    const plan = new JobPlan(profile({ failRate: 0.2 }));
    let failures = 0;
    for (let seq = 0; seq < 5000; seq++) for (let attempt = 0; attempt < 2; attempt++) if (plan.shouldFail(seq, attempt)) failures++;
    expect(failures / 10_000).toBeGreaterThan(0.18);
    expect(failures / 10_000).toBeLessThan(0.22);
    // Attempts of one job fail independently of each other.
    const both = Array.from({ length: 5000 }, (_, s) => plan.shouldFail(s, 0) && plan.shouldFail(s, 1)).filter(Boolean).length;
    expect(both / 5000).toBeGreaterThan(0.025);
    expect(both / 5000).toBeLessThan(0.055);
    expect(new JobPlan(profile({ failRate: 0.2 })).shouldFail(123, 1)).toBe(plan.shouldFail(123, 1));
  });

  it('failRate 0 never fails and 1 always does', () => {
    expect(new JobPlan(profile({ failRate: 0 })).shouldFail(1, 0)).toBe(false);
    expect(new JobPlan(profile({ failRate: 1 })).shouldFail(1, 5)).toBe(true);
  });
});
