/**
 * `perflab capacity <profile>`: the highest arrival rate the profile's target sustains within the
 * profile's thresholds (src/runners/capacity.ts), saved as one run whose steps are its phases.
 * Ctrl-C stops the search and keeps the steps done.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CAPACITY_DEFAULTS, type CapacityPlan } from '../core/capacity';
import { tryParseDuration } from '../core/config/duration';
import { MAX_ARRIVAL_RATE } from '../core/config/limits';
import { textReport } from '../core/report/text';
import { runProfile } from '../runners/runProfile';
import { configName, loadProfileConfig, runStoreFor } from './configCommands';
import { CliError, type CliIO, ExitCode, runExitCode, toCliError } from './exit';
import { stringFlags } from './flags';
import { follow, writeOutputs } from './runCommand';

export const CAPACITY_HELP = `perflab capacity <profile> [--max-rate N] [--start-rate N] [--step 10s] [--precision 5%]
                 [--config FILE] [--runs-dir DIR] [--json FILE] [--markdown FILE] [--junit FILE]

Steps up the arrival rate of an http profile's scenarios (×2 from --start-rate, default ${CAPACITY_DEFAULTS.startRate}/s)
until a step fails, then bisects, and reports the highest rate at which every threshold of the
profile held, no more than 1% of requests failed (unless the profile has its own errors
threshold) and the service kept up (answered at least 95% of the rate offered). Each step holds
its rate for --step. Exit 0 when a rate was found, 1 when even the first failed.

A bullmq profile with "workers": "app" is searched the same way: the rate at which jobs are
added to the app's queue, the highest one the app's workers keep up with (completions at least
95% of it, the queue's backlog not growing) within the profile's e2e thresholds.`;

export async function capacityCommand(io: CliIO, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: stringFlags('config', 'runs-dir', 'json', 'markdown', 'junit', 'max-rate', 'start-rate', 'step', 'precision'),
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new CliError(`capacity takes one profile, got ${positionals.join(', ')}`, ExitCode.usage);
  const plan = planOf(values);
  const { file, config, profile } = await loadProfileConfig(io, values.config, positionals[0]);
  const store = runStoreFor(io, file, values['runs-dir']);
  let run;
  try {
    run = runProfile({ config, profile, configDir: path.dirname(file), configName: configName(io, file), store, trusted: true, capacity: plan });
  } catch (err) {
    throw toCliError(err) ?? err;
  }
  const record = await follow(io, run, '');
  io.out(textReport(record));
  io.out(`\nrun record: ${path.relative(io.cwd, path.join(store.runDir(record.id), 'run.json'))}`);
  await writeOutputs(io, record, values);
  return runExitCode(record, run.errorCode);
}

function planOf(values: Record<string, string | undefined>): CapacityPlan {
  const rate = (flag: string, fallback: number) => {
    const text = values[flag];
    if (text === undefined) return fallback;
    const n = Number(text.replace(/\/s$/, ''));
    if (!(text.trim() !== '' && Number.isFinite(n) && n >= 1 && n <= MAX_ARRIVAL_RATE)) {
      throw new CliError(`--${flag} ${text} is not a rate; give requests per second from 1 to ${MAX_ARRIVAL_RATE}`, ExitCode.usage);
    }
    return Math.round(n);
  };
  const duration = (flag: string, fallback: number, min: number) => {
    const text = values[flag];
    if (text === undefined) return fallback;
    const r = tryParseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
    if (!r.ok) throw new CliError(`--${flag} ${text}: ${r.message}; ${r.hint}`, ExitCode.usage);
    if (r.ms < min) throw new CliError(`--${flag} ${text} is too short to measure a step; give at least ${min / 1000} s`, ExitCode.usage);
    return r.ms;
  };
  const precision = (() => {
    const text = values.precision;
    if (text === undefined) return CAPACITY_DEFAULTS.precision;
    const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim());
    const n = m ? Number(m[1]) / 100 : NaN;
    if (!(n >= 0.01 && n <= 0.5)) throw new CliError(`--precision ${text} is not a share; give a percentage from 1% to 50%, e.g. 5%`, ExitCode.usage);
    return n;
  })();
  const startRate = rate('start-rate', CAPACITY_DEFAULTS.startRate);
  const maxRate = rate('max-rate', Math.max(CAPACITY_DEFAULTS.maxRate, startRate));
  if (startRate > maxRate) throw new CliError(`--start-rate ${startRate} is above --max-rate ${maxRate}`, ExitCode.usage);
  return {
    ...CAPACITY_DEFAULTS,
    startRate,
    maxRate,
    stepMs: duration('step', CAPACITY_DEFAULTS.stepMs, 1_000),
    precision,
  };
}
