/**
 * `perflab profile cpu|heap|snapshot|leaks|monitor|list`: attach to a Node process (by pid, by
 * inspector address, or by launching a command), capture, save the file, print a short summary.
 * Progress goes to stderr, the summary to stdout. Ctrl-C stops the capture, saves what was
 * captured, detaches and exits 130.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration, type PerfLabConfig } from '../core/config';
import type { RunStore } from '../core/runStore';
import { heapSamplingScope, samplingLine } from '../runners/profiler/analysis/format';
import { attach, type AttachSpec, type AttachedTarget } from '../runners/profiler/attach';
import { defaultCaptureName } from '../runners/profiler/capture';
import { captureCpuProfile } from '../runners/profiler/cpu';
import { parseInspectorAddress } from '../runners/profiler/endpoint';
import { captureHeapProfile } from '../runners/profiler/heap';
import { findLeaks, formatResponses, httpRepeatAction, type LeakAction, type LeakMode } from '../runners/profiler/leaks';
import { processLines } from '../core/report/process';
import { textReport } from '../core/report/text';
import { captureMonitor } from '../runners/profiler/monitor';
import { takeHeapSnapshot } from '../runners/profiler/snapshot';
import { formatBytes, formatCount, formatDuration, formatMs } from '../core/format';
import { type CaptureHandle, ProfilerError } from '../runners/profiler/types';
import { loadMissesTarget, loadProfileAction, profileUnderLoad } from '../runners/profiler/underLoad';
import { RunnerError } from '../runners/types';
import { configName, loadProfileConfig, runStoreFor } from './configCommands';
import { CliError, type CliIO, ExitCode, runExitCode } from './exit';
import { attachRunLine, LiveLine } from './liveLine';
import { listCommand, printCpu, printHeapProfile, printSnapshot, rel, spikeLines } from './profileOutput';

export const PROFILE_USAGE = `Usage:
  perflab profile <cpu|heap|snapshot|monitor|leaks> (--pid PID | --inspect [HOST:]PORT | -- COMMAND ARGS...)
                  [--duration 10s] [--interval 1ms] [--out FILE] [--under PROFILE [--config FILE] [--runs-dir DIR]]
                  [--live] [--mode snapshots|sampling] [--rounds N] [--full-paths] [--force] [--top N]
  perflab profile list [--json]            Node processes on this machine and their inspector ports

  cpu       CPU profile (.cpuprofile); --interval is the sampling interval (default 1ms, e.g. 100us)
  heap      heap sampling profile (.heapprofile) of allocations, including objects already
            collected; --live keeps only objects still alive at the end; --interval is bytes
            between samples (default 32768)
  snapshot  heap snapshot (.heapsnapshot); pauses the target, whose memory grows to about 15x its
            heap in use meanwhile: refused when this machine has not that much available, unless
            --force (leaks takes three snapshots: the same check, the same --force)
  monitor   event loop delay, heap, RSS, CPU and GC timeline (.json); --interval default 500ms
  leaks     three heap snapshots around an action, or --mode sampling (cheaper; --rounds N times
            the action, default 5): the action is --under PROFILE (a load profile), or --request
            "POST http://127.0.0.1:3000/path" [--body JSON] [--repeat 200] [--concurrency 10],
            which fails when more than 10% of its requests fail (the statuses are shown);
            --out names a folder. Retainer paths start with the application's part, Node's
            internal hops summed up before it; --full-paths shows every hop (leaks.json always
            has the whole path)
  list      --json prints the list as JSON (pid, command, cwd, inspector bound and reach address)

  --top N   rows of each table: functions, lines, classes (default 10)
  --pid sends SIGUSR1 to open the inspector and closes it again when done (an inspector that was
  already open is used as is and left open); only a loopback inspector is attached by pid: one
  on 0.0.0.0 is refused, or closed again at once. A command after -- is started with its
  inspector on a free port and stopped afterwards. Without --duration a launched command is
  captured until it exits (or Ctrl-C).
  --under PROFILE runs that load profile from the config while capturing (cpu, heap, monitor):
  the run's report and threshold verdicts are printed and set the exit code as \`perflab run\`
  does (1 a threshold failed, 3 the run failed); the captures are saved with the run record, and
  event-loop lag spikes are attributed to code. A redis or bullmq profile never reaches the
  process (it runs in PerfLab's own): PerfLab warns before capturing.`;

const DEFAULT_DURATION_MS = 10_000;
const KINDS = ['cpu', 'heap', 'snapshot', 'monitor', 'leaks', 'list'] as const;
type Kind = (typeof KINDS)[number];

export async function profileCommand(io: CliIO, args: string[]): Promise<number> {
  const dash = args.indexOf('--');
  const command = dash >= 0 ? args.slice(dash + 1) : [];
  const { values, positionals } = parseArgs({
    args: dash >= 0 ? args.slice(0, dash) : args,
    options: {
      pid: { type: 'string' },
      inspect: { type: 'string' },
      duration: { type: 'string' },
      interval: { type: 'string' },
      out: { type: 'string' },
      under: { type: 'string' },
      config: { type: 'string' },
      'runs-dir': { type: 'string' },
      mode: { type: 'string' },
      request: { type: 'string' },
      body: { type: 'string' },
      repeat: { type: 'string' },
      concurrency: { type: 'string' },
      rounds: { type: 'string' },
      top: { type: 'string' },
      json: { type: 'boolean' },
      live: { type: 'boolean' },
      'full-paths': { type: 'boolean' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(PROFILE_USAGE);
    return ExitCode.pass;
  }
  const kind = positionals[0] as Kind | undefined;
  if (!kind || !KINDS.includes(kind)) usage(kind ? `unknown capture "${kind}"` : 'say what to capture');
  if (positionals.length > 1) usage(`unexpected argument "${positionals[1]}" (a command to launch goes after --)`);
  if (kind === 'list') return listCommand(io, values.json ?? false);

  const targets = [values.pid !== undefined, values.inspect !== undefined, command.length > 0].filter(Boolean).length;
  if (targets !== 1) usage(targets ? 'give only one of --pid, --inspect and -- COMMAND' : 'say which process: --pid PID, --inspect HOST:PORT, or -- COMMAND ARGS');
  const spec = attachSpec(values.pid, values.inspect, command, io);
  const durationMs = values.duration !== undefined ? duration(values.duration, '--duration') : spec.kind === 'launch' ? undefined : DEFAULT_DURATION_MS;
  const top = values.top !== undefined ? positiveInt(values.top, '--top') : 10;
  if (values.under !== undefined && kind === 'snapshot') usage('--under works with cpu, heap, monitor and leaks');
  if (values.live && kind !== 'heap') usage('--live works with heap only (leaks --mode sampling always looks at live objects)');
  const liveOnly = values.live ?? false;
  if (values['full-paths'] && kind !== 'leaks') usage('--full-paths works with leaks only');
  if (values.force && kind !== 'snapshot' && kind !== 'leaks') usage('--force works with snapshot and leaks (their heap snapshots) only');
  const force = values.force ?? false;

  const under = values.under !== undefined ? await loadUnder(io, values.under, values.config, values['runs-dir']) : undefined;
  const leakAction = kind === 'leaks' ? leakActionFrom(values, under) : undefined;

  const progress = new LiveLine(io);
  let target: AttachedTarget;
  try {
    target = await attach(spec, { log: (level, message) => progress.log(level, message) });
  } catch (err) {
    throw runtime(err);
  }
  progress.log('info', `attached to ${target.description}`);

  let current: CaptureHandle<unknown> | undefined;
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(ExitCode.cancelled);
    interrupted = true;
    progress.log('info', 'Stopping: saving what was captured (Ctrl-C again to quit at once)…');
    current?.cancel();
  };
  process.on('SIGINT', onSigint);
  const out = (ext: string, name = kind) => path.resolve(io.cwd, values.out ?? defaultCaptureName(name, target.pid, ext));
  const onStarted = () => target.resume();
  try {
    const watch = <T>(handle: CaptureHandle<T>, live = true): Promise<T> => {
      current = handle as CaptureHandle<unknown>;
      if (interrupted) handle.cancel();
      handle.on('log', (l) => progress.log(l.level, l.message));
      if (live) handle.on('progress', (p) => progress.progress(p.phase ?? kind, p.fraction, p.elapsedMs, p.totalMs, p.message));
      return handle.result.finally(() => progress.clear());
    };

    if (under && kind !== 'leaks') {
      const heapBytes = kind === 'heap' && values.interval !== undefined ? positiveInt(values.interval, '--interval') : undefined;
      const handle = profileUnderLoad(target.session, {
        ...under,
        profile: values.under!,
        trusted: true,
        targetPid: target.pid,
        targetDescription: target.description,
        cpu: kind === 'cpu' ? { intervalUs: values.interval !== undefined ? intervalUs(values.interval) : undefined } : false,
        ...(kind === 'monitor' && values.interval !== undefined ? { monitor: { intervalMs: duration(values.interval, '--interval') } } : {}),
        heap: kind === 'heap' ? { samplingIntervalBytes: heapBytes, live: liveOnly } : false,
        onRun: (run) => {
          const live = attachRunLine(run.handle, progress, io.isTTY);
          void run.record.finally(() => live.stop());
        },
      });
      // Listening first: the warnings about the load come before anything is captured.
      const done = watch(handle, false);
      await target.resume();
      const result = await done;
      const r = result.record;
      // The run's own report, verdicts included, as `perflab run` prints it.
      io.out(textReport(r));
      io.out(`\nsaved in ${rel(io, result.runDir)}: ${r.artifacts.map((a) => a.file).join(', ')}`);
      if (result.spikes.length) io.out(spikeLines(io, result.spikes, result.spikesFile).join('\n'));
      if (result.cpu) {
        io.out(`\nCPU profile: ${samplingLine(result.cpu)}`);
        await printCpu(io, result.cpu.file, top, progress);
      }
      if (result.heap) {
        io.out(`\nHeap sampling: ${heapSamplingScope(result.heap.live)}`);
        await printHeapProfile(io, result.heap.file, top, progress);
      }
      return exitFor(interrupted, runExitCode(r, result.errorCode));
    }

    switch (kind) {
      case 'cpu': {
        const r = await watch(captureCpuProfile(target.session, { out: out('cpuprofile'), durationMs, intervalUs: values.interval !== undefined ? intervalUs(values.interval) : undefined, onStarted }));
        io.out(`${rel(io, r.file)}: ${formatDuration(r.wallMs)}, ${samplingLine(r)}, asked every ${formatMs(r.requestedIntervalUs / 1000)}`);
        await printCpu(io, r.file, top, progress);
        return exitFor(interrupted);
      }
      case 'heap': {
        const samplingIntervalBytes = values.interval !== undefined ? positiveInt(values.interval, '--interval') : undefined;
        const r = await watch(captureHeapProfile(target.session, { out: out('heapprofile'), durationMs, samplingIntervalBytes, live: liveOnly, onStarted }));
        io.out(`${rel(io, r.file)}: ${formatDuration(r.durationMs)}, ${formatCount(r.sampleCount)} samples of ${heapSamplingScope(r.live)}, about ${formatBytes(r.estimatedBytes)}`);
        await printHeapProfile(io, r.file, top, progress);
        return exitFor(interrupted);
      }
      case 'snapshot': {
        await target.resume();
        if (spec.kind === 'launch' && durationMs) await waitOrCancel(durationMs, () => interrupted);
        const r = await watch(takeHeapSnapshot(target.session, { out: out('heapsnapshot'), force }));
        io.out(`${rel(io, r.file)}: ${formatBytes(r.bytes)} in ${formatDuration(r.durationMs)}`);
        await printSnapshot(io, r.file, top, progress);
        return exitFor(interrupted);
      }
      case 'monitor': {
        const intervalMs = values.interval !== undefined ? duration(values.interval, '--interval') : undefined;
        const handle = captureMonitor(target.session, { out: out('json', 'monitor'), durationMs, intervalMs, targetLabel: target.description, onStarted });
        const r = await watch(handle);
        io.out(`${rel(io, r.file!)}: ${formatCount(r.samples.length)} samples`);
        io.out(processLines(r.summary, r.resolutionMs).join('\n'));
        return exitFor(interrupted);
      }
      case 'leaks': {
        await target.resume();
        if (spec.kind === 'launch' && durationMs) await waitOrCancel(durationMs, () => interrupted);
        const mode = (values.mode ?? 'snapshots') as LeakMode;
        const dir = path.resolve(io.cwd, values.out ?? defaultCaptureName('leaks', target.pid, '').replace(/\.$/, ''));
        const rounds = values.rounds !== undefined ? positiveInt(values.rounds, '--rounds') : undefined;
        if (under) {
          const miss = await loadMissesTarget({ config: under.config, profile: values.under!, targetPid: target.pid, targetDescription: target.description, inspector: target.session.target });
          if (miss) progress.log('warn', miss);
        }
        const r = await watch(findLeaks(target.session, { dir, mode, rounds, action: leakAction!.action, warmup: leakAction!.warmup, fullRetainerPaths: values['full-paths'], force }));
        io.out(`${rel(io, r.file)}: ${r.action}, ${formatCount(r.operations)} operations (${r.mode})${r.responses ? `; responses: ${formatResponses(r.responses)}` : ''}`);
        io.out(r.summary.join('\n'));
        return exitFor(interrupted);
      }
    }
    return ExitCode.pass;
  } catch (err) {
    progress.clear();
    if (interrupted && err instanceof ProfilerError) {
      io.err(`perflab profile ${kind}: ${err.message}`);
      return ExitCode.cancelled;
    }
    if (interrupted && err instanceof Error && /cancel|abort/i.test(err.message)) return ExitCode.cancelled;
    throw runtime(err);
  } finally {
    process.off('SIGINT', onSigint);
    await target.close();
  }
}

function exitFor(interrupted: boolean, code: number = ExitCode.pass): number {
  return interrupted ? ExitCode.cancelled : code;
}

function usage(message: string): never {
  throw new CliError(`${message}\n\n${PROFILE_USAGE}`, ExitCode.usage);
}

/** ProfilerError and RunnerError are the user's to act on: their message, exit 3. */
function runtime(err: unknown): unknown {
  if (err instanceof CliError) return err;
  if (err instanceof RunnerError) return new CliError(err.message, err.code === 'config' ? ExitCode.usage : ExitCode.runtime);
  if (err instanceof Error && err.name === 'AnalysisError') return new CliError(err.message, ExitCode.runtime);
  return err;
}

function attachSpec(pid: string | undefined, inspect: string | undefined, command: string[], io: CliIO): AttachSpec {
  if (pid !== undefined) return { kind: 'pid', pid: positiveInt(pid, '--pid') };
  if (inspect !== undefined) {
    try {
      const address = parseInspectorAddress(inspect);
      return { kind: 'address', address, namedByUser: inspect.includes(':') };
    } catch (err) {
      usage((err as Error).message);
    }
  }
  return {
    kind: 'launch',
    command: command[0]!,
    args: command.slice(1),
    cwd: io.cwd,
    onOutput: (line) => io.err(`[target] ${line}`),
  };
}

function duration(text: string, flag: string): number {
  try {
    return parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  } catch (err) {
    usage(`${flag} ${text}: ${(err as Error).message}; write e.g. 10s, 500ms or 2m`);
  }
}

/** `1ms`, `0.5ms`, `250us` / `250µs` → µs. */
function intervalUs(text: string): number {
  const us = /^(\d+(?:\.\d+)?)(us|µs)$/.exec(text.trim());
  const value = us ? Number(us[1]) : duration(text, '--interval') * 1_000;
  if (!(value >= 1)) usage(`--interval ${text} is too short; V8 samples at most every microsecond`);
  return value;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) usage(`${flag} ${text} is not a whole number ≥ 1`);
  return n;
}

interface UnderConfig {
  config: PerfLabConfig;
  configDir: string;
  configName: string;
  store: RunStore;
}

async function loadUnder(io: CliIO, profile: string, configOption: string | undefined, runsDir: string | undefined): Promise<UnderConfig> {
  // The profile runs against the attached process, so its process metrics are measurable.
  const { file, config } = await loadProfileConfig(io, configOption, profile, { processNamedFor: profile });
  const configDir = path.dirname(file);
  return { config, configDir, configName: configName(io, file), store: runStoreFor(io, file, runsDir) };
}

function leakActionFrom(values: Record<string, string | boolean | undefined>, under: UnderConfig | undefined): { action: LeakAction; warmup?: LeakAction } {
  const mode = values.mode ?? 'snapshots';
  if (mode !== 'snapshots' && mode !== 'sampling') usage(`--mode ${String(mode)}: use snapshots or sampling`);
  if (under) {
    if (values.request !== undefined) usage('give either --under PROFILE or --request, not both');
    return { action: loadProfileAction({ ...under, profile: String(values.under), trusted: true }) };
  }
  if (typeof values.request !== 'string') usage('leaks needs an action: --under PROFILE or --request "POST http://127.0.0.1:3000/path"');
  const m = /^(?:([A-Za-z]+)\s+)?(\S+)$/.exec(values.request.trim());
  if (!m) usage(`--request "${values.request}": write "METHOD URL", e.g. "POST http://127.0.0.1:3000/messages"`);
  let body: unknown;
  if (typeof values.body === 'string') {
    try {
      body = JSON.parse(values.body);
    } catch {
      body = values.body;
    }
  }
  const repeats = values.repeat !== undefined ? positiveInt(String(values.repeat), '--repeat') : 200;
  const concurrency = values.concurrency !== undefined ? positiveInt(String(values.concurrency), '--concurrency') : 10;
  const make = (n: number) => {
    try {
      return httpRepeatAction({ url: m[2]!, method: m[1] ?? (body !== undefined ? 'POST' : 'GET'), body, repeats: n, concurrency });
    } catch (err) {
      usage((err as Error).message);
    }
  };
  return { action: make(repeats), warmup: make(Math.max(1, Math.round(repeats / 10))) };
}

function waitOrCancel(ms: number, cancelled: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (cancelled() || Date.now() - started >= ms) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
  });
}

