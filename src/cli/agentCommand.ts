/**
 * `perflab agent`: a load agent for distributed runs (src/runners/distributed/agent.ts). It runs
 * until Ctrl-C (or SIGTERM): the first ends the shard in progress cleanly, its measurements sent
 * to the coordinator marked cancelled, then exits; a second exits at once.
 */
import { LoadAgent } from '../runners/distributed/agent';
import { CliError, type CliIO, ExitCode, toCliError } from './exit';

export interface AgentCommandOptions {
  redis?: string;
  name?: string;
  capacity?: string;
  /** `--allow-hosts a,b`: hosts besides loopback the agent may reach (its Redis, the targets it loads). */
  allowHosts?: string;
}

export const DEFAULT_AGENT_REDIS = 'redis://127.0.0.1:6379';
/** Test only: where the agent writes every corrected latency of each shard (to check the merge against). */
export const RAW_DIR_ENV = 'PERFLAB_AGENT_RAW_DIR';

export async function agentCommand(io: CliIO, opts: AgentCommandOptions): Promise<number> {
  const capacity = opts.capacity !== undefined ? Number(opts.capacity) : undefined;
  if (capacity !== undefined && !(capacity > 0 && Number.isFinite(capacity))) {
    throw new CliError(`--capacity ${opts.capacity} is not a rate; give the most requests per second this agent may send, e.g. 5000`, ExitCode.usage);
  }
  if (opts.name !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(opts.name)) {
    throw new CliError(`--name "${opts.name}" is not a name; use letters, digits, ".", "_" and "-" (at most 64)`, ExitCode.usage);
  }
  const allowHosts = (opts.allowHosts ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  const redis = opts.redis ?? DEFAULT_AGENT_REDIS;
  let agent: LoadAgent;
  try {
    agent = await LoadAgent.start({
      redis, allowHosts,
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      ...(capacity !== undefined ? { capacity } : {}),
      ...(process.env[RAW_DIR_ENV] ? { rawDir: process.env[RAW_DIR_ENV] } : {}),
    });
  } catch (err) {
    throw toCliError(err) ?? err;
  }
  const stamp = () => new Date().toISOString().slice(11, 23);
  agent.on('log', (l) => io.err(`${stamp()} ${l.level === 'info' ? '' : `${l.level}: `}${l.message}`));
  await agent.ready();
  io.err(`${stamp()} agent ${agent.name} ready on ${redis.replace(/\/\/[^@/]*@/, '//')}${capacity !== undefined ? `, up to ${capacity} req/s` : ''}: waiting for runs (Ctrl-C to stop)`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) process.exit(ExitCode.cancelled);
      stopping = true;
      io.err(`${stamp()} stopping: a shard in progress ends and reports what it measured (Ctrl-C again to quit at once)…`);
      void agent.stop().then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(ExitCode.cancelled);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
