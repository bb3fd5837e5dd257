import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { demoHelpText } from '../../src/cli/demoCommand';
import { findDemoServer, startDemo, type DemoHandle } from '../../src/runners/demo';
import { freePort } from '../../src/runners/redis/localServer';
import { childPids, isRunning, uniquePrefix, useLocalRedis, waitUntil } from '../helpers/redis';

/** A loopback listener on a free port, to hold that port. */
function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function request(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
}

const text = (to = '+15551234567') => ({ to, type: 'text', body: 'hello from the test' });

describe('demo stack on the test redis', () => {
  const redisUrl = useLocalRedis();
  const keyPrefix = uniquePrefix('demo-test');
  const bullPrefix = `${keyPrefix}bull`;
  let demo: DemoHandle;
  let redis: Redis;
  const logs: string[] = [];

  beforeAll(async () => {
    demo = await startDemo({
      redisUrl: redisUrl(),
      port: 0,
      env: { KEY_PREFIX: keyPrefix, BULLMQ_PREFIX: bullPrefix },
      log: (line) => logs.push(line),
    });
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await demo?.stop();
    if (demo) expect(isRunning(demo.pid)).toBe(false);
  });

  it('listens on loopback and reports healthy', async () => {
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(demo.ownsRedis).toBe(false);
    const { status, body } = await request(demo.url, 'GET', '/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', redis: 'up' });
    expect(body.uptimeMs).toBeGreaterThanOrEqual(0);
  });

  it('queues a message, sends it, and counts the send in analytics', async () => {
    const sentKey = `${keyPrefix}analytics:count:sent`;
    const sentBefore = Number(await redis.get(sentKey));

    const accepted = await request(demo.url, 'POST', '/messages', text('+15550001111'));
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ queue: 'messages', state: 'waiting' });
    const id: string = accepted.body.id;
    expect(id).toBeTruthy();

    await waitUntil(async () => (await request(demo.url, 'GET', `/messages/${id}`)).body.state === 'completed', `message ${id} to complete`);
    const done = await request(demo.url, 'GET', `/messages/${id}`);
    expect(done.body).toMatchObject({ id, type: 'text', to: '+15550001111', state: 'completed' });

    expect(Number(await redis.get(sentKey))).toBeGreaterThan(sentBefore);
    expect(await redis.sismember(`${keyPrefix}analytics:phones`, '+15550001111')).toBe(1);
    // The queue lives under the configured BullMQ prefix, not BullMQ's default.
    expect(await redis.exists(`${bullPrefix}:messages:${id}`)).toBe(1);
  });

  it('honours priority and delay', async () => {
    const urgent = await request(demo.url, 'POST', '/messages', { ...text(), priority: 1 });
    expect(urgent.status).toBe(202);
    expect(['prioritized', 'waiting']).toContain(urgent.body.state);

    const later = await request(demo.url, 'POST', '/messages', { ...text(), delayMs: 600_000 });
    expect(later.status).toBe(202);
    expect(later.body.state).toBe('delayed');
    expect((await request(demo.url, 'GET', `/messages/${later.body.id}`)).body.state).toBe('delayed');
  });

  it('queues a bulk request with one id per message', async () => {
    const messages = [text('+15550002221'), { to: '+15550002222', type: 'media', mediaUrl: 'https://example.com/cat.png' }, { ...text(), type: 'bulk' }];
    const accepted = await request(demo.url, 'POST', '/messages/bulk', { messages });
    expect(accepted.status).toBe(202);
    expect(accepted.body.ids).toHaveLength(3);
    for (const id of accepted.body.ids as string[]) {
      await waitUntil(async () => (await request(demo.url, 'GET', `/messages/${id}`)).body.state === 'completed', `bulk message ${id}`);
    }
  });

  it('records analytics events in Redis and reports them', async () => {
    const readKey = `${keyPrefix}analytics:count:read`;
    const before = Number(await redis.get(readKey));

    const recorded = await request(demo.url, 'POST', '/analytics/events', { type: 'read', phone: '+15550003333', messageId: 'm-1' });
    expect(recorded.status).toBe(201);
    expect(Number(await redis.get(readKey))).toBe(before + 1);
    expect(await redis.sismember(`${keyPrefix}analytics:phones`, '+15550003333')).toBe(1);
    expect(await redis.zcard(`${keyPrefix}analytics:ts:read`)).toBeGreaterThanOrEqual(1);
    expect(JSON.parse((await redis.lindex(`${keyPrefix}analytics:recent`, 0))!)).toMatchObject({ type: 'read', phone: '+15550003333' });

    const metrics = await request(demo.url, 'GET', '/analytics/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body.counts.read).toBe(before + 1);
    expect(metrics.body.lastMinute.read).toBeGreaterThanOrEqual(1);
    expect(metrics.body.uniquePhones).toBeGreaterThanOrEqual(1);
    expect(metrics.body.recent[0]).toMatchObject({ type: 'read', phone: '+15550003333', messageId: 'm-1' });
  });

  it('rejects bad input with 400 and says what is wrong', async () => {
    const badMessage = await request(demo.url, 'POST', '/messages', { to: 'nobody', type: 'fax', body: 'x' });
    expect(badMessage.status).toBe(400);
    expect(badMessage.body.error).toMatch(/to: must be a phone number/);
    expect(badMessage.body.error).toMatch(/type: must be one of text, media, bulk/);

    const badPriority = await request(demo.url, 'POST', '/messages', { ...text(), priority: 3 });
    expect(badPriority.status).toBe(400);
    expect(badPriority.body.error).toMatch(/priority/);

    const badMedia = await request(demo.url, 'POST', '/messages', { to: '+15551234567', type: 'media' });
    expect(badMedia.status).toBe(400);
    expect(badMedia.body.error).toMatch(/mediaUrl/);

    const badJson = await request(demo.url, 'POST', '/messages', '{"to": ');
    expect(badJson.status).toBe(400);
    expect(badJson.body.error).toMatch(/not valid JSON/);

    const badBulk = await request(demo.url, 'POST', '/messages/bulk', { messages: [text(), { to: '+1555' }] });
    expect(badBulk.status).toBe(400);
    expect(badBulk.body.error).toMatch(/messages\[1\]\.to/);

    const badEvent = await request(demo.url, 'POST', '/analytics/events', { type: 'clicked', phone: '+15551234567' });
    expect(badEvent.status).toBe(400);
    expect(badEvent.body.error).toMatch(/type: must be one of sent, received, delivered, read, conversion/);

    expect((await request(demo.url, 'GET', '/messages/does-not-exist')).status).toBe(404);
    expect((await request(demo.url, 'GET', '/nowhere')).status).toBe(404);
    expect((await request(demo.url, 'DELETE', '/health')).status).toBe(405);
  });

  it('reports job counts by state', async () => {
    const { status, body } = await request(demo.url, 'GET', '/queue/metrics');
    expect(status).toBe(200);
    expect(body.queue).toBe('messages');
    for (const state of ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized']) {
      expect(typeof body.counts[state]).toBe('number');
    }
    expect(body.counts.completed).toBeGreaterThanOrEqual(4);
    expect(body.counts.delayed).toBeGreaterThanOrEqual(1);

    const combined = await request(demo.url, 'GET', '/metrics');
    expect(combined.status).toBe(200);
    expect(combined.body.queue.counts.completed).toBe(body.counts.completed);
    expect(combined.body.analytics.counts.sent).toBeGreaterThanOrEqual(4);
  });

  it('keeps its keys under the configured prefixes', async () => {
    const foreign = (await redis.keys('*')).filter((key) => !key.startsWith(keyPrefix));
    expect(foreign).toEqual([]);
  });

  it('sends its log to the log callback, not the listening line', () => {
    expect(logs.some((line) => line.includes('listening'))).toBe(true);
    expect(logs.some((line) => line.startsWith('PERFLAB_DEMO_LISTENING'))).toBe(false);
  });
});

describe('demo stack with its own redis', () => {
  it('starts redis and the server, and stop() leaves neither running', async () => {
    const demo = await startDemo({ port: 0 });
    let stopped = false;
    try {
      expect(demo.ownsRedis).toBe(true);
      expect(demo.redisPid).toBeDefined();
      expect(demo.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(isRunning(demo.pid)).toBe(true);
      expect(isRunning(demo.redisPid!)).toBe(true);
      expect((await request(demo.url, 'GET', '/health')).status).toBe(200);

      const lines = demoHelpText(demo);
      const help = lines.join('\n');
      for (const expected of [`${demo.url}/health`, `${demo.url}/queue/metrics`, `${demo.url}/analytics/metrics`, demo.redisUrl]) {
        expect(help).toContain(expected);
      }
      expect(help).toContain(`curl -s -X POST ${demo.url}/messages`);
      expect(help).toMatch(/npx perflab init/);
      expect(help).toMatch(/npx perflab validate/);
      expect(help).toMatch(/npx perflab run smoke/);
      expect(help).toMatch(/npx perflab run redis-ops/);
      expect(help).toContain('.perflab/demo.json');
      expect(help).toMatch(/VS Code/);
      expect(help).toMatch(/Ctrl-C/);

      await Promise.all([demo.stop(), demo.stop()]);
      stopped = true;
      expect(await demo.exited).toBe(0);
      expect(isRunning(demo.pid)).toBe(false);
      expect(isRunning(demo.redisPid!)).toBe(false);
    } finally {
      if (!stopped) await demo.stop();
    }
  });

  it('falls back to free ports when the preferred ones are taken, and says so', async () => {
    // Two ports this test holds stand in for the defaults (3000, 6390), which a developer may be using.
    const held = await Promise.all([listen(), listen()]);
    const [apiPort, redisPort] = held.map((server) => (server.address() as AddressInfo).port);
    try {
      const demo = await startDemo({ port: { prefer: apiPort! }, redisPort: { prefer: redisPort! } });
      try {
        expect(Number(new URL(demo.url).port)).not.toBe(apiPort);
        expect(Number(new URL(demo.redisUrl).port)).not.toBe(redisPort);
        expect(demo.notices).toEqual([
          `port ${apiPort} is in use, so the API listens on ${demo.url} instead`,
          `port ${redisPort} is in use, so the demo's Redis listens on ${demo.redisUrl} instead`,
        ]);
        expect((await request(demo.url, 'GET', '/health')).status).toBe(200);
      } finally {
        await demo.stop();
      }
    } finally {
      for (const server of held) server.close();
    }
  });

  it('takes a preferred port that is free, with nothing to say', async () => {
    const free = await freePort();
    const demo = await startDemo({ port: 0, redisPort: { prefer: free } });
    try {
      expect(demo.redisUrl).toBe(`redis://127.0.0.1:${free}`);
      expect(demo.notices).toEqual([]);
    } finally {
      await demo.stop();
    }
  });

  it('answers 503 on /health while Redis is down', async () => {
    const demo = await startDemo({ port: 0 });
    try {
      expect((await request(demo.url, 'GET', '/health')).status).toBe(200);
      process.kill(demo.redisPid!, 'SIGKILL');
      await waitUntil(async () => (await request(demo.url, 'GET', '/health')).status === 503, 'health to report Redis down');
      expect((await request(demo.url, 'GET', '/health')).body).toMatchObject({ status: 'degraded', redis: 'down' });
    } finally {
      await demo.stop();
    }
    expect(isRunning(demo.pid)).toBe(false);
  });
});

describe('demo stack switches', () => {
  const redisUrl = useLocalRedis();

  it('HOT=1 serves messages through renderPreview', async () => {
    const demo = await startDemo({ redisUrl: redisUrl(), port: 0, env: { HOT: '1', KEY_PREFIX: uniquePrefix('hot') } });
    try {
      for (let i = 0; i < 5; i++) {
        expect((await request(demo.url, 'POST', '/messages', text())).status).toBe(202);
      }
      expect((await request(demo.url, 'GET', '/health')).status).toBe(200);
    } finally {
      await demo.stop();
    }
    expect(isRunning(demo.pid)).toBe(false);
  });

  it('LEAK=1 keeps an audit entry per request and still serves', async () => {
    const demo = await startDemo({ redisUrl: redisUrl(), port: 0, env: { LEAK: '1', KEY_PREFIX: uniquePrefix('leak') } });
    try {
      const first = await request(demo.url, 'GET', '/health');
      expect(first.status).toBe(200);
      for (let i = 0; i < 5; i++) {
        expect((await request(demo.url, 'POST', '/analytics/events', { type: 'sent', phone: '+15551234567' })).status).toBe(201);
      }
      const last = await request(demo.url, 'GET', '/health');
      expect(last.body.auditTrail).toBe(first.body.auditTrail + 6);
    } finally {
      await demo.stop();
    }
    expect(isRunning(demo.pid)).toBe(false);
  });
});

describe('startDemo failures', () => {
  const redisUrl = useLocalRedis();
  let before: number[] = [];
  beforeEach(() => {
    before = childPids();
  });
  afterEach(() => {
    expect(childPids().filter((pid) => !before.includes(pid))).toEqual([]);
  });

  it('finds the server script from the sources', () => {
    expect(existsSync(findDemoServer())).toBe(true);
  });

  it('rejects with the server output when Redis cannot be reached, and leaves nothing running', async () => {
    // Port 1 on loopback: nothing listens there, and it is certainly not the shared Redis.
    await expect(startDemo({ redisUrl: 'redis://127.0.0.1:1', port: 0, startTimeoutMs: 20_000 })).rejects.toThrow(
      /exited with code 1 before listening[\s\S]*failed to start/,
    );
  });

  it('rejects with a hint when the port is taken', async () => {
    const first = await startDemo({ redisUrl: redisUrl(), port: 0, env: { KEY_PREFIX: uniquePrefix('port') } });
    try {
      const port = Number(new URL(first.url).port);
      await expect(startDemo({ redisUrl: redisUrl(), port })).rejects.toThrow(/EADDRINUSE[\s\S]*PORT=0/);
    } finally {
      await first.stop();
    }
  });

  it('an abort while the server starts stops it', async () => {
    const controller = new AbortController();
    const starting = startDemo({ redisUrl: redisUrl(), port: 0, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by test')), 50);
    await expect(starting).rejects.toThrow('cancelled by test');
  });

  it('an abort while its redis starts stops that too', async () => {
    const controller = new AbortController();
    const starting = startDemo({ port: 0, signal: controller.signal });
    controller.abort(new Error('cancelled by test'));
    await expect(starting).rejects.toThrow('cancelled by test');
  });

  it('an abort after start stops the server and its redis', async () => {
    const controller = new AbortController();
    const demo = await startDemo({ port: 0, signal: controller.signal });
    controller.abort();
    expect(await demo.exited).toBe(0);
    await demo.stop();
    expect(isRunning(demo.redisPid!)).toBe(false);
  });
});
