/**
 * `perflab compare <BASELINE> <RUN>`: the change of every metric a rule covers, with its 95 %
 * interval and a verdict (exit 1 on a regression), as text, JSON, Markdown or JUnit. The rules are
 * the profile's in the config when there is one, else the defaults. And `perflab baseline`, which
 * saves a run as its profile's baseline (what `--baseline saved` and the editor compare with).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../core/config';
import { BaselineError, historyOf, resolveRuns } from '../core/compare/baseline';
import { type Comparison, compareRuns } from '../core/compare/compare';
import { type RegressionSettings, settingsWith } from '../core/compare/rules';
import { junitReport } from '../core/report/junit';
import { markdownComparison } from '../core/report/markdown';
import { comparisonText } from '../core/report/text';
import type { RunRecord } from '../core/runRecord';
import { RUN_FILE, type RunStore } from '../core/runStore';
import { withCpuGrowers } from '../runners/profiler/cpuGrowth';
import { kindOf } from '../runners/registry';
import { resolveConfigPath, runStoreFor } from './configCommands';
import { CliError, type CliIO, ExitCode } from './exit';

const COMPARE_USAGE = 'usage: perflab compare <BASELINE> <RUN> [--json] [--markdown FILE] [--junit FILE] [--config FILE] [--runs-dir DIR]\n' +
  '  BASELINE and RUN: a run id, a run folder or its run.json; BASELINE may also be "latest" or "saved" (of RUN\'s profile)';

export async function compareCommand(io: CliIO, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      json: { type: 'boolean' }, markdown: { type: 'string' }, junit: { type: 'string' },
      config: { type: 'string' }, 'runs-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(COMPARE_USAGE);
    return ExitCode.pass;
  }
  if (positionals.length !== 2) throw new CliError(`compare takes a baseline and a run, got ${positionals.length}\n${COMPARE_USAGE}`, ExitCode.usage);
  const configFile = resolveConfigPath(io, values.config);
  const store = runStoreFor(io, configFile, values['runs-dir']);
  const [baselineRef, runRef] = positionals as [string, string];
  const current = await resolved(store, runRef, io.cwd);
  const profile = current[0]!.record.profile;
  const baseline = await resolved(store, baselineRef, io.cwd, profile, current.map((r) => r.record.id));

  let comparison: Comparison;
  try {
    comparison = compareRuns(baseline, current, await settingsFor(configFile, values.config !== undefined, profile), await historyOf(store, profile));
  } catch (err) {
    throw new CliError(`cannot compare: ${(err as Error).message}`, ExitCode.usage);
  }
  try {
    comparison = await withCpuGrowers(comparison, baseline, current);
  } catch (err) {
    io.err(`warning: the CPU profiles could not be compared: ${(err as Error).message}`);
  }
  const last = current[current.length - 1]!.record;
  const { rateUnit } = kindOf(last.type).words;
  io.out(values.json ? JSON.stringify(comparison, null, 2) : comparisonText(comparison, rateUnit));
  const compared: RunRecord = { ...last, comparison, pass: last.pass && comparison.pass };
  if (values.markdown) await writeFile(path.resolve(io.cwd, values.markdown), markdownComparison(comparison, rateUnit).join('\n'));
  if (values.junit) await writeFile(path.resolve(io.cwd, values.junit), junitReport(compared));
  return comparison.pass ? ExitCode.pass : ExitCode.failed;
}

const BASELINE_USAGE = 'usage: perflab baseline [<RUN> | --clear PROFILE] [--config FILE] [--runs-dir DIR]';

/** `perflab baseline <RUN>` saves it as its profile's baseline; `--clear PROFILE` forgets one; alone, lists them. */
export async function baselineCommand(io: CliIO, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { clear: { type: 'string' }, config: { type: 'string' }, 'runs-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(BASELINE_USAGE);
    return ExitCode.pass;
  }
  if (positionals.length > 1 || (positionals.length && values.clear !== undefined)) throw new CliError(BASELINE_USAGE, ExitCode.usage);
  const store = runStoreFor(io, resolveConfigPath(io, values.config), values['runs-dir']);
  if (values.clear !== undefined) {
    await store.setBaseline(values.clear, undefined);
    io.out(`profile "${values.clear}" has no saved baseline now`);
    return ExitCode.pass;
  }
  if (positionals.length) {
    const [run] = await resolved(store, positionals[0]!, io.cwd);
    const record = run!.record;
    if (record.status !== 'completed') throw new CliError(`run ${record.id} was ${record.status}: a baseline must be a completed run`, ExitCode.usage);
    if (!existsSync(path.join(store.runDir(record.id), RUN_FILE))) {
      throw new CliError(`run ${record.id} is not in ${store.root}: a saved baseline must be one of its runs (or use --baseline with its folder)`, ExitCode.usage);
    }
    await store.setBaseline(record.profile, record.id);
    io.out(`baseline of "${record.profile}": ${record.id}`);
    return ExitCode.pass;
  }
  const all = Object.entries(await store.baselines());
  io.out(all.length ? all.map(([profile, id]) => `${profile}  ${id}`).join('\n') : 'no saved baselines: set one with `perflab baseline <RUN>`');
  return ExitCode.pass;
}

async function resolved(store: RunStore, ref: string, cwd: string, profile?: string, exclude?: string[]) {
  try {
    return await resolveRuns(store, ref, cwd, profile, exclude);
  } catch (err) {
    if (err instanceof BaselineError) throw new CliError(err.message, ExitCode.usage);
    throw new CliError(`cannot read run "${ref}": ${(err as Error).message}`, ExitCode.usage);
  }
}

/** The profile's rules from the config when it has the profile (an explicit --config must load), else the defaults. */
async function settingsFor(file: string, explicit: boolean, profile: string): Promise<RegressionSettings> {
  if (!existsSync(file)) {
    if (explicit) throw new CliError(`no config at ${file}`, ExitCode.usage);
    return settingsWith();
  }
  const { config, usable } = await loadConfigFile(file);
  const profiles = (config ?? usable?.config)?.profiles ?? {};
  return (Object.hasOwn(profiles, profile) ? profiles[profile]!.regressions : undefined) ?? settingsWith();
}
