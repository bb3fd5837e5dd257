/**
 * The key sweeper's process (bundled as `dist/key-sweeper.js`; see sweeperProcess.ts for why it
 * is a process): gets its run from the first IPC message, connects to the run's database, and
 * gives the run's keys a TTL every `everyMs` until told to stop. When PerfLab goes away instead
 * (the IPC channel closes), it removes the run's keys, once the run's own connections are gone,
 * so that nothing they had sent is still to come.
 */
import type { Redis } from 'ioredis';
import { removeUnder } from './cleanup';
import { PrefixSweep } from './sweeper';
import type { FromSweeper, SweeperStart, ToSweeper } from './sweeperProcess';
import { connectRedis } from './target';

const COMMAND_TIMEOUT_MS = 5_000;
/** After PerfLab died, its connections have this long to go away before the keys are removed anyway. */
const ORPHAN_WAIT_MS = 10_000;

const send = (m: FromSweeper) => void (process.connected && process.send?.(m));

process.once('message', (m: ToSweeper) => {
  if (m.type === 'start') void sweep(m);
});

async function sweep(start: SweeperStart): Promise<void> {
  const connect = (role: string) => connectRedis(start.target, { name: `${start.prefix}${role}`, commandTimeoutMs: COMMAND_TIMEOUT_MS });
  let client: Redis;
  try {
    client = await connect('sweeper');
  } catch (err) {
    send({ type: 'failed', message: `the key sweeper could not connect: ${(err as Error).message}` });
    if (process.connected) process.disconnect();
    return;
  }
  const sweeper = new PrefixSweep(start);
  let round: Promise<void> | undefined;
  let reported = false;
  const tick = () => {
    round ??= (async () => {
      // A reconnect per tick at most: the run itself says when Redis is gone.
      if (client.status !== 'ready') {
        client.disconnect();
        client = await connect('sweeper');
      }
      await sweeper.tick(client);
      reported = false;
    })()
      .catch((err: Error) => {
        if (!reported) send({ type: 'warn', message: `the key sweeper could not give the run's keys their TTL (${err.message}); it keeps trying` });
        reported = true;
      })
      .finally(() => {
        round = undefined;
      });
  };
  const timer = setInterval(tick, start.everyMs);
  tick();

  let ending = false;
  const end = async (orphaned: boolean) => {
    if (ending) return;
    ending = true;
    clearInterval(timer);
    await round;
    if (orphaned) await removeOrphanedKeys(start, client, connect);
    client.disconnect();
    if (process.connected) process.disconnect();
  };
  process.on('message', (m: ToSweeper) => {
    if (m.type === 'stop') void end(false);
  });
  process.once('disconnect', () => void end(true));
  send({ type: 'ready' });
}

/** PerfLab is gone without cleaning up: wait for its connections to close, then do what its cleanup would have done. */
async function removeOrphanedKeys(start: SweeperStart, client: Redis, connect: (role: string) => Promise<Redis>): Promise<void> {
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (const deadline = Date.now() + ORPHAN_WAIT_MS; Date.now() < deadline; ) {
    const left = await runConnections(client, start.prefix);
    if (left === 0) break;
    // Without CLIENT LIST, a moment is enough for a closed socket's last commands; the removal repeats its SCAN anyway.
    if (left === undefined) {
      await pause(1_000);
      break;
    }
    await pause(100);
  }
  await removeUnder({ prefix: start.prefix, reuse: client, connect: () => connect('sweeper-cleanup') });
}

/** Connections of the run other than this one (by the names the run gives them), or undefined when CLIENT LIST is not allowed. */
async function runConnections(client: Redis, prefix: string): Promise<number | undefined> {
  try {
    const [own, list] = await Promise.all([client.client('ID'), client.client('LIST') as Promise<string>]);
    return list.split('\n').filter((line) => line.includes(` name=${prefix}`) && !line.startsWith(`id=${own} `)).length;
  } catch {
    return undefined;
  }
}
