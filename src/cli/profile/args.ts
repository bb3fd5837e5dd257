/**
 * The arguments of `perflab profile`: parsed and checked before anything is attached, so a typo
 * is a usage error (exit 2) that names the flag and the fix, never a half-done capture.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration, type PerfLabConfig } from '../../core/config';
import type { RunStore } from '../../core/runStore';
import type { AttachSpec } from '../../runners/profiler/attach';
import { parseInspectorAddress } from '../../runners/profiler/endpoint';
import { httpRepeatAction, type LeakAction, type LeakMode } from '../../runners/profiler/leaks';
import { loadProfileAction } from '../../runners/profiler/underLoad';
import { configName, loadProfileConfig, runStoreFor } from '../configCommands';
import { CliError, type CliIO, ExitCode } from '../exit';
import { booleanFlags, stringFlags } from '../flags';

export const PROFILE_USAGE = `Usage:
  perflab profile <cpu|heap|snapshot|monitor|leaks> (--pid PID | --inspect [HOST:]PORT | -- COMMAND ARGS...)
                  [--duration 10s] [--interval 1ms] [--out FILE] [--under PROFILE [--config FILE] [--runs-dir DIR]]
                  [--live] [--with-heap] [--mode snapshots|sampling] [--rounds N] [--full-paths] [--force] [--top N]
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
  event-loop lag spikes are attributed to code, and the run's findings name what is wrong
  (perflab diagnose). --with-heap (cpu only) also samples allocations, so the findings name the
  allocators. A redis or bullmq profile never reaches the
  process (it runs in PerfLab's own): PerfLab warns before capturing.`;

const DEFAULT_DURATION_MS = 10_000;
export const CAPTURE_KINDS = ['cpu', 'heap', 'snapshot', 'monitor', 'leaks', 'list'] as const;
export type CaptureKind = (typeof CAPTURE_KINDS)[number];

/** What to capture, from whom, and how: everything the command needs, checked. */
export interface ProfileRequest {
  kind: Exclude<CaptureKind, 'list'>;
  spec: AttachSpec;
  /** Absent for a launched command without --duration: captured until it exits. */
  durationMs?: number;
  top: number;
  /** `--out` as given (a file, or a folder for leaks). */
  out?: string;
  /** --interval: µs for cpu, bytes for heap, ms for monitor. */
  cpuIntervalUs?: number;
  heapIntervalBytes?: number;
  monitorIntervalMs?: number;
  liveOnly: boolean;
  /** `cpu --under --with-heap`: heap sampling beside the CPU profile (what `perflab diagnose --pid` captures). */
  withHeap: boolean;
  force: boolean;
  fullPaths: boolean;
  /** --under PROFILE, with its config loaded. */
  under?: UnderConfig & { profile: string };
  leaks?: { mode: LeakMode; rounds?: number; action: LeakAction; warmup?: LeakAction };
}

/** `perflab profile list [--json]`, `--help`, or a capture. */
export type ProfileArgs = { help: true } | { list: true; json: boolean } | ProfileRequest;

export async function parseProfileArgs(io: CliIO, args: string[]): Promise<ProfileArgs> {
  const dash = args.indexOf('--');
  const command = dash >= 0 ? args.slice(dash + 1) : [];
  const { values, positionals } = parseArgs({
    args: dash >= 0 ? args.slice(0, dash) : args,
    options: {
      ...stringFlags('pid', 'inspect', 'duration', 'interval', 'out', 'under', 'config', 'runs-dir', 'mode', 'request', 'body', 'repeat', 'concurrency', 'rounds', 'top'),
      ...booleanFlags('json', 'live', 'full-paths', 'force', 'with-heap'),
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return { help: true };
  const kind = positionals[0] as CaptureKind | undefined;
  if (!kind || !CAPTURE_KINDS.includes(kind)) usage(kind ? `unknown capture "${kind}"` : 'say what to capture');
  if (positionals.length > 1) usage(`unexpected argument "${positionals[1]}" (a command to launch goes after --)`);
  if (kind === 'list') return { list: true, json: values.json ?? false };

  const targets = [values.pid !== undefined, values.inspect !== undefined, command.length > 0].filter(Boolean).length;
  if (targets !== 1) usage(targets ? 'give only one of --pid, --inspect and -- COMMAND' : 'say which process: --pid PID, --inspect HOST:PORT, or -- COMMAND ARGS');
  const spec = attachSpec(values.pid, values.inspect, command, io);
  if (values.under !== undefined && kind === 'snapshot') usage('--under works with cpu, heap, monitor and leaks');
  if (values.live && kind !== 'heap') usage('--live works with heap only (leaks --mode sampling always looks at live objects)');
  if (values['with-heap'] && (kind !== 'cpu' || values.under === undefined)) usage('--with-heap works with cpu --under PROFILE only (it samples allocations beside the CPU profile)');
  if (values['full-paths'] && kind !== 'leaks') usage('--full-paths works with leaks only');
  if (values.force && kind !== 'snapshot' && kind !== 'leaks') usage('--force works with snapshot and leaks (their heap snapshots) only');
  const interval = values.interval;
  // The flags first, then the config: a typo in a flag is reported before the config is read.
  const durationMs = values.duration !== undefined ? duration(values.duration, '--duration') : spec.kind === 'launch' ? undefined : DEFAULT_DURATION_MS;
  const top = values.top !== undefined ? positiveInt(values.top, '--top') : 10;
  const intervals = {
    ...(interval !== undefined && kind === 'cpu' ? { cpuIntervalUs: intervalUs(interval) } : {}),
    ...(interval !== undefined && kind === 'heap' ? { heapIntervalBytes: positiveInt(interval, '--interval') } : {}),
    ...(interval !== undefined && kind === 'monitor' ? { monitorIntervalMs: duration(interval, '--interval') } : {}),
  };
  const under = values.under !== undefined ? { ...(await loadUnder(io, values.under, values.config, values['runs-dir'])), profile: values.under } : undefined;
  return {
    kind,
    spec,
    ...(durationMs !== undefined ? { durationMs } : {}),
    top,
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...intervals,
    liveOnly: values.live ?? false,
    withHeap: values['with-heap'] ?? false,
    force: values.force ?? false,
    fullPaths: values['full-paths'] ?? false,
    ...(under ? { under } : {}),
    ...(kind === 'leaks' ? { leaks: leakOptions(values, under) } : {}),
  };
}

export function usage(message: string): never {
  throw new CliError(`${message}\n\n${PROFILE_USAGE}`, ExitCode.usage);
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

export interface UnderConfig {
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

function leakOptions(values: Record<string, string | boolean | undefined>, under: UnderConfig | undefined): NonNullable<ProfileRequest['leaks']> {
  const mode = values.mode ?? 'snapshots';
  if (mode !== 'snapshots' && mode !== 'sampling') usage(`--mode ${String(mode)}: use snapshots or sampling`);
  const rounds = values.rounds !== undefined ? positiveInt(String(values.rounds), '--rounds') : undefined;
  const how = { mode: mode as LeakMode, ...(rounds !== undefined ? { rounds } : {}) };
  if (under) {
    if (values.request !== undefined) usage('give either --under PROFILE or --request, not both');
    return { ...how, action: loadProfileAction({ ...under, profile: String(values.under), trusted: true }) };
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
  return { ...how, action: make(repeats), warmup: make(Math.max(1, Math.round(repeats / 10))) };
}

