/**
 * The `perflab` command line. It drives the same VS Code-free core and runners as the extension;
 * exit codes: 0 pass, 1 a threshold or comparison failed, 2 usage or config error, 3 runtime error,
 * 130 stopped with Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { perflabVersion } from './core/environment';
import { initCommand, validateCommand } from './cli/configCommands';
import { demoCommand } from './cli/demoCommand';
import { analyzeCommand } from './cli/analyzeCommand';
import { CAPACITY_HELP, capacityCommand } from './cli/capacityCommand';
import { baselineCommand, compareCommand } from './cli/compareCommand';
import { profileCommand } from './cli/profileCommand';
import { reportCommand } from './cli/reportCommand';
import { diagnoseCommand } from './cli/diagnoseCommand';
import { runCommand } from './cli/runCommand';
import { agentCommand } from './cli/agentCommand';
import { CliError, type CliIO, ExitCode, toCliError } from './cli/exit';
import { booleanFlags, stringFlags } from './cli/flags';
import { DEBUG_ENV, describeUnexpected } from './runners/unexpected';

const HELP = `perflab — load tests, Redis and BullMQ benchmarks, thresholds and profiling for your Node.js stack

Usage:
  perflab init [--config FILE] [--force]   write a starter perflab.config.json for the demo stack
  perflab validate [--config FILE]         check the config; prints file:line:col problems, exit 2 if any
  perflab run <profile> [--config FILE] [--json FILE] [--junit FILE] [--markdown FILE] [--runs-dir DIR] [--attach PID]
                 [--baseline latest|saved|RUN|FILE] [--repeat N] [--agents N]
                                           run a profile, check its thresholds, save the run record;
                                           --attach samples that Node process during the run;
                                           --baseline compares with earlier runs (exit 1 on a regression);
                                           --repeat runs it N times and compares the N results as one set;
                                           --agents splits an http profile's load across N load agents
  perflab agent [--redis URL] [--name NAME] [--capacity RATE] [--allow-hosts HOST,…]
                                           a load agent for distributed runs: takes shards from BullMQ on
                                           that Redis (default redis://127.0.0.1:6379; password from
                                           PERFLAB_REDIS_PASSWORD) until Ctrl-C
  perflab compare <BASELINE> <RUN> [--json] [--markdown FILE] [--junit FILE] [--config FILE] [--runs-dir DIR]
                                           the change of every metric with its 95% interval and a verdict
  perflab capacity <profile> [--max-rate N] [--start-rate N] [--step 10s] [--precision 5%] [--config FILE] [--runs-dir DIR]
                 [--json FILE] [--markdown FILE] [--junit FILE]
                                           the highest arrival rate that meets every threshold of the profile
                                           (steps the rate up, then bisects; perflab capacity --help for more)
  perflab diagnose <RUN|latest> [--json] [--markdown FILE] [--runs-dir DIR]
                                           what the run's evidence says is wrong, ranked, with the figures
                                           and a next step (exit 1 when a finding is above info)
  perflab baseline [<RUN> | --clear PROFILE] [--runs-dir DIR]
                                           set the run as its profile's saved baseline (--baseline saved); list them
  perflab profile <cpu|heap|snapshot|monitor|leaks|list> (--pid PID | --inspect HOST:PORT | -- COMMAND)
                 [--duration 10s] [--under PROFILE] [--out FILE]   (perflab profile --help for more)
  perflab analyze <FILE.cpuprofile|.heapprofile|.heapsnapshot> [--top N] [--json]
  perflab report <RUN-ID|RUN-FOLDER|FILE.cpuprofile> --html OUT.html [--runs-dir DIR] [--diff BEFORE.cpuprofile]
                                           the run page or the flame graph as one HTML file that opens offline
  perflab demo [--port N] [--redis-port N | --redis-url URL] [--hot] [--leak] [--slow PATH:MS,…]
                                           start the demo stack: API on 3000, its own redis-server on
                                           6390 (free ports when taken); perflab init targets it
  perflab --version | --help

Exit codes: 0 pass, 1 threshold or comparison failed, 2 usage or config error, 3 runtime error,
130 stopped with Ctrl-C (what was measured is saved, marked cancelled).`;

type Handler = (io: CliIO, args: string[]) => Promise<number>;

const commands: Record<string, Handler> = {
  init: (io, args) => {
    const { values } = parseArgs({ args, options: { config: { type: 'string' }, force: { type: 'boolean' } }, strict: true });
    return initCommand(io, values);
  },
  validate: (io, args) => {
    const { values } = parseArgs({ args, options: { config: { type: 'string' } }, strict: true });
    return validateCommand(io, values);
  },
  run: (io, args) => {
    const { values, positionals } = parseArgs({
      args,
      options: stringFlags('config', 'json', 'junit', 'markdown', 'runs-dir', 'attach', 'baseline', 'repeat', 'agents'),
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 1) throw new CliError(`run takes one profile, got ${positionals.join(', ')}`, ExitCode.usage);
    return runCommand(io, positionals[0], { ...values, runsDir: values['runs-dir'] });
  },
  agent: (io, args) => {
    const { values } = parseArgs({ args, options: stringFlags('redis', 'name', 'capacity', 'allow-hosts'), strict: true });
    return agentCommand(io, { ...values, allowHosts: values['allow-hosts'] });
  },
  profile: (io, args) => profileCommand(io, args),
  analyze: (io, args) => analyzeCommand(io, args),
  report: (io, args) => reportCommand(io, args),
  compare: (io, args) => compareCommand(io, args),
  diagnose: (io, args) => diagnoseCommand(io, args),
  capacity: (io, args) => {
    if (args.includes('--help') || args.includes('-h')) {
      io.out(CAPACITY_HELP);
      return Promise.resolve(ExitCode.pass);
    }
    return capacityCommand(io, args);
  },
  baseline: (io, args) => baselineCommand(io, args),
  demo: (io, args) => {
    const { values } = parseArgs({
      args,
      options: { ...stringFlags('redis-url', 'port', 'redis-port', 'slow'), ...booleanFlags('hot', 'leak') },
      strict: true,
    });
    // Only an explicit --redis-url points the demo at another Redis: a REDIS_URL in the
    // environment often names the developer's own, which the demo's benchmarks must not load.
    return demoCommand(io, {
      redisUrl: values['redis-url'],
      port: portOption(values.port, '--port'),
      redisPort: portOption(values['redis-port'], '--redis-port'),
      hot: values.hot ?? false,
      leak: values.leak ?? false,
      ...(values.slow !== undefined ? { slow: values.slow } : {}),
    });
  },
};

function portOption(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!(value.trim() !== '' && Number.isInteger(port) && port >= 0 && port < 65536)) {
    throw new CliError(`${option} ${value} is not a port number; give 0–65535 (0 picks a free port)`, ExitCode.usage);
  }
  return port;
}

/**
 * A bug of PerfLab, as one line with where it happened (the full stack with PERFLAB_DEBUG=1):
 * bad input never gets here, it has its own message.
 */
function internalError(err: unknown): string {
  const line = describeUnexpected(err);
  return process.env[DEBUG_ENV] ? `internal error: ${line}` : `internal error: ${line} — please report this (${DEBUG_ENV}=1 prints the whole stack)`;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP);
    return name ? ExitCode.pass : ExitCode.usage;
  }
  if (name === '--version' || name === '-v') {
    io.out(perflabVersion);
    return ExitCode.pass;
  }
  const handler = commands[name];
  if (!handler) {
    io.err(`perflab: unknown command "${name}"\n\n${HELP}`);
    return ExitCode.usage;
  }
  try {
    return await handler(io, rest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`perflab ${name}: ${(err as Error).message}\n\n${HELP}`);
      return ExitCode.usage;
    }
    const known = toCliError(err);
    if (known) {
      io.err(`perflab ${name}: ${known.message}`);
      return known.exitCode;
    }
    io.err(`perflab ${name}: ${internalError(err)}`);
    return ExitCode.runtime;
  }
}

if (typeof require !== 'undefined' && require.main === module) {
  // `perflab analyze … --json | head` closes the pipe early: that is no error of ours. Stop
  // writing to the closed stream and let the command end as it would (cleanup included).
  const closed = { out: false, err: false };
  const onWriteError = (stream: 'out' | 'err') => (err: NodeJS.ErrnoException) => {
    closed[stream] = true;
    if (err.code !== 'EPIPE' && stream === 'out' && !closed.err) process.stderr.write(`perflab: cannot write the output: ${err.message}\n`);
  };
  process.stdout.on('error', onWriteError('out'));
  process.stderr.on('error', onWriteError('err'));
  const io: CliIO = {
    out: (text) => closed.out || process.stdout.write(text + '\n'),
    err: (text) => closed.err || process.stderr.write(text + '\n'),
    writeErr: (text) => closed.err || process.stderr.write(text),
    cwd: process.cwd(),
    isTTY: Boolean(process.stderr.isTTY),
  };
  void main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
