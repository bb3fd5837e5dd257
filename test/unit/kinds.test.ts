import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import schema from '../../schemas/perflab.config.schema.json';
import { METRIC_TEMPLATES } from '../../src/core/config/metrics';
import type { ProblemInput } from '../../src/core/config/locate';
import { lazyRunner } from '../../src/runners/kind';
import { KIND_TYPES, KINDS, kindOf } from '../../src/runners/registry';
import type { RunnerContext } from '../../src/runners/types';
import { tcpKind } from '../fixtures/kind-sketch/kind';
import type { TcpProfile } from '../fixtures/kind-sketch/config';

type SchemaNode = { $ref?: string; properties?: Record<string, { const?: unknown; enum?: unknown[] }>; oneOf?: SchemaNode[] };
const definitions = (schema as unknown as { definitions: Record<string, SchemaNode> }).definitions;

describe('the kinds of run (src/runners/registry.ts)', () => {
  it('each kind has its profile in the schema, named by its type', () => {
    const listed = definitions.profile!.oneOf!.map((n) => n.$ref);
    for (const type of KIND_TYPES) {
      expect(KINDS[type].type).toBe(type);
      const def = definitions[`${type}Profile`];
      expect(def, `schemas/perflab.config.schema.json has no "${type}Profile"`).toBeDefined();
      const typeProp = def!.properties!.type!;
      expect(typeProp.const ?? typeProp.enum?.[0]).toBe(type);
      expect(listed).toContain(`#/definitions/${type}Profile`);
    }
    expect(listed).toHaveLength(KIND_TYPES.length);
  });

  it('the metric catalog holds each kind\'s own metrics, and a metric two kinds declare once', () => {
    for (const type of KIND_TYPES) {
      for (const metric of KINDS[type].metrics) {
        const entries = METRIC_TEMPLATES.filter((t) => t.pattern === metric.pattern);
        expect(entries, metric.pattern).toHaveLength(1);
        expect(entries[0]!.types).toContain(type);
      }
    }
    expect(METRIC_TEMPLATES.find((t) => t.pattern === 'redis.memory.used.max')!.types).toEqual(['redis', 'bullmq']);
    expect(METRIC_TEMPLATES.find((t) => t.pattern === 'errors.rate')!.types).toEqual(KIND_TYPES);
  });

  it('describes a kind of another version neutrally', () => {
    expect(kindOf('http').label).toBe('HTTP load test');
    expect(kindOf('grpc')).toMatchObject({ type: 'grpc', label: 'grpc run', words: { rateUnit: '/s' } });
  });
});

describe('a new kind: the sketch in test/fixtures/kind-sketch', () => {
  let server: Server;
  let port: number;
  let open = 0;
  const ctx = { config: { stack: { queues: [] }, targets: {}, allowHosts: [], profiles: {} }, configDir: '/tmp', env: {}, trusted: true } satisfies RunnerContext;
  const profile = (connections: number): TcpProfile => ({
    type: 'tcp', name: 'connects', source: { line: 1, column: 1 }, thresholds: [], host: '127.0.0.1', port, connections,
  });

  beforeAll(async () => {
    server = createServer((socket) => {
      open++;
      socket.on('close', () => open--);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('checks and normalizes its profile with its own config part', () => {
    const out: ProblemInput[] = [];
    tcpKind.config.check(out, ['profiles', 'connects'], { type: 'tcp', address: 'localhost' }, { targets: {}, queues: [], options: { configDir: '/tmp' } });
    expect(out).toMatchObject([{ path: ['profiles', 'connects', 'address'], message: '"localhost" is not HOST:PORT' }]);
    expect(tcpKind.config.normalize({ type: 'tcp', address: '127.0.0.1:6380' }, { targets: {} }).fields).toEqual({ host: '127.0.0.1', port: 6380, connections: 100 });
  });

  it('runs through the lazily loaded runner: the handle at once, its events, its result', async () => {
    const handle = lazyRunner(() => tcpKind.load())(profile(25), ctx);
    const progress: number[] = [];
    handle.on('progress', (p) => progress.push(p.fraction));
    const outcome = await handle.result;
    expect(outcome.status).toBe('completed');
    expect(outcome.overall).toMatchObject({ name: 'connect', count: 25, errors: 0 });
    expect(outcome.metrics['connect.latency.p99']).toBeGreaterThan(0);
    expect(progress).toEqual([0, 0.4, 0.8]);
  });

  it('cancel reaches the runner whether or not its module has loaded, and leaves no connection open', async () => {
    const early = lazyRunner(() => tcpKind.load())(profile(1_000_000), ctx);
    early.cancel();
    expect((await early.result).status).toBe('cancelled');

    const running = lazyRunner(() => tcpKind.load())(profile(1_000_000), ctx);
    await new Promise((resolve) => running.once('progress', resolve));
    running.cancel();
    const outcome = await running.result;
    expect(outcome.status).toBe('cancelled');
    expect(outcome.overall!.count).toBeLessThan(1_000_000);
    await expect.poll(() => open, { timeout: 5_000 }).toBe(0);
  });
});
