/**
 * What the profiler says when things go wrong: the inspector port is held by another process,
 * nothing listens, the target dies mid-capture, the pid is not a Node process, a remote host.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { attach, type AttachedTarget } from '../../src/runners/profiler/attach';
import { captureCpuProfile } from '../../src/runners/profiler/cpu';
import { portHolder } from '../../src/runners/profiler/discovery';
import { ProfilerError } from '../../src/runners/profiler/types';
import { startTarget, stopAllTargets } from '../fixtures/targets/harness';

const dir = mkdtempSync(path.join(tmpdir(), 'perflab-faults-'));
const attached: AttachedTarget[] = [];

afterEach(async () => {
  await Promise.all(attached.splice(0).map((a) => a.close()));
  await stopAllTargets();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<ProfilerError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProfilerError);
  return err as ProfilerError;
}

async function holder() {
  const h = await startTarget('port-holder.cjs', { ready: /^listening (\d+)$/ });
  const port = Number((await h.waitForLine(/^listening (\d+)$/))[1]);
  return { h, port };
}

describe('profiler faults', () => {
  it('names the process holding the inspector port a pid attach needs, and suggests --inspect=0', async () => {
    const { h, port } = await holder();
    // The target would open its inspector on `port` when signalled, but another process has it.
    const t = await startTarget('hot.cjs', { nodeArgs: [`--inspect-port=${port}`] });
    const err = await failure(attach({ kind: 'pid', pid: t.pid }));
    expect(err.reason).toBe('port-held');
    expect(err.message).toContain(`port ${port}`);
    expect(err.message).toContain(`pid ${h.pid}`);
    expect(err.message).toContain('port-holder.cjs');
    expect(err.message).toContain('--inspect=0');
    // The target was not signalled: it is still running, with no inspector.
    expect(t.child.exitCode).toBeNull();
    expect(t.stderr.join('\n')).not.toMatch(/Debugger listening|Starting inspector/);
  });

  it('names the process behind an address that is not an inspector', async () => {
    const { h, port } = await holder();
    expect((await portHolder(port))?.pid).toBe(h.pid);
    const err = await failure(attach({ kind: 'address', address: { host: '127.0.0.1', port } }));
    expect(err.reason).toBe('port-held');
    expect(err.message).toContain('is not a Node inspector');
    expect(err.message).toContain(`pid ${h.pid}`);
  });

  it('says nothing listens at an address with no inspector', async () => {
    const { h, port } = await holder();
    await h.stop();
    const err = await failure(attach({ kind: 'address', address: { host: '127.0.0.1', port } }));
    expect(err.reason).toBe('unreachable');
    expect(err.message).toMatch(/nothing listens there/);
  });

  it('refuses a non-loopback host unless the user named it', async () => {
    const err = await failure(attach({ kind: 'address', address: { host: '10.11.12.13', port: 9229 } }));
    expect(err.reason).toBe('refused');
    expect(err.message).toMatch(/loopback/);
  });

  it('refuses to signal a process that is not Node (SIGUSR1 would end it)', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const err = await failure(attach({ kind: 'pid', pid: sleeper.pid! }));
      expect(err.reason).toBe('refused');
      expect(err.message).toMatch(/not a Node process/);
      expect(sleeper.exitCode).toBeNull();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('reports a missing pid', async () => {
    const err = await failure(attach({ kind: 'pid', pid: 2 ** 22 + 12345 }));
    expect(err.message).toMatch(/no process with pid/);
  });

  it('says clearly that nothing was saved when the target is killed during a CPU profile', async () => {
    const t = await startTarget('hot.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
    attached.push(a);
    const out = path.join(dir, 'killed.cpuprofile');
    const capture = captureCpuProfile(a.session, { out, durationMs: 30_000 });
    setTimeout(() => t.child.kill('SIGKILL'), 300);
    const err = await failure(capture.result);
    expect(err.reason).toBe('target-exit');
    expect(err.message).toMatch(/nothing was saved/);
    expect(existsSync(out)).toBe(false);
  });

  it('keeps the CPU profile up to the exit when the target exits before the planned duration', async () => {
    const t = await startTarget('blocker.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const a = await attach({ kind: 'address', address: { host: '127.0.0.1', port: t.inspectorPort! } });
    attached.push(a);
    const out = path.join(dir, 'exited.cpuprofile');
    const capture = captureCpuProfile(a.session, { out, durationMs: 30_000 });
    setTimeout(() => t.send('exit 0'), 300);
    const err = await failure(capture.result);
    expect(err.reason).toBe('target-exit');
    expect(err.message).toMatch(/target exited after .* of the planned 30\.0 s/);
    expect(err.partial).toEqual([out]);
    expect(existsSync(out)).toBe(true);
    await a.close();
    expect(await t.exited).toBe(0);
  });
});
