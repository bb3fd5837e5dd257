/**
 * The inspector PerfLab opens is its own to close, and never one the network can reach: targets
 * whose flags ask for 0.0.0.0 are refused before the signal (or closed again when the flags could
 * not be read), PerfLab reports the address the inspector really bound, closes what it opened when
 * it detaches, uses an inspector that is already open without signalling again, warns about a
 * named remote host, and `profile list` shows an inspector opened by SIGUSR1.
 * Every case drives the built CLI against real Node processes.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { listeningSocketsOf } from '../../src/runners/profiler/procfs';
import { cliFolder } from '../helpers/cli';
import { startTarget, stopAllTargets, type TargetProcess } from '../fixtures/targets/harness';

const folder = cliFolder('perflab-inspector-safety-');
afterEach(() => stopAllTargets());
afterAll(() => folder.remove());

const LISTENING = /Debugger listening on ws:\/\/([^/]+):(\d+)\//;

/** `ss -ltn` rows whose local address ends in `:port`: what anyone on the machine would see. */
function ssListening(port: number): string[] {
  const r = spawnSync('ss', ['-ltnH'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((row) => row.trim().split(/\s+/)[3]?.endsWith(`:${port}`));
}

async function openedPort(t: TargetProcess): Promise<{ host: string; port: number }> {
  const m = await t.waitForErrLine(LISTENING);
  return { host: m[1]!, port: Number(m[2]) };
}

describe('perflab profile --pid and the network', () => {
  it.each([
    ['--inspect-port=0.0.0.0:0 on its command line', { nodeArgs: ['--inspect-port=0.0.0.0:0'] }],
    ['NODE_OPTIONS=--inspect-port=0.0.0.0:0', { env: { NODE_OPTIONS: '--inspect-port=0.0.0.0:0' } }],
  ])('refuses before signalling a target whose inspector would listen on 0.0.0.0 (%s)', async (_, opts) => {
    const t = await startTarget('hot.cjs', opts);
    const r = await folder.runAsync('profile', 'cpu', '--pid', String(t.pid), '--duration', '1s');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/refusing to open the inspector of pid \d+ on 0\.0\.0\.0/);
    // The reason and the fix.
    expect(r.err).toMatch(/all network interfaces/);
    expect(r.err).toMatch(/--inspect-port=127\.0\.0\.1:0/);
    // Never signalled: nothing opened, the target runs on.
    expect(t.stderr.join('\n')).not.toMatch(LISTENING);
    expect(await listeningSocketsOf(t.pid)).toEqual([]);
    expect(t.child.exitCode).toBeNull();
  });

  it('leaves no inspector port open after any kind of capture on a target started with --inspect-port=0.0.0.0:0', async () => {
    const t = await startTarget('leaky-server.cjs', { nodeArgs: ['--inspect-port=0.0.0.0:0'], ready: /^listening \d+$/ });
    const port = (await t.waitForLine(/^listening (\d+)$/))[1];
    const kinds = [['cpu'], ['heap'], ['snapshot'], ['monitor'], ['leaks', '--request', `GET http://127.0.0.1:${port}/x`]];
    for (const kind of kinds) {
      const r = await folder.runAsync('profile', ...kind, '--pid', String(t.pid), '--duration', '500ms');
      expect(r.code, kind[0]).toBe(2);
      expect(r.err).toMatch(/refusing to open the inspector/);
      // Only the server's own port listens.
      expect((await listeningSocketsOf(t.pid)).map((s) => String(s.port))).toEqual([port]);
    }
    expect(t.stderr.join('\n')).not.toMatch(LISTENING);
  });

  it('closes again an inspector that opened on 0.0.0.0 when the flags could not be read, and refuses', async () => {
    // The target renamed itself, so /proc/<pid>/cmdline no longer shows --inspect-port=0.0.0.0:0.
    const t = await startTarget('titled.cjs', { nodeArgs: ['--inspect-port=0.0.0.0:0'] });
    const r = await folder.runAsync('profile', 'cpu', '--pid', String(t.pid), '--duration', '1s');
    const opened = await openedPort(t);
    expect(opened.host).toBe('0.0.0.0');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`pid ${t.pid} opened its inspector on 0.0.0.0:${opened.port}`);
    expect(r.err).toMatch(/PerfLab closed it again/);
    // Closed before PerfLab exited: nothing listens, for the process or for ss.
    expect(await listeningSocketsOf(t.pid)).toEqual([]);
    expect(ssListening(opened.port)).toEqual([]);
    expect(t.child.exitCode).toBeNull();
  });

  it('reports the address the inspector bound, and closes what it opened when it detaches', async () => {
    const t = await startTarget('hot.cjs', { nodeArgs: ['--inspect-port=0'] });
    const first = await folder.runAsync('profile', 'cpu', '--pid', String(t.pid), '--duration', '500ms', '--out', 'a.cpuprofile');
    expect(first.code).toBe(0);
    const opened = await openedPort(t);
    expect(first.err).toContain(`inspector 127.0.0.1:${opened.port}`);
    expect(first.err).toMatch(/SIGUSR1/);
    expect(await listeningSocketsOf(t.pid)).toEqual([]);
    expect(ssListening(opened.port)).toEqual([]);

    // And again: one signal opens it again, PerfLab closes it again.
    const second = await folder.runAsync('profile', 'cpu', '--pid', String(t.pid), '--duration', '500ms', '--out', 'b.cpuprofile');
    expect(second.code).toBe(0);
    expect(second.err).toMatch(/attached to pid \d+ .*inspector 127\.0\.0\.1:\d+/);
    expect(await listeningSocketsOf(t.pid)).toEqual([]);
  });

  it('uses an inspector that is already open on a random port without signalling again, and leaves it open', async () => {
    const t = await startTarget('hot.cjs', { nodeArgs: ['--inspect-port=0'] });
    // Opened by someone else (a debugger, an earlier tool): it is not PerfLab's to close.
    process.kill(t.pid, 'SIGUSR1');
    const opened = await openedPort(t);
    const r = await folder.runAsync('profile', 'cpu', '--pid', String(t.pid), '--duration', '500ms', '--out', 'open.cpuprofile');
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/SIGUSR1/);
    expect(r.err).toContain(`inspector 127.0.0.1:${opened.port}`);
    expect(r.err).toMatch(/already open/);
    expect((await listeningSocketsOf(t.pid)).map((s) => s.port)).toEqual([opened.port]);
  });

  it('refuses an inspector already open on 0.0.0.0 that the user did not name', async () => {
    const t = await startTarget('hot.cjs', { nodeArgs: ['--inspect=0.0.0.0:0'] });
    const r = await folder.runAsync('profile', 'cpu', '--pid', String(t.pid), '--duration', '500ms');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`the inspector of pid ${t.pid} listens on 0.0.0.0:${t.inspectorPort}`);
    expect(r.err).toContain(`--inspect 0.0.0.0:${t.inspectorPort}`);
    // Reached on loopback, but bound to every interface: the same refusal.
    const byLoopback = await folder.runAsync('profile', 'cpu', '--inspect', `127.0.0.1:${t.inspectorPort}`, '--duration', '500ms');
    expect(byLoopback.code).toBe(2);
    expect(byLoopback.err).toContain(`listens on 0.0.0.0:${t.inspectorPort}`);
  });
});

describe('perflab profile --inspect with a named host', () => {
  it('warns about a non-loopback host before connecting: --inspect 10.0.0.1:9229', async () => {
    const r = await folder.runAsync('profile', 'cpu', '--inspect', '10.0.0.1:9229', '--duration', '1s');
    expect(r.err).toMatch(/warn: .*10\.0\.0\.1:9229 is not on loopback/);
    expect(r.code).toBe(3);
  });

  it('attaches to an inspector bound to 0.0.0.0 when the user names it, warns, and reports it as bound', async () => {
    const t = await startTarget('hot.cjs', { nodeArgs: ['--inspect=0.0.0.0:0'] });
    const r = await folder.runAsync('profile', 'cpu', '--inspect', `0.0.0.0:${t.inspectorPort}`, '--duration', '500ms', '--out', 'named.cpuprofile');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warn: .*0\.0\.0\.0:\d+ is not on loopback/);
    expect(r.err).toContain(`inspector 0.0.0.0:${t.inspectorPort}`);
    // Not PerfLab's: it stays open.
    expect((await listeningSocketsOf(t.pid)).map((s) => s.port)).toEqual([t.inspectorPort]);
  });
});

describe('perflab profile list', () => {
  it('shows an inspector opened by SIGUSR1, on the address it bound', async () => {
    const local = await startTarget('blocker.cjs', { nodeArgs: ['--inspect-port=0'] });
    const exposed = await startTarget('blocker.cjs', { nodeArgs: ['--inspect-port=0.0.0.0:0'] });
    process.kill(local.pid, 'SIGUSR1');
    process.kill(exposed.pid, 'SIGUSR1');
    const [l, e] = await Promise.all([openedPort(local), openedPort(exposed)]);
    const r = await folder.runAsync('profile', 'list');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^\\s*${local.pid}\\s+inspector 127\\.0\\.0\\.1:${l.port}\\s`, 'm'));
    expect(r.out).toMatch(new RegExp(`^\\s*${exposed.pid}\\s+inspector 0\\.0\\.0\\.0:${e.port} \\(all network interfaces\\)\\s`, 'm'));
  });
});
