/**
 * One function per `perflab profile` capture: start it on the attached target, save the file,
 * print what it holds. Each returns the command's exit code; the command (profileCommand.ts)
 * attaches, handles Ctrl-C and maps errors.
 */
import * as path from 'node:path';
import { formatBytes, formatCount, formatDuration, formatMs, formatTally } from '../../core/format';
import { processLines } from '../../core/report/process';
import { textReport } from '../../core/report/text';
import { heapSamplingScope, samplingLine } from '../../runners/profiler/analysis/format';
import type { AttachedTarget } from '../../runners/profiler/attach';
import { defaultCaptureName } from '../../runners/profiler/capture';
import { captureCpuProfile } from '../../runners/profiler/cpu';
import { captureHeapProfile } from '../../runners/profiler/heap';
import { findLeaks } from '../../runners/profiler/leaks';
import { captureMonitor } from '../../runners/profiler/monitor';
import { takeHeapSnapshot } from '../../runners/profiler/snapshot';
import type { CaptureHandle } from '../../runners/profiler/types';
import { loadMissesTarget, profileUnderLoad } from '../../runners/profiler/underLoad';
import { type CliIO, ExitCode, runExitCode } from '../exit';
import { attachRunLine, type LiveLine } from '../liveLine';
import { printCpu, printHeapProfile, printSnapshot, rel, spikeLines } from '../profileOutput';
import type { ProfileRequest } from './args';

export interface CaptureContext {
  io: CliIO;
  req: ProfileRequest;
  target: AttachedTarget;
  line: LiveLine;
  /** Aborted by Ctrl-C: the capture stops and saves what it has. */
  signal: AbortSignal;
  /** Follows a capture: its messages (and with `live` its progress) on the live line; cancelled with {@link signal}. */
  watch<T>(handle: CaptureHandle<T>, live?: boolean): Promise<T>;
}

/** The exit code of a capture that ended: 130 after Ctrl-C, else `code`. */
const exitFor = (ctx: CaptureContext, code: number = ExitCode.pass) => (ctx.signal.aborted ? ExitCode.cancelled : code);

/** `--out`, or `<kind>-<pid>-<time>.<ext>` in the current directory. */
function outFile(ctx: CaptureContext, ext: string, name: string = ctx.req.kind): string {
  return path.resolve(ctx.io.cwd, ctx.req.out ?? defaultCaptureName(name, ctx.target.pid, ext));
}

const onStarted = (ctx: CaptureContext) => () => ctx.target.resume();

/** A launched command runs for --duration before a snapshot (or the leak rounds) start; Ctrl-C ends the wait. */
function waitForLaunched(ctx: CaptureContext): Promise<void> {
  const { durationMs } = ctx.req;
  if (ctx.req.spec.kind !== 'launch' || !durationMs || ctx.signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, durationMs);
    ctx.signal.addEventListener('abort', done, { once: true });
  });
}

export async function cpu(ctx: CaptureContext): Promise<number> {
  const { io, req } = ctx;
  const r = await ctx.watch(captureCpuProfile(ctx.target.session, { out: outFile(ctx, 'cpuprofile'), durationMs: req.durationMs, intervalUs: req.cpuIntervalUs, onStarted: onStarted(ctx) }));
  io.out(`${rel(io, r.file)}: ${formatDuration(r.wallMs)}, ${samplingLine(r)}, asked every ${formatMs(r.requestedIntervalUs / 1000)}`);
  await printCpu(io, r.file, req.top, ctx.line);
  return exitFor(ctx);
}

export async function heap(ctx: CaptureContext): Promise<number> {
  const { io, req } = ctx;
  const r = await ctx.watch(captureHeapProfile(ctx.target.session, {
    out: outFile(ctx, 'heapprofile'), durationMs: req.durationMs, samplingIntervalBytes: req.heapIntervalBytes, live: req.liveOnly, onStarted: onStarted(ctx),
  }));
  io.out(`${rel(io, r.file)}: ${formatDuration(r.durationMs)}, ${formatCount(r.sampleCount)} samples of ${heapSamplingScope(r.live)}, about ${formatBytes(r.estimatedBytes)}`);
  await printHeapProfile(io, r.file, req.top, ctx.line);
  return exitFor(ctx);
}

export async function snapshot(ctx: CaptureContext): Promise<number> {
  const { io, req } = ctx;
  await ctx.target.resume();
  await waitForLaunched(ctx);
  const r = await ctx.watch(takeHeapSnapshot(ctx.target.session, { out: outFile(ctx, 'heapsnapshot'), force: req.force }));
  io.out(`${rel(io, r.file)}: ${formatBytes(r.bytes)} in ${formatDuration(r.durationMs)}`);
  await printSnapshot(io, r.file, req.top, ctx.line);
  return exitFor(ctx);
}

export async function monitor(ctx: CaptureContext): Promise<number> {
  const { io, req } = ctx;
  const r = await ctx.watch(captureMonitor(ctx.target.session, {
    out: outFile(ctx, 'json', 'monitor'), durationMs: req.durationMs, intervalMs: req.monitorIntervalMs, targetLabel: ctx.target.description, onStarted: onStarted(ctx),
  }));
  io.out(`${rel(io, r.file!)}: ${formatCount(r.samples.length)} samples`);
  io.out(processLines(r.summary, r.resolutionMs).join('\n'));
  return exitFor(ctx);
}

export async function leaks(ctx: CaptureContext): Promise<number> {
  const { io, req, target } = ctx;
  const { mode, rounds, action, warmup } = req.leaks!;
  await target.resume();
  await waitForLaunched(ctx);
  const dir = path.resolve(io.cwd, req.out ?? defaultCaptureName('leaks', target.pid, '').replace(/\.$/, ''));
  if (req.under) {
    const miss = await loadMissesTarget({ config: req.under.config, profile: req.under.profile, targetPid: target.pid, targetDescription: target.description, inspector: target.session.target });
    if (miss) ctx.line.log('warn', miss);
  }
  const r = await ctx.watch(findLeaks(target.session, { dir, mode, rounds, action, warmup, fullRetainerPaths: req.fullPaths, force: req.force }));
  io.out(`${rel(io, r.file)}: ${r.action}, ${formatCount(r.operations)} operations (${r.mode})${r.responses ? `; responses: ${formatTally(r.responses)}` : ''}`);
  io.out(r.summary.join('\n'));
  return exitFor(ctx);
}

/** `--under PROFILE` with cpu, heap or monitor: the load run's report decides the exit code, as `perflab run`'s does. */
export async function underLoad(ctx: CaptureContext): Promise<number> {
  const { io, req, target } = ctx;
  const under = req.under!;
  const handle = profileUnderLoad(target.session, {
    ...under,
    trusted: true,
    targetPid: target.pid,
    targetDescription: target.description,
    cpu: req.kind === 'cpu' ? { intervalUs: req.cpuIntervalUs } : false,
    ...(req.kind === 'monitor' && req.monitorIntervalMs !== undefined ? { monitor: { intervalMs: req.monitorIntervalMs } } : {}),
    heap: req.kind === 'heap' ? { samplingIntervalBytes: req.heapIntervalBytes, live: req.liveOnly } : req.withHeap,
    onRun: (run) => {
      const live = attachRunLine(run.handle, ctx.line, io.isTTY);
      void run.record.finally(() => live.stop());
    },
  });
  // Listening first: the warnings about the load come before anything is captured.
  const done = ctx.watch(handle, false);
  await target.resume();
  const result = await done;
  const r = result.record;
  // The run's own report, verdicts included, as `perflab run` prints it.
  io.out(textReport(r));
  io.out(`\nsaved in ${rel(io, result.runDir)}: ${r.artifacts.map((a) => a.file).join(', ')}`);
  if (result.spikes.length) io.out(spikeLines(io, result.spikes, result.spikesFile).join('\n'));
  if (result.cpu) {
    io.out(`\nCPU profile: ${samplingLine(result.cpu)}`);
    await printCpu(io, result.cpu.file, req.top, ctx.line);
  }
  if (result.heap) {
    io.out(`\nHeap sampling: ${heapSamplingScope(result.heap.live)}`);
    await printHeapProfile(io, result.heap.file, req.top, ctx.line);
  }
  return exitFor(ctx, runExitCode(r, result.errorCode));
}
