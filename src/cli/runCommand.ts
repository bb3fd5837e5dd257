import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ProcessRef } from '../core/config';
import { junitReport } from '../core/report/junit';
import { markdownReport } from '../core/report/markdown';
import { textReport } from '../core/report/text';
import { runProfile } from '../runners/runProfile';
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
}

/**
 * `perflab run <profile>`: runs it with a live line, prints the result table, writes the run
 * record and the requested reports. Ctrl-C stops the run and saves what was measured, marked
 * cancelled; a second Ctrl-C exits at once.
 */
export async function runCommand(io: CliIO, profileName: string | undefined, opts: RunOptions): Promise<number> {
  const attach = opts.attach !== undefined ? attachPid(opts.attach) : undefined;
  // With --attach the profile's process metrics are measurable whatever the config names.
  const { file, config, profile } = await loadProfileConfig(io, opts.config, profileName, attach && profileName ? { processNamedFor: profileName } : {});
  const configDir = path.dirname(file);
  const store = runStoreFor(io, file, opts.runsDir);
  let run;
  try {
    run = runProfile({ config, profile, configDir, configName: configName(io, file), store, trusted: true, ...(attach ? { attach } : {}) });
  } catch (err) {
    throw toCliError(err) ?? err;
  }

  const line = new LiveLine(io);
  const live = attachRunLine(run.handle, line, io.isTTY);
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(ExitCode.cancelled);
    interrupted = true;
    line.log('info', 'Stopping: saving what was measured so far (Ctrl-C again to quit at once)…');
    run.handle.cancel();
  };
  process.on('SIGINT', onSigint);
  let record;
  try {
    record = await run.record;
  } finally {
    live.stop();
    process.off('SIGINT', onSigint);
  }

  io.out(textReport(record));
  io.out(`\nrun record: ${path.relative(io.cwd, path.join(store.runDir(record.id), 'run.json'))}`);
  const outputs: [string | undefined, string][] = [
    [opts.json, JSON.stringify(record, null, 2) + '\n'],
    [opts.junit, junitReport(record)],
    [opts.markdown, markdownReport(record)],
  ];
  for (const [target, text] of outputs) {
    if (target) await writeFile(path.resolve(io.cwd, target), text);
  }

  return runExitCode(record, run.errorCode);
}

function attachPid(text: string): ProcessRef {
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid < 1) throw new CliError(`--attach ${text} is not a process id; give the pid of a local Node process (see \`perflab profile list\`)`, ExitCode.usage);
  return { pid };
}
