// Scenarios, templates, expect checks, response framings, custom generators, live events and
// cancellation of the HTTP runner against real target servers.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHttpProfile } from '../../src/runners/http';
import type { LiveSample, RunProgress } from '../../src/runners/types';
import { closedPhase, httpProfile, openPhase, runnerContext, scenario, startHttpTarget, type HttpTarget } from '../helpers/httpTargets';

/** Threads of this process: a load-generator worker that is still alive adds some. */
const threads = () => readdirSync('/proc/self/task').length;

describe('scenarios and templates', () => {
  let target: HttpTarget;
  beforeAll(async () => {
    target = await startHttpTarget({ keepRequests: 1_000, body: '{"status":"queued"}' });
  });
  afterAll(() => target?.stop());

  it('splits requests by weight in open and closed phases, and reports each scenario', async () => {
    await target.reset();
    const scenarios = [scenario('heavy', { path: '/heavy' }, 70), scenario('light', { path: '/light' }, 30)];
    const out = await runHttpProfile(httpProfile([openPhase('open', 500, 2_000), closedPhase('closed', 5, 1_000)], scenarios), runnerContext(target.url)).result;
    expect(out.status).toBe('completed');
    const seen = await target.stats();
    const share = seen.byPath['/heavy']! / (seen.byPath['/heavy']! + seen.byPath['/light']!);
    expect(share).toBeGreaterThan(0.65);
    expect(share).toBeLessThan(0.75);
    const heavy = out.operations.find((o) => o.name === 'heavy')!;
    const light = out.operations.find((o) => o.name === 'light')!;
    expect(heavy.count + light.count).toBe(out.overall!.count);
    // The closed loop stops with up to one request per connection in flight: seen, never answered.
    expect(seen.byPath['/heavy']! - heavy.count).toBeGreaterThanOrEqual(0);
    expect(seen.total - out.overall!.count).toBeGreaterThanOrEqual(0);
    expect(seen.total - out.overall!.count).toBeLessThanOrEqual(5);
    expect(out.metrics['scenario.heavy.rps']).toBeGreaterThan(out.metrics['scenario.light.rps']!);
    expect(out.phases.map((p) => p.model)).toEqual(['open', 'closed']);
  });

  it('renders templates per request: valid, distinct values in path, query, headers and JSON body', async () => {
    await target.reset();
    const send = scenario('send', {
      method: 'POST',
      path: '/users/{{uuid}}/messages',
      query: { n: '{{int(1,100)}}' },
      headers: { 'X-Seq': '{{seq}}' },
      json: { to: '{{phone}}', body: '{{words(5)}}', kind: '{{pick(text,image)}}', attempt: '{{int(1,3)}}' },
    });
    const out = await runHttpProfile(httpProfile([openPhase('p', 200, 1_000)], [send]), runnerContext(target.url)).result;
    expect(out.overall!.errors).toBe(0);
    const { requests } = await target.stats();
    expect(requests).toHaveLength(200);
    const ids = new Set<string>();
    const seqs = new Set<string>();
    for (const r of requests) {
      const m = /^\/users\/([0-9a-f-]{36})\/messages\?n=(\d+)$/.exec(r.url);
      expect(m, r.url).not.toBeNull();
      ids.add(m![1]!);
      const n = Number(m![2]);
      expect(n >= 1 && n <= 100).toBe(true);
      seqs.add(String(r.headers['x-seq']));
      expect(r.headers['content-type']).toBe('application/json');
      const body = JSON.parse(r.body);
      expect(body.to).toMatch(/^\+1555\d{7}$/);
      expect(body.body.split(' ')).toHaveLength(5);
      expect(['text', 'image']).toContain(body.kind);
      expect([1, 2, 3]).toContain(body.attempt);
    }
    expect(ids.size).toBe(200);
    expect(seqs.size).toBe(200);
  });

  it('counts failed expect checks as errors by kind', async () => {
    const scenarios = [
      scenario('wants-201', { path: '/a' }, 1, { status: [201] }),
      scenario('wants-text', { path: '/b' }, 1, { bodyContains: 'delivered' }),
      scenario('fine', { path: '/c' }, 1, { bodyContains: 'queued' }),
    ];
    const out = await runHttpProfile(httpProfile([openPhase('open', 300, 1_000), closedPhase('closed', 3, 500)], scenarios), runnerContext(target.url)).result;
    const by = Object.fromEntries(out.operations.map((o) => [o.name, o]));
    expect(by['wants-201']!.errorsByKind).toEqual({ 'status:200': by['wants-201']!.count });
    expect(by['wants-text']!.errorsByKind).toEqual({ 'expect:body': by['wants-text']!.count });
    expect(by.fine!.errors).toBe(0);
  });

  it('runs a custom generator module from a trusted workspace, in open and closed phases', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'perflab-gen-'));
    try {
      writeFileSync(path.join(dir, 'gen.mjs'), `
        export function next(ctx) {
          if (ctx.scenario === 'plain') return undefined;
          return { method: 'PUT', path: '/custom/' + ctx.seq, body: { phase: ctx.phase, n: ctx.helpers.int(5, 5), was: ctx.request.path } };
        }
      `);
      const scenarios = [scenario('plain', { path: '/plain' }), scenario('custom', { path: '/own' })];
      const ctx = { ...runnerContext(target.url), configDir: dir };
      for (const phase of [openPhase('gen', 100, 1_000), closedPhase('closed', 2, 300)]) {
        await target.reset();
        const out = await runHttpProfile(httpProfile([phase], scenarios, { generator: './gen.mjs' }), ctx).result;
        expect(out.status).toBe('completed');
        const { requests, byPath } = await target.stats();
        const custom = requests.filter((r) => r.url.startsWith('/custom/'));
        expect(custom.length).toBeGreaterThan(20);
        expect(requests.some((r) => r.url === '/plain')).toBe(true);
        expect(custom.every((r) => r.method === 'PUT')).toBe(true);
        expect(JSON.parse(custom[0]!.body)).toEqual({ phase: phase.name, n: 5, was: '/own' });
        const customCount = Object.entries(byPath).filter(([p]) => p.startsWith('/custom/')).reduce((n, [, c]) => n + c, 0);
        const answered = out.operations.find((o) => o.name === 'custom')!.count;
        expect(customCount - answered).toBeGreaterThanOrEqual(0);
        expect(customCount - answered).toBeLessThanOrEqual(2); // in flight when the closed loop stopped
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('response framings', () => {
  it.each(['chunked', 'close'] as const)('reads %s answers', async (framing) => {
    const target = await startHttpTarget({ framing, body: 'hello world' });
    try {
      const scenarios = [scenario('s', {}, 1, { bodyContains: 'world' })];
      const out = await runHttpProfile(httpProfile([openPhase('p', 200, 1_000)], scenarios), runnerContext(target.url)).result;
      expect(out.overall).toMatchObject({ count: 200, errors: 0 });
    } finally {
      await target.stop();
    }
  });
});

describe('HEAD requests', () => {
  it('completes answers that have a Content-Length but no body', async () => {
    const target = await startHttpTarget({ body: 'hello world' });
    try {
      const out = await runHttpProfile(httpProfile([openPhase('p', 200, 1_000)], [scenario('head', { method: 'HEAD' })]), runnerContext(target.url)).result;
      expect(out.overall).toMatchObject({ count: 200, errors: 0 });
      expect(out.overall!.latency.p99).toBeLessThan(1_000);
    } finally {
      await target.stop();
    }
  });
});

describe('connection pool', () => {
  it('grows when the target is slow for the rate, so every planned request goes out', async () => {
    // 50 ms per answer at 400/s needs about 20 connections; the pool starts with 10.
    const slow = await startHttpTarget({ delayMs: 50 });
    try {
      const handle = runHttpProfile(httpProfile([openPhase('slow', 400, 4_000)]), runnerContext(slow.url));
      const logs: string[] = [];
      handle.on('log', (l) => logs.push(l.message));
      const out = await handle.result;
      expect(out.overall).toMatchObject({ count: 1_600, errors: 0 });
      const used = Number(/sent on (\d+) connections/.exec(logs.join('\n'))?.[1]);
      expect(used, logs.join('\n')).toBeGreaterThanOrEqual(20);
    } finally {
      await slow.stop();
    }
  });
});

describe('ramps, live events and cancel', () => {
  let target: HttpTarget;
  beforeAll(async () => {
    target = await startHttpTarget();
  });
  afterAll(() => target?.stop());

  it('follows a ramp and emits samples about once a second and progress as a fraction', async () => {
    await target.reset();
    const handle = runHttpProfile(httpProfile([openPhase('ramp', 100, 3_000, 300), closedPhase('closed', 2, 1_000)]), runnerContext(target.url));
    const samples: LiveSample[] = [];
    const progress: RunProgress[] = [];
    handle.on('sample', (s) => samples.push(s));
    handle.on('progress', (p) => progress.push(p));
    const out = await handle.result;
    expect(out.phases[0]!.count).toBe(600); // (100 + 300) / 2 × 3 s
    const { arrivals } = await target.stats();
    // The rate climbs: the ramp's third second (100 ms buckets 20–29) should hold about 267
    // requests, twice its first second's 133. The buckets start at the 100 ms mark before the
    // first arrival, so a second's window is off by up to a bucket; on a busy machine the server
    // also reads some arrivals late. Hence ±20 % on the count and the ratio as the real check.
    const first = arrivals.slice(0, 10).reduce((a, b) => a + b, 0);
    const third = arrivals.slice(20, 30).reduce((a, b) => a + b, 0);
    expect(first).toBeGreaterThan(133 * 0.8);
    expect(first).toBeLessThan(133 * 1.2);
    expect(third).toBeGreaterThan(first * 1.7);
    expect(samples.length).toBeGreaterThanOrEqual(4);
    expect(samples.map((s) => s.phase)).toContain('closed');
    expect(samples.every((s, i) => i === 0 || s.t > samples[i - 1]!.t)).toBe(true);
    expect(samples[samples.length - 1]!.total).toBe(out.overall!.count);
    expect(out.timeline).toEqual(samples.map(({ total: _total, ...point }) => point));
    expect(progress.every((p) => p.fraction >= 0 && p.fraction <= 1 && p.totalMs === 4_000)).toBe(true);
    expect(progress[progress.length - 1]!.fraction).toBe(1);
  });

  it('cancel mid-run resolves cancelled with partial results and leaves no sockets or workers', async () => {
    const threadsBefore = threads();
    const before = await target.stats();
    expect(before.openConnections).toBe(0);
    const handle = runHttpProfile(httpProfile([openPhase('long', 500, 20_000), closedPhase('never', 2, 5_000)]), runnerContext(target.url));
    await new Promise<void>((resolve) => handle.on('sample', () => resolve()));
    handle.cancel();
    const out = await handle.result;
    expect(out.status).toBe('cancelled');
    expect(out.phases).toHaveLength(1);
    expect(out.overall!.count).toBeGreaterThan(100);
    expect(out.overall!.count).toBeLessThan(5_000);
    // Nothing of the run is left: no worker thread here, no connection at the server.
    expect(threads()).toBeLessThanOrEqual(threadsBefore);
    await new Promise((r) => setTimeout(r, 100));
    expect((await target.stats()).openConnections).toBe(0);
  });

  it('cancels a closed-loop phase too', async () => {
    const controller = new AbortController();
    const handle = runHttpProfile(httpProfile([closedPhase('c', 4, 20_000)]), { ...runnerContext(target.url), signal: controller.signal });
    await new Promise<void>((resolve) => handle.on('sample', () => resolve()));
    controller.abort();
    const out = await handle.result;
    expect(out.status).toBe('cancelled');
    expect(out.overall!.count).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect((await target.stats()).openConnections).toBe(0);
  });
});
