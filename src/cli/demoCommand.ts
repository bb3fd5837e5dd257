import { CliError, type CliIO, ExitCode } from './exit';
import { demoHelpText, startDemo } from './demo';

/**
 * `perflab demo`: starts the demo stack (and its own redis-server unless one is given), prints
 * where it is and what to try next, and stops both on Ctrl-C.
 */
export async function demoCommand(
  io: CliIO,
  opts: { redisUrl?: string; port?: number; hot: boolean; leak: boolean },
): Promise<ExitCode> {
  const env: Record<string, string> = {};
  if (opts.hot) env.HOT = '1';
  if (opts.leak) env.LEAK = '1';
  let handle;
  try {
    handle = await startDemo({ redisUrl: opts.redisUrl, port: opts.port, env, log: (line) => io.err(line) });
  } catch (err) {
    throw new CliError(`the demo stack did not start: ${(err as Error).message}`, ExitCode.runtime);
  }
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
  }
}
