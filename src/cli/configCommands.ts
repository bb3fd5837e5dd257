import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { CONFIG_FILE_NAME } from '../constants';
import { formatProblem, loadConfigFile, starterConfig } from '../core/config';
import { CliError, type CliIO, ExitCode } from './exit';

export function resolveConfigPath(io: CliIO, configOption: string | undefined): string {
  return path.resolve(io.cwd, configOption ?? CONFIG_FILE_NAME);
}

/** `perflab init`: writes the starter config for the demo stack; never overwrites without --force. */
export async function initCommand(io: CliIO, opts: { config?: string; force?: boolean }): Promise<ExitCode> {
  const file = resolveConfigPath(io, opts.config);
  if (existsSync(file) && !opts.force) {
    throw new CliError(`${path.relative(io.cwd, file) || file} already exists; edit it, or pass --force to replace it with the starter config`, ExitCode.usage);
  }
  await writeFile(file, starterConfig());
  io.out(`Wrote ${path.relative(io.cwd, file) || file} with the profiles smoke, load, stress, spike, endurance, redis-ops and queue-ops.`);
  io.out('Next: start the demo stack with `npx perflab demo`, set targets.api.baseUrl to the URL it prints, then `npx perflab validate`.');
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
