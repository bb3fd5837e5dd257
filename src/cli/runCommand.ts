import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ProcessRef } from '../core/config';
import { junitReport } from '../core/report/junit';
import { markdownReport } from '../core/report/markdown';
import { textReport } from '../core/report/text';
import { BaselineError, recordComparison, resolveRuns } from '../core/compare/baseline';
import type { ComparedRun } from '../core/compare/compare';
import { settingsWith } from '../core/compare/rules';
import { formatCount, formatMs } from '../core/format';
import type { RunRecord } from '../core/runRecord';
import type { RunStore } from '../core/runStore';
import { type ProfileRun, runProfile } from '../runners/runProfile';
import type { RunnerError } from '../runners/types';
import { configName, loadProfileConfig, runStoreFor } from './configCommands';
import { CliError, type CliIO, ExitCode, runExitCode, toCliError } from './exit';
import { attachRunLine, LiveLine } from './liveLine';

export interface RunOptions {
  config?: string;
  json?: string;
  junit?: string;
  markdown?: string;
  /** Where run records go, relative to the current directory; default `.perflab/runs` next to the config. */
  runsDir?: string;
  /** `--attach PID`: the Node process to sample during this run, instead of the config's. */
  attach?: string;
  /** `--baseline latest|saved|RUN|FILE`: compare the run with these runs (src/core/compare/baseline.ts). */
  baseline?: string;
  /** `--repeat N`: run the profile N times and compare the N results as one set. */
  repeat?: string;
  /** `--agents N`: run an http profile from N load agents (`perflab agent`). */
  agents?: string;
}

/** The most agents one run splits its load across. */
const MAX_AGENTS = 64;

/** At most this many repeats: a set of a hundred runs says all a comparison can. */
const MAX_REPEAT = 100;

/**
 * `perflab run <profile>`: runs it with a live line, prints the result table, writes the run
 * record and the requested reports. With `--repeat N` it runs N times (one line per run, the full
 * report of the last); with `--baseline` it compares the run (or the N runs) with the baseline and
 * fails on a regression. Ctrl-C stops the run and saves what was measured, marked cancelled; a
 * second Ctrl-C exits at once.
 */
export async function runCommand(io: CliIO, profileName: string | undefined, opts: RunOptions): Promise<number> {
  const attach = opts.attach !== undefined ? attachPid(opts.attach) : undefined;
  const repeat = opts.repeat !== undefined ? repeatCount(opts.repeat) : 1;
  const agents = opts.agents !== undefined ? agentCount(opts.agents) : undefined;
  // With --attach the profile's process metrics are measurable whatever the config names.
  const { file, config, profile } = await loadProfileConfig(io, opts.config, profileName, attach && profileName ? { processNamedFor: profileName } : {});
  const configDir = path.dirname(file);
  const store = runStoreFor(io, file, opts.runsDir);
  // Found before the run, so `latest` is never the run itself.
  const baseline = opts.baseline !== undefined ? await baselineRuns(store, opts.baseline, io.cwd, profile) : undefined;

  const records: RunRecord[] = [];
  let errorCode: RunnerError['code'] | undefined;
  for (let index = 1; index <= repeat; index++) {
    let run;
    try {
      run = runProfile({
        config, profile, configDir, configName: configName(io, file), store, trusted: true,
        ...(attach ? { attach } : {}),
        ...(agents !== undefined ? { agents } : {}),
        ...(repeat > 1 ? { repeat: { ...(records[0] ? { group: records[0].id } : {}), index, of: repeat } } : {}),
      });
    } catch (err) {
      throw toCliError(err) ?? err;
    }
    const record = await follow(io, run, repeat > 1 ? `run ${index}/${repeat}: ` : '');
    errorCode = run.errorCode;
    records.push(record);
    if (repeat > 1) io.out(repeatLine(record, index, repeat));
    if (record.status !== 'completed') break;
  }

  let record = records[records.length - 1]!;
  if (baseline && records.every((r) => r.status === 'completed')) {
    const settings = config.profiles[profile]!.regressions ?? settingsWith();
    try {
      record = (await recordComparison(store, records, baseline, settings)).record;
    } catch (err) {
      throw new CliError(`cannot compare with the baseline: ${(err as Error).message}`, ExitCode.runtime);
    }
  }

  io.out(textReport(record));
  io.out(`\nrun record: ${path.relative(io.cwd, path.join(store.runDir(record.id), 'run.json'))}`);
  await writeOutputs(io, record, opts);
  return runExitCode(record, errorCode);
}

/** The record as JSON, JUnit and Markdown where the flags ask, relative to the current directory. */
export async function writeOutputs(io: CliIO, record: RunRecord, opts: Pick<RunOptions, 'json' | 'junit' | 'markdown'>): Promise<void> {
  const outputs: [string | undefined, () => string][] = [
    [opts.json, () => JSON.stringify(record, null, 2) + '\n'],
    [opts.junit, () => junitReport(record)],
    [opts.markdown, () => markdownReport(record)],
  ];
  for (const [target, text] of outputs) {
    if (target) await writeFile(path.resolve(io.cwd, target), text());
  }
}

/** One run with its live line; Ctrl-C cancels it (a second one exits at once). */
export async function follow(io: CliIO, run: ProfileRun, label: string): Promise<RunRecord> {
  const line = new LiveLine(io);
  const live = attachRunLine(run.handle, line, io.isTTY, label);
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(ExitCode.cancelled);
    interrupted = true;
    line.log('info', 'Stopping: saving what was measured so far (Ctrl-C again to quit at once)…');
    run.handle.cancel();
  };
  process.on('SIGINT', onSigint);
  try {
    return await run.record;
  } finally {
    live.stop();
    line.clear();
    process.off('SIGINT', onSigint);
  }
}

/** `run 2/5: completed, 525 requests, p50 2.42 ms, p99 8.01 ms — 20261202T…`. */
function repeatLine(record: RunRecord, index: number, of: number): string {
  const o = record.overall;
  const figures = o ? `, ${formatCount(o.count)} ${o.count === 1 ? 'operation' : 'operations'}, p50 ${formatMs(o.latency.p50)}, p99 ${formatMs(o.latency.p99)}` : '';
  return `run ${index}/${of}: ${record.status}${figures} — ${record.id}`;
}

async function baselineRuns(store: RunStore, ref: string, cwd: string, profile: string): Promise<ComparedRun[]> {
  try {
    return await resolveRuns(store, ref, cwd, profile);
  } catch (err) {
    if (err instanceof BaselineError) throw new CliError(`--baseline ${ref}: ${err.message}`, ExitCode.usage);
    throw new CliError(`--baseline ${ref}: ${(err as Error).message}`, ExitCode.usage);
  }
}

function repeatCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_REPEAT) throw new CliError(`--repeat ${text} is not a count of runs; give 1 to ${MAX_REPEAT} (5 is a good start)`, ExitCode.usage);
  return n;
}

function agentCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_AGENTS) throw new CliError(`--agents ${text} is not a count of load agents; give 1 to ${MAX_AGENTS}`, ExitCode.usage);
  return n;
}

function attachPid(text: string): ProcessRef {
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid < 1) throw new CliError(`--attach ${text} is not a process id; give the pid of a local Node process (see \`perflab profile list\`)`, ExitCode.usage);
  return { pid };
}
