import * as path from 'node:path';
import { CONFIG_FILE_NAME } from '../constants';
import { loadConfigFile } from '../core/config';
import { DEMO_STATE_FILE, demoMismatch, removeDemoState, writeDemoState } from '../core/demoState';
import { portIsFree } from '../runners/redis/localServer';
import { CliError, type CliIO, ExitCode } from './exit';
import { DEMO_DEFAULT_PORTS, startDemo, type DemoHandle } from '../runners/demo';

export interface DemoCommandOptions {
  redisUrl?: string;
  /** Exactly this HTTP port (0: any free one); without it 3000, or a free port when 3000 is taken. */
  port?: number;
  /** The same for the private redis-server, whose default is 6390. */
  redisPort?: number;
  hot: boolean;
  leak: boolean;
  /** `--slow /health:20`: extra delay on paths (the demo's SLOW), to try a comparison with a baseline. */
  slow?: string;
}

/**
 * `perflab demo`: starts the demo stack (and its own redis-server unless one is given), records
 * where it listens in `.perflab/demo.json` for `perflab init`, prints what to try next, and stops
 * both on Ctrl-C.
 */
export async function demoCommand(io: CliIO, opts: DemoCommandOptions): Promise<ExitCode> {
  if (opts.redisUrl && opts.redisPort !== undefined) {
    throw new CliError('--redis-port is the port of the demo\'s own redis-server; it cannot be combined with --redis-url', ExitCode.usage);
  }
  await refuseTakenPort(opts.port, '--port');
  if (!opts.redisUrl) await refuseTakenPort(opts.redisPort, '--redis-port');

  const env: Record<string, string> = {};
  if (opts.hot) env.HOT = '1';
  if (opts.leak) env.LEAK = '1';
  if (opts.slow !== undefined) env.SLOW = opts.slow;
  let handle: DemoHandle;
  try {
    handle = await startDemo({
      redisUrl: opts.redisUrl,
      port: opts.port ?? DEMO_DEFAULT_PORTS.port,
      redisPort: opts.redisPort ?? DEMO_DEFAULT_PORTS.redisPort,
      env,
      log: (line) => io.err(line),
    });
  } catch (err) {
    throw new CliError(`the demo stack did not start: ${(err as Error).message}`, ExitCode.runtime);
  }

  let stateWritten = false;
  try {
    await writeDemoState(io.cwd, { pid: process.pid, url: handle.url, redisUrl: handle.redisUrl, ownsRedis: handle.ownsRedis, startedAt: new Date().toISOString() });
    stateWritten = true;
  } catch (err) {
    io.err(`Could not write ${DEMO_STATE_FILE} (${(err as Error).message}): \`perflab init\` will not know this demo's addresses.`);
  }
  for (const notice of handle.notices) io.out(`Note: ${notice}.`);
  const mismatch = await configMismatch(io.cwd, handle);
  if (mismatch) io.out(`Note: ${mismatch}`);
  if (handle.notices.length || mismatch) io.out('');
  for (const line of demoHelpText(handle)) io.out(line);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    io.err(`\n${signal}: stopping the demo stack…`);
    await handle.stop();
  };
  const onSignal = (signal: NodeJS.Signals) => void stop(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const code = await handle.exited;
    if (!stopping) {
      await handle.stop();
      throw new CliError(`the demo server exited unexpectedly (code ${code}); see its output above`, ExitCode.runtime);
    }
    io.err('Demo stack stopped.');
    return ExitCode.pass;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (stateWritten) await removeDemoState(io.cwd, process.pid).catch(() => undefined);
  }
}

/** A port the user named must be free: say so now rather than after starting half the stack. */
async function refuseTakenPort(port: number | undefined, option: string): Promise<void> {
  if (!port || (await portIsFree(port))) return;
  throw new CliError(`port ${port} on 127.0.0.1 is in use; give ${option} another port, or ${option} 0 for any free one`, ExitCode.usage);
}

/**
 * When this folder's config targets other addresses than the demo just started (an older config,
 * or a default port that was taken this time), says how to fix it; undefined when they agree.
 */
async function configMismatch(cwd: string, demo: DemoHandle): Promise<string | undefined> {
  const file = path.join(cwd, CONFIG_FILE_NAME);
  const { config } = await loadConfigFile(file).catch(() => ({ config: undefined }));
  if (!config) return undefined;
  const wrong = demoMismatch(config, demo);
  if (!wrong.length) return undefined;
  return `${CONFIG_FILE_NAME} here does not point at this demo: ${wrong.join('; ')}. Run \`npx perflab init --force\` to rewrite it for this demo, or edit it.`;
}

/** What `perflab demo` prints once the stack is up. */
export function demoHelpText(handle: Pick<DemoHandle, 'url' | 'redisUrl'> & { ownsRedis?: boolean }): string[] {
  const { url, redisUrl } = handle;
  const example = JSON.stringify({ to: '+15551234567', type: 'text', body: 'Hello from PerfLab' });
  return [
    'PerfLab demo stack is running.',
    '',
    `  API                ${url}`,
    `  Health             ${url}/health`,
    `  Queue metrics      ${url}/queue/metrics`,
    `  Analytics metrics  ${url}/analytics/metrics`,
    `  Redis              ${redisUrl}${handle.ownsRedis ? '  (private, discarded on exit)' : ''}`,
    '',
    'Send a message:',
    `  curl -s -X POST ${url}/messages -H 'content-type: application/json' -d '${example}'`,
    '',
    'Next, in another terminal in this folder:',
    '  npx perflab init            write perflab.config.json for this stack',
    '  npx perflab validate        check the config',
    '  npx perflab run redis-ops   benchmark Redis operations on the demo\'s Redis',
    '  npx perflab run smoke       run the smoke load profile against the API (about 10 s)',
    '  Open this folder in VS Code and use the PerfLab sidebar.',
    '',
    `These addresses are in ${DEMO_STATE_FILE} while the demo runs; \`perflab init\` reads them from there.`,
    '',
    handle.ownsRedis === false ? 'Ctrl-C stops the demo server.' : 'Ctrl-C stops the demo server and its Redis.',
  ];
}
