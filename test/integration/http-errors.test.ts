// Bad input and failing targets: what the user sees must say what to fix.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHttpProfile } from '../../src/runners/http';
import { RunnerError } from '../../src/runners/types';
import { closedPhase, freePort, httpProfile, openPhase, runnerContext, scenario, startHttpTarget, type HttpTarget } from '../helpers/httpTargets';

async function rejection(p: Promise<unknown>): Promise<RunnerError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(RunnerError);
    return err as RunnerError;
  }
  throw new Error('expected the run to be rejected');
}

describe('targets that fail', () => {
  let failing: HttpTarget;
  beforeAll(async () => {
    failing = await startHttpTarget({ status: 500, body: 'boom' });
  });
  afterAll(() => failing?.stop());

  it('counts answers of 500 as errors by status, in open and closed phases', async () => {
    const out = await runHttpProfile(
      httpProfile([openPhase('open', 200, 1_000), closedPhase('closed', 4, 1_000)]),
      runnerContext(failing.url),
    ).result;
    expect(out.status).toBe('completed');
    const [open, closed] = out.phases;
    expect(open!.count).toBe(200);
    expect(open!.errorsByKind).toEqual({ 'status:500': 200 });
    expect(closed!.count).toBeGreaterThan(0);
    expect(closed!.errorsByKind).toEqual({ 'status:500': closed!.count });
    expect(out.metrics['errors.rate']).toBe(1);
    expect(out.metrics['errors.count']).toBe(out.overall!.count);
    expect(out.metrics['scenario.root.errors.rate']).toBe(1);
  });

  it('an unreachable target is a RunnerError naming the URL and what to check', async () => {
    const port = await freePort();
    const err = await rejection(runHttpProfile(httpProfile([openPhase('p', 10, 1_000)]), runnerContext(`http://127.0.0.1:${port}`)).result);
    expect(err.code).toBe('unreachable');
    expect(err.message).toContain(`http://127.0.0.1:${port}`);
    expect(err.message).toMatch(/ECONNREFUSED.*Is the server running, and listening on 127\.0\.0\.1 port \d+\? Check targets\.api\.baseUrl/);
  });

  it('a non-loopback target without allowHosts is refused, with the fix', async () => {
    const err = await rejection(runHttpProfile(httpProfile([openPhase('p', 10, 1_000)]), runnerContext('http://api.example.com:8080')).result);
    expect(err.code).toBe('refused');
    expect(err.message).toMatch(/refusing to send load to http:\/\/api\.example\.com:8080.*add "api\.example\.com:8080" to "allowHosts"/);
  });

  it('credentials in the base URL never reach a message', async () => {
    const err = await rejection(runHttpProfile(httpProfile([openPhase('p', 10, 1_000)]), runnerContext('http://user:secret@10.1.2.3')).result);
    expect(err.message).not.toContain('secret');
  });
});

describe('config problems found before any load', () => {
  const ctx = runnerContext('http://127.0.0.1:9');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'perflab-gen-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an unknown template helper', async () => {
    const err = await rejection(runHttpProfile(httpProfile([openPhase('p', 10, 1_000)], [scenario('send', { path: '/x/{{nope}}' })]), ctx).result);
    expect(err.code).toBe('config');
    expect(err.message).toMatch(/profile "test": scenario "send" request\.path: unknown template helper "nope"; template helpers are phone, uuid/);
  });

  it('a custom generator in an untrusted workspace', async () => {
    const err = await rejection(runHttpProfile(httpProfile([openPhase('p', 10, 1_000)], undefined, { generator: './gen.mjs' }), { ...ctx, trusted: false }).result);
    expect(err.code).toBe('config');
    expect(err.message).toMatch(/custom generator "\.\/gen\.mjs".*the workspace must be trusted/);
  });

  it('a custom generator without next()', async () => {
    const target = await startHttpTarget();
    try {
      writeFileSync(path.join(dir, 'bad.mjs'), 'export const nothing = 1;\n');
      const err = await rejection(
        runHttpProfile(httpProfile([openPhase('p', 10, 1_000)], undefined, { generator: './bad.mjs' }), { ...runnerContext(target.url), configDir: dir }).result,
      );
      expect(err.code).toBe('config');
      expect(err.message).toMatch(/must export a function next\(ctx\)/);
    } finally {
      await target.stop();
    }
  });

  it('an unknown target', async () => {
    const err = await rejection(runHttpProfile(httpProfile([openPhase('p', 10, 1_000)], undefined, { target: 'nope' }), ctx).result);
    expect(err.code).toBe('config');
    expect(err.message).toMatch(/target "nope", which is not in "targets" \(targets: api\)/);
  });
});
