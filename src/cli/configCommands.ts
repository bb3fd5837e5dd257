import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { CONFIG_FILE_NAME } from '../constants';
import { formatProblem, loadConfigFile, starterConfig } from '../core/config';
import { DEFAULT_DEMO_REDIS_URL, DEFAULT_DEMO_URL, readDemoState } from '../core/demoState';
import { CliError, type CliIO, ExitCode } from './exit';

export function resolveConfigPath(io: CliIO, configOption: string | undefined): string {
  return path.resolve(io.cwd, configOption ?? CONFIG_FILE_NAME);
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
  const { config, problems } = await loadConfigFile(file);
  const errors = problems.filter((p) => p.severity !== 'warning');
  for (const p of problems) (p.severity === 'warning' ? io.out : io.err)(formatProblem({ ...p, file: path.relative(io.cwd, p.file) || p.file }));
  if (errors.length) {
    io.err(`${errors.length} error${errors.length === 1 ? '' : 's'} in ${path.relative(io.cwd, file) || file}`);
    return ExitCode.usage;
  }
  const names = Object.keys(config?.profiles ?? {});
  io.out(`${path.relative(io.cwd, file) || file} is valid: ${names.length} profile${names.length === 1 ? '' : 's'} (${names.join(', ')})`);
  return ExitCode.pass;
}
