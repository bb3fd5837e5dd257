/**
 * `perflab profile …` end to end against real targets: captures and their summaries, launch mode,
 * leaks with a repeated request, the process list, usage and runtime exit codes, and Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCommand } from '../../src/cli/analyzeCommand';
import { CliError, type CliIO } from '../../src/cli/exit';
import { profileCommand } from '../../src/cli/profileCommand';
import { formatCount, formatMs } from '../../src/core/format';
import { samplingReference, startTarget, stopAllTargets, TARGETS_DIR } from '../fixtures/targets/harness';

const ROOT = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'perflab-profile-cli-'));
afterEach(() => stopAllTargets());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command in-process the way `perflab` does: thrown CliErrors and parse errors become exit codes. */
async function perflab(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), cwd: dir, isTTY: false };
  let code: number;
  try {
    code = await profileCommand(io, args);
  } catch (e) {
    if (e instanceof CliError) {
      err.push(e.message);
      code = e.exitCode;
    } else if ((e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      err.push((e as Error).message);
      code = 2;
    } else {
      throw e;
    }
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('perflab profile', () => {
  it('cpu --inspect prints the achieved interval as analyze does, V8 time apart, and the hot function on top', async () => {
    const t = await startTarget('hot.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const r = await perflab('cpu', '--inspect', `127.0.0.1:${t.inspectorPort}`, '--duration', '1s', '--out', 'hot.cpuprofile');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/attached to .*inspector 127\.0\.0\.1:\d+/);
    expect(r.out).toMatch(/^hot\.cpuprofile: [\d.]+ m?s, [\d,]+ samples every [\d.]+ ms \([\d.]+ m?s sampled; median gap [\d.]+ ms\), asked every 1\.00 ms/);
    const rows = r.out.split('\n');
    expect(rows).toContainEqual(expect.stringMatching(/^V8: idle [<\d.]+%, program [<\d.]+%, time in GC [<\d.]+% of [\d.]+ m?s sampled$/));
    const head = rows.findIndex((l) => /self\s+self %\s+total\s+total %\s+function/.test(l));
    expect(rows[head + 2]).toMatch(/spinPrimesCjs {2}\S*hot\.cjs:\d+$/);
    // No V8 pseudo-frame is ranked among the functions.
    expect(rows.slice(head).join('\n')).not.toMatch(/\((idle|program|garbage collector|root)\)/);

    // The same file through `perflab analyze`: the same samples, interval and sampled time.
    const analyzed: string[] = [];
    expect(await analyzeCommand({ out: (l) => analyzed.push(l), err: () => undefined, cwd: dir, isTTY: false }, [path.join(dir, 'hot.cpuprofile')])).toBe(0);
    const figures = /([\d,]+) samples every ([\d.]+ ms) \(([\d.]+ m?s) sampled/;
    const captured = figures.exec(r.out)!;
    const analysis = figures.exec(analyzed.join('\n'))!;
    expect(analysis.slice(1)).toEqual(captured.slice(1));
    // And they are true: counted from the file's raw timestamps, N samples × interval = sampled
    // time, printed as every figure is (src/core/format.ts).
    const ref = samplingReference(path.join(dir, 'hot.cpuprofile'));
    expect(captured.slice(1)).toEqual([formatCount(ref.samples), formatMs(ref.sampledMs / ref.samples), formatMs(ref.sampledMs)]);
  });

  it('cpu -- COMMAND launches the program with its inspector on a free port and stops it afterwards', async () => {
    const r = await perflab('cpu', '--duration', '1s', '--interval', '500us', '--out', 'launched.cpuprofile', '--', process.execPath, path.join(TARGETS_DIR, 'hot.mjs'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/, asked every 0\.50 ms$/m);
    expect(r.out).toMatch(/spinPrimesEsm/);
    const pid = Number(/attached to pid (\d+)/.exec(r.err)![1]);
    expect(isRunning(pid)).toBe(false);
    // The program's own output reaches the user, the inspector's banner does not.
    expect(r.err).toMatch(/\[target\] ready \d+|ready/);
    expect(r.err).not.toMatch(/Debugger listening/);
  });

  it('monitor --pid attaches through SIGUSR1 and summarises the timeline', async () => {
    const t = await startTarget('blocker.cjs', { nodeArgs: ['--inspect-port=0'] });
    const r = await perflab('monitor', '--pid', String(t.pid), '--duration', '1s', '--interval', '100ms', '--out', 'loop.json');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/SIGUSR1/);
    expect(r.out).toMatch(/^loop\.json: \d+ samples/);
    expect(r.out).toMatch(/^event loop delay \(net of the 10 ms timer\): p50 (?:<0\.01|[\d.,]+) m?s, p99 (?:<0\.01|[\d.,]+) m?s, max (?:<0\.01|[\d.,]+) m?s over [\d.,]+ m?s$/m);
    expect(r.out).toMatch(/^GC pauses \(stop-the-world collections, from the monitor\): \d+ collections/m);
  });

  it('heap and snapshot print their top entries', async () => {
    const alloc = await startTarget('alloc.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const heap = await perflab('heap', '--inspect', String(alloc.inspectorPort), '--duration', '1s', '--interval', '16384', '--out', 'a.heapprofile');
    expect(heap.code).toBe(0);
    expect(heap.out).toMatch(/^a\.heapprofile: [\d.]+ m?s, [\d,]+ samples of allocations, including objects already collected, about [\d.]+ [KMG]?B$/m);
    expect(heap.out).toMatch(/Top allocating functions\n.*\n.*\n\s*[\d.,]+ [KMG]?B\s+[\d.]+%\s+[\d.,]+ [KMG]?B\s+allocateOrderRecords {2}/);
    const live = await perflab('heap', '--inspect', String(alloc.inspectorPort), '--duration', '1s', '--live', '--out', 'live.heapprofile');
    expect(live.code).toBe(0);
    expect(live.out).toMatch(/^live\.heapprofile: .* samples of live objects only, about /m);

    const inst = await startTarget('instances.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'], env: { INSTANCES: '50000' } });
    const snap = await perflab('snapshot', '--inspect', String(inst.inspectorPort), '--out', 'i.heapsnapshot');
    expect(snap.code).toBe(0);
    expect(snap.err).toMatch(/pauses the target/);
    expect(snap.out).toMatch(/^i\.heapsnapshot: [\d.]+ [KM]B/);
    expect(snap.out).toMatch(/\n\s*50,000\s+.*PerfLabFixtureWidget/);
  });

  it('leaks --request finds what each request leaves behind', async () => {
    const server = await startTarget('leaky-server.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'], ready: /^listening \d+$/ });
    const port = (await server.waitForLine(/^listening (\d+)$/))[1];
    const r = await perflab('leaks', '--inspect', String(server.inspectorPort), '--request', `GET http://127.0.0.1:${port}/x`, '--repeat', '200', '--out', 'leaks');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^leaks\/leaks\.json: 200 × GET \/x, 200 operations \(snapshots\)/);
    expect(r.out).toMatch(/\nLeakyRecord: 200 objects still alive \([\d.]+ [KM]B retained.*, 1 per operation\)\n\s+retained via .*kept/);
    for (const f of ['baseline', 'target', 'final']) expect(existsSync(path.join(dir, 'leaks', `${f}.heapsnapshot`))).toBe(true);
  });

  it('list shows Node processes with their inspector port', async () => {
    const t = await startTarget('blocker.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const r = await perflab('list');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^\\s*${t.pid}\\s+inspector 127\\.0\\.0\\.1:${t.inspectorPort}\\s+.*blocker\\.cjs`, 'm'));
  });
});

describe('perflab profile errors', () => {
  it.each([
    [['cpu'], /say which process/],
    [['cpu', '--pid', '1', '--inspect', '9229'], /only one of/],
    [['flame', '--pid', '1'], /unknown capture "flame"/],
    [[], /say what to capture/],
    [['cpu', '--pid', '1', '--duration', 'soon'], /--duration soon/],
    [['cpu', '--pid', 'abc'], /--pid abc is not a whole number/],
    [['snapshot', '--pid', '1', '--under', 'smoke'], /--under works with/],
    [['leaks', '--pid', '1'], /leaks needs an action/],
    [['cpu', '--pid', '1', '--live'], /--live works with heap only/],
    [['heap', '--pid', '1', '--full-paths'], /--full-paths works with leaks only/],
    [['cpu', '--pid', '1', '--bogus'], /Unknown option '--bogus'/],
  ])('%j exits 2 with a usage message', async (args, message) => {
    const r = await perflab(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('exits 3 naming the process that holds the inspector port', async () => {
    const holder = await startTarget('port-holder.cjs', { ready: /^listening \d+$/ });
    const port = Number((await holder.waitForLine(/^listening (\d+)$/))[1]);
    const t = await startTarget('hot.cjs', { nodeArgs: [`--inspect-port=${port}`] });
    const r = await perflab('cpu', '--pid', String(t.pid), '--duration', '1s');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(new RegExp(`port ${port}, which pid ${t.pid} wants for its inspector, is held by pid ${holder.pid} \\(.*port-holder\\.cjs\\).*--inspect=0`));
  });

  it('exits 3 when nothing answers at the address', async () => {
    const holder = await startTarget('port-holder.cjs', { ready: /^listening \d+$/ });
    const port = (await holder.waitForLine(/^listening (\d+)$/))[1];
    await holder.stop();
    const r = await perflab('cpu', '--inspect', `127.0.0.1:${port}`, '--duration', '1s');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/no Node inspector at 127\.0\.0\.1:\d+: nothing listens there/);
  });
});

describe('perflab profile and Ctrl-C', () => {
  let bundle: string;
  beforeAll(async () => {
    // A tiny `perflab profile` entry, bundled under the repository so it finds dist/analysisWorker.js.
    const cache = path.join(ROOT, 'node_modules', '.cache', 'perflab-tests');
    mkdirSync(cache, { recursive: true });
    bundle = path.join(cache, `profile-cli-${process.pid}.cjs`);
    await esbuild.build({
      stdin: {
        contents: `import { profileCommand } from ${JSON.stringify(path.join(ROOT, 'src/cli/profileCommand.ts'))};
const io = { out: (t) => process.stdout.write(t + '\\n'), err: (t) => process.stderr.write(t + '\\n'), cwd: process.cwd(), isTTY: false };
profileCommand(io, process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => { process.stderr.write(String(e.message) + '\\n'); process.exitCode = e.exitCode ?? 3; });`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // jsonc-parser's `main` is a UMD build esbuild cannot follow (as in esbuild.mjs).
      mainFields: ['module', 'main'],
      outfile: bundle,
      logLevel: 'silent',
    });
  });
  afterAll(() => rmSync(bundle, { force: true }));

  it('stops the capture, saves what was captured, detaches and exits 130', async () => {
    const t = await startTarget('hot.cjs', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const child = spawn(process.execPath, [bundle, 'cpu', '--inspect', String(t.inspectorPort), '--duration', '60s', '--out', 'ctrl-c.cpuprofile'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const attached = new Promise<void>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        // The first progress line comes once the profiler runs.
        if (/cpu profile/.test(stderr)) resolve();
      });
    });
    const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      await Promise.race([attached, code.then((c) => Promise.reject(new Error(`exited ${c} before capturing:\n${stderr}`)))]);
      child.kill('SIGINT');
      expect(await code).toBe(130);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    expect(stderr).toMatch(/Stopping: saving what was captured/);
    expect(stdout).toMatch(/^ctrl-c\.cpuprofile: /);
    expect(existsSync(path.join(dir, 'ctrl-c.cpuprofile'))).toBe(true);
    // Detached: the target runs on, and a new session can attach.
    expect(t.child.exitCode).toBeNull();
    const again = await perflab('cpu', '--inspect', String(t.inspectorPort), '--duration', '200ms', '--out', 'after.cpuprofile');
    expect(again.code).toBe(0);
  });
});
