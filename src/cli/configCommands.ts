import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, Settings } from '../constants';
import { formatProblem, loadConfigFile, quoted, starterConfig, type LoadOptions, type PerfLabConfig } from '../core/config';
import { DEFAULT_DEMO_REDIS_URL, DEFAULT_DEMO_URL, readDemoState } from '../core/demoState';
import { RunStore } from '../core/runStore';
import { CliError, type CliIO, ExitCode } from './exit';

export function resolveConfigPath(io: CliIO, configOption: string | undefined): string {
  return path.resolve(io.cwd, configOption ?? CONFIG_FILE_NAME);
}

/**
 * Where a command keeps run records. `--runs-dir` is relative to the current directory, like
 * every path flag (`--config`, `--json`, `--out`, …); without it, `.perflab/runs` in the config's
 * folder, the workspace the records belong to (as the editor keeps them).
 */
export function runStoreFor(io: CliIO, configFile: string, runsDir: string | undefined): RunStore {
  return new RunStore(runsDir !== undefined ? path.resolve(io.cwd, runsDir) : path.join(path.dirname(configFile), Settings.runsDirectory.default));
}

/**
 * `perflab init`: writes the starter config; never overwrites without --force. It targets the demo
 * running in this folder when there is one (its `.perflab/demo.json`), else the demo's default
 * addresses, and says which.
 */
export async function initCommand(io: CliIO, opts: { config?: string; force?: boolean }): Promise<ExitCode> {
  const file = resolveConfigPath(io, opts.config);
  const name = path.relative(io.cwd, file) || file;
  if (existsSync(file) && !opts.force) {
    throw new CliError(`${name} already exists; edit it, or pass --force to replace it with the starter config`, ExitCode.usage);
  }
  const demo = await readDemoState(io.cwd);
  const baseUrl = demo.state?.url ?? DEFAULT_DEMO_URL;
  const redisUrl = demo.state?.redisUrl ?? DEFAULT_DEMO_REDIS_URL;
  await writeFile(file, starterConfig({ baseUrl, redisUrl }));
  io.out(`Wrote ${name} with the profiles smoke, load, stress, spike, endurance, redis-ops and queue-ops.`);
  if (demo.ignored) io.err(`Ignored ${demo.ignored}.`);
  if (demo.state) {
    io.out(`It targets the demo running in this folder (pid ${demo.state.pid}): API ${baseUrl}, Redis ${redisUrl}.`);
    io.out('Next: `npx perflab validate`, then `npx perflab run smoke` or `npx perflab run redis-ops`.');
  } else {
    io.out(`No demo is running in this folder, so it targets the demo's default addresses: API ${baseUrl}, Redis ${redisUrl}.`);
    io.out('Next: start the demo with `npx perflab demo` here (or point targets.api.baseUrl and stack.redis.url at your own service), then `npx perflab validate`.');
  }
  return ExitCode.pass;
}

/** `perflab validate`: prints every problem as file:line:col; exit 2 when any is an error. */
export async function validateCommand(io: CliIO, opts: { config?: string }): Promise<ExitCode> {
  const file = resolveConfigPath(io, opts.config);
  const { config, problems, usable } = await loadConfigFile(file);
  const errors = problems.filter((p) => p.severity !== 'warning');
  for (const p of problems) (p.severity === 'warning' ? io.out : io.err)(formatProblem(p, { relativeTo: io.cwd }));
  if (errors.length) {
    const others = usable && Object.keys(usable.config.profiles);
    const scope = others ? ` (in ${quoteNames(usable.invalidProfiles)}${others.length ? `; ${quoteNames(others)} can still run` : ''})` : '';
    io.err(`${errors.length} error${errors.length === 1 ? '' : 's'} in ${configName(io, file)}${scope}`);
    return ExitCode.usage;
  }
  const names = Object.keys(config?.profiles ?? {});
  io.out(`${configName(io, file)} is valid: ${names.length} profile${names.length === 1 ? '' : 's'} (${names.join(', ')})`);
  return ExitCode.pass;
}

/** The config file as messages name it: relative to the current directory, as the user typed it. */
export function configName(io: CliIO, file: string): string {
  return path.relative(io.cwd, file) || file;
}

/** A loaded config with the profile a command is about to run. */
export interface ProfileConfig {
  file: string;
  config: PerfLabConfig;
  /** The profile, which the config has. */
  profile: string;
}

/**
 * Loads the config for running `profile` (perflab run, profile --under), printing its problems.
 * Errors inside other profiles do not block it: they are printed as warnings, since those
 * profiles are left out. Errors in the profile itself, or outside the profiles, are a usage error.
 */
export async function loadProfileConfig(io: CliIO, configOption: string | undefined, profile: string | undefined, options: LoadOptions = {}): Promise<ProfileConfig> {
  const file = resolveConfigPath(io, configOption);
  const { config, problems, usable } = await loadConfigFile(file, options);
  const runnable = config ?? usable?.config;
  const elsewhere = (p: (typeof problems)[number]) => !config && runnable !== undefined && p.severity === 'error' && p.profile !== profile;
  const blocking = problems.filter((p) => p.severity === 'error' && !elsewhere(p));
  for (const p of problems) io.err(formatProblem(elsewhere(p) ? { ...p, severity: 'warning' } : p, { relativeTo: io.cwd }));
  if (!runnable || blocking.length) throw new CliError(`fix the config first (${blocking.length} error${blocking.length === 1 ? '' : 's'})`, ExitCode.usage);
  const names = Object.keys(runnable.profiles);
  if (!profile) throw new CliError(`name a profile to run: ${names.join(', ') || '(the config has none)'}`, ExitCode.usage);
  if (!Object.hasOwn(runnable.profiles, profile)) {
    throw new CliError(`no profile ${quoted(profile)} in ${configName(io, file)}; it has ${names.join(', ') || 'none'}`, ExitCode.usage);
  }
  if (usable?.invalidProfiles.length) {
    io.err(`warning: ${quoteNames(usable.invalidProfiles)} cannot run until ${usable.invalidProfiles.length === 1 ? 'its errors are' : 'their errors are'} fixed; running ${quoted(profile)}`);
  }
  return { file, config: runnable, profile };
}

function quoteNames(names: readonly string[]): string {
  const shown = names.slice(0, 6).map((n) => quoted(n)).join(', ');
  return `${names.length === 1 ? 'profile' : 'profiles'} ${shown}${names.length > 6 ? `, … (${names.length - 6} more)` : ''}`;
}
