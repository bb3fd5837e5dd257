/**
 * A private redis-server per test file: integration tests never touch a Redis that holds anyone's
 * data (the machine may run a shared one on 6379), and they never FLUSH.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { startLocalRedis, type LocalRedis } from '../../src/runners/redis/localServer';

/** Getter for the running server's URL, with the server itself for tests that need its pid or port. */
export interface LocalRedisGetter {
  (): string;
  server(): LocalRedis;
}

/**
 * Starts a redis-server in `beforeAll` and stops it in `afterAll`. A missing redis-server fails
 * the file with the install hint instead of skipping it, so a green run always means "tested".
 */
export function useLocalRedis(): LocalRedisGetter {
  let redis: LocalRedis | undefined;

  beforeAll(async () => {
    redis = await startLocalRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    redis = undefined;
  });

  const server = (): LocalRedis => {
    if (!redis) throw new Error('useLocalRedis(): the server is only available inside tests and hooks');
    return redis;
  };
  return Object.assign(() => server().url, { server });
}

/** A key prefix no other test (or run) uses, so tests sharing one server stay independent. */
export function uniquePrefix(label = 't'): string {
  return `${label}${process.pid}-${Math.random().toString(36).slice(2, 8)}:`;
}

/** True while `pid` names a live process (signal 0 only checks that it exists). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. No timing is asserted. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Pids of this process's live children (`pgrep -P`), to prove a test left nothing running. */
export function childPids(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
      // pgrep itself is a child while it runs.
      .filter((pid) => isRunning(pid));
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}
