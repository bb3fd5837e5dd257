/**
 * `perflab diagnose <RUN>`: the ranked findings of a recorded run, each with its evidence and a
 * next step, computed again from the run's folder (its record, process timeline, stack series and
 * the captures of a run profiled under load) — what the run printed at its end, and what a run
 * recorded before the diagnosis existed never had. Read-only: the run's files stay as they are.
 * Exit 0 when no finding is above info, 1 when one is, 2 for usage or an unreadable run.
 */
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { BaselineError, resolveRuns } from '../core/compare/baseline';
import type { Diagnosis } from '../core/diagnosis';
import { diagnosisMarkdown, diagnosisTextLines } from '../core/report/diagnosis';
import { markdownProse } from '../core/report/markdown';
import { diagnoseParts, readDiagnosisParts } from '../runners/diagnose';
import { RUN_FILE } from '../core/runStore';
import { resolveConfigPath, runStoreFor } from './configCommands';
import { profileCommand } from './profileCommand';
import { CliError, type CliIO, ExitCode } from './exit';

export const DIAGNOSE_USAGE = 'usage: perflab diagnose <RUN|latest> [--json] [--markdown FILE] [--config FILE] [--runs-dir DIR]\n' +
  '       perflab diagnose (--pid PID | --inspect [HOST:]PORT) --under PROFILE [--duration 10s] [--config FILE]\n' +
  '  RUN: a run id, a run folder or its run.json; latest: the newest run in the runs folder\n' +
  '  --pid/--inspect: runs PROFILE against that process with a CPU profile and heap sampling (perflab\n' +
  '  profile cpu --under PROFILE --with-heap), then prints the run and its findings (exit as perflab run)\n' +
  '  exit 0: nothing above info; 1: a warning or critical finding; 2: usage or a run that cannot be read';

export async function diagnoseCommand(io: CliIO, args: string[]): Promise<number> {
  // A live process: the capture that gives the diagnosis the most to read.
  if (args.some((a) => a === '--pid' || a === '--inspect' || a.startsWith('--pid=') || a.startsWith('--inspect=') || a === '--')) {
    if (!args.some((a) => a === '--under' || a.startsWith('--under='))) throw new CliError(`say which load to diagnose the process under: --under PROFILE\n${DIAGNOSE_USAGE}`, ExitCode.usage);
    return profileCommand(io, ['cpu', '--with-heap', ...args]);
  }
  const { values, positionals } = parseArgs({
    args,
    options: {
      json: { type: 'boolean' }, markdown: { type: 'string' },
      config: { type: 'string' }, 'runs-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(DIAGNOSE_USAGE);
    return ExitCode.pass;
  }
  if (positionals.length !== 1) throw new CliError(`diagnose takes one run, got ${positionals.length}\n${DIAGNOSE_USAGE}`, ExitCode.usage);
  const configFile = resolveConfigPath(io, values.config);
  const store = runStoreFor(io, configFile, values['runs-dir']);
  const ref = positionals[0]!;
  let id = ref;
  if (ref === 'latest') {
    const newest = (await store.list()).runs.find((r) => !r.capacity);
    if (!newest) throw new CliError(`no run in ${path.relative(io.cwd, store.root) || store.root} to diagnose: run a profile first (perflab run <profile>)`, ExitCode.usage);
    id = newest.id;
  }
  let group;
  try {
    group = await resolveRuns(store, id, io.cwd);
  } catch (err) {
    if (err instanceof BaselineError) throw new CliError(err.message.replace(', "latest" or "saved"', ' or "latest"'), ExitCode.usage);
    throw new CliError(`cannot read run "${ref}": ${(err as Error).message}`, ExitCode.usage);
  }
  // A run of a repeated set comes with its group: the one named.
  const named = path.basename(path.basename(id) === RUN_FILE ? path.dirname(id) : id);
  const run = group.find((r) => r.record.id === named) ?? group[group.length - 1]!;
  const { record } = run;
  if (record.status === 'failed') throw new CliError(`run ${record.id} failed before it measured anything to diagnose: ${record.error ?? 'see its record'}`, ExitCode.usage);
  const dir = run.dir ?? store.runDir(record.id);
  // Paths in findings relative to the config's folder, as the run showed them.
  const diagnosis: Diagnosis = diagnoseParts(await readDiagnosisParts(record, dir, path.dirname(configFile)));
  io.out(values.json ? JSON.stringify(diagnosis, null, 2) : [`${record.profile} (${record.type}) — run ${record.id}`, ...diagnosisTextLines(diagnosis)].join('\n'));
  if (values.markdown) await writeFile(path.resolve(io.cwd, values.markdown), diagnosisMarkdown(diagnosis, markdownProse).join('\n'));
  return diagnosis.findings.some((f) => f.severity !== 'info') ? ExitCode.failed : ExitCode.pass;
}
