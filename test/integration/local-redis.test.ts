import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startLocalRedis, type LocalRedis } from '../../src/runners/redis/localServer';
import { isRunning, waitUntil } from '../helpers/redis';

describe('startLocalRedis', () => {
  const started: LocalRedis[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((r) => r.stop()));
  });

  it('starts a private server on loopback that answers PING and persists nothing', async () => {
    const redis = await startLocalRedis();
    started.push(redis);

    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.port).not.toBe(6379);
    expect(isRunning(redis.pid)).toBe(true);
    expect(existsSync(redis.dir)).toBe(true);

    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      const info = await client.info('server');
      expect(info).toContain(`process_id:${redis.pid}`);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    } finally {
      client.disconnect();
    }
  });

  it('stop() ends the process and removes its temp dir, and is idempotent', async () => {
    const redis = await startLocalRedis();
    await Promise.all([redis.stop(), redis.stop()]);
    await redis.stop();

    expect(isRunning(redis.pid)).toBe(false);
    expect(existsSync(redis.dir)).toBe(false);
  });

  it('runs two servers side by side on different ports', async () => {
    const [a, b] = await Promise.all([startLocalRedis(), startLocalRedis()]);
    started.push(a, b);
    expect(a.port).not.toBe(b.port);
    expect(a.pid).not.toBe(b.pid);
  });

  it('fails with the server output when the requested port is taken', async () => {
    const first = await startLocalRedis();
    started.push(first);
    await expect(startLocalRedis({ port: first.port })).rejects.toThrow(/already in use/);
  });

  it('an abort during start kills the server and rejects', async () => {
    const controller = new AbortController();
    const starting = startLocalRedis({ signal: controller.signal });
    controller.abort(new Error('cancelled by test'));
    await expect(starting).rejects.toThrow('cancelled by test');
  });

  it('an abort after start stops the server', async () => {
    const controller = new AbortController();
    const redis = await startLocalRedis({ signal: controller.signal });
    started.push(redis);
    controller.abort();
    await waitUntil(() => !isRunning(redis.pid) && !existsSync(redis.dir), 'server to stop after abort');
  });

  it('rejects with the install hint when the binary is missing', async () => {
    await expect(startLocalRedis({ binary: '/nonexistent/redis-server' })).rejects.toThrow(
      /sudo apt-get install redis-server.*brew install redis/,
    );
  });
});
