// The Stack view's reading of the stack (src/runners/stack.ts), against a real redis-server and
// real BullMQ queues: the server's facts, each queue's counts equal to what Redis holds (read
// here with plain commands on BullMQ's keys), and a Redis that is not there said as such.
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { PerfLabConfig } from '../../src/core/config';
import { readStackStatus } from '../../src/runners/stack';
import { useLocalRedis } from '../helpers/redis';

const redisUrl = useLocalRedis();

const config = (url: string | undefined, queues: { name: string; prefix: string }[]): PerfLabConfig =>
  ({ stack: { ...(url ? { redis: { url } } : {}), queues }, targets: {}, allowHosts: [], profiles: {} }) as unknown as PerfLabConfig;

describe('reading the stack for the Stack view', () => {
  it("reports the server's facts and each queue's job counts as Redis holds them", async () => {
    const prefix = `stack-${randomBytes(4).toString('hex')}`;
    const { port } = new URL(redisUrl());
    const connection = { host: '127.0.0.1', port: Number(port) };
    const queue = new Queue('messages', { connection, prefix });
    const admin = new Redis(redisUrl());
    try {
      await queue.addBulk(Array.from({ length: 7 }, (_, i) => ({ name: 'm', data: { i } })));
      await queue.add('later', {}, { delay: 600_000 });
      // Three jobs completed and two failed, by hand (BullMQ's manual processing), two left waiting.
      const worker = new Worker('messages', null, { connection, prefix, autorun: false });
      for (let i = 0; i < 5; i++) {
        const job = (await worker.getNextJob('token'))!;
        if (i < 3) await job.moveToCompleted('ok', 'token', false);
        else await job.moveToFailed(new Error('no'), 'token');
      }
      await worker.close();

      const status = await readStackStatus(config(redisUrl(), [{ name: 'messages', prefix }, { name: 'empty', prefix }]), {}, 'perflab.config.json');
      expect(status.redis).toMatchObject({ ok: true, label: expect.stringContaining(`:${port}`) });
      if (!status.redis?.ok) throw new Error('unreachable');
      expect(status.redis.facts.version).toMatch(/^\d+\.\d+/);
      expect(status.redis.usedMemory).toBeGreaterThan(0);

      // The counts, read independently from BullMQ's keys.
      const key = (k: string) => `${prefix}:messages:${k}`;
      const expected = {
        waiting: await admin.llen(key('wait')),
        active: await admin.llen(key('active')),
        completed: await admin.zcard(key('completed')),
        failed: await admin.zcard(key('failed')),
        delayed: await admin.zcard(key('delayed')),
      };
      expect(expected).toEqual({ waiting: 2, active: 0, completed: 3, failed: 2, delayed: 1 });
      expect(status.queues[0]!.counts).toMatchObject(expected);
      expect(status.queues[1]!.counts).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      admin.disconnect();
    }
  });

  it('says what could not be read: a Redis that is not there, a remote one not allowed, no Redis at all', async () => {
    const free = new URL(redisUrl());
    free.port = String(Number(free.port) + 1);
    const down = await readStackStatus(config(free.toString(), [{ name: 'messages', prefix: 'bull' }]), {}, 'perflab.config.json');
    expect(down.redis).toMatchObject({ ok: false, error: expect.stringMatching(/127\.0\.0\.1:\d+/) });
    expect(down.queues[0]!.error).toMatch(/not reachable/);

    const remote = await readStackStatus(config('redis://10.255.0.1:6379', []), {}, 'perflab.config.json');
    expect(remote.redis).toMatchObject({ ok: false, error: expect.stringMatching(/allowHosts/) });

    expect(await readStackStatus(config(undefined, []), {}, 'perflab.config.json')).toEqual({ queues: [] });
  });
});
