/**
 * HTTP target servers for the HTTP runner's tests, each in its own child process: a stalling
 * target blocks its own event loop, never the test's (nor the load generator's).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { ClosedPhase, HttpProfile, OpenPhase, PerfLabConfig, Phase, RequestSpec, Scenario } from '../../src/core/config/types';
import { terminate, whenExited } from '../../src/runners/process';
import type { RunnerContext } from '../../src/runners/types';

export interface HttpTargetOptions {
  /** Block the event loop this long… */
  stallMs?: number;
  /** …once per this period (default 1000 ms), stall starts on a fixed grid. */
  stallEveryMs?: number;
  /** Status of every answer (default 200). */
  status?: number;
  /** Body of every answer (default `ok`). */
  body?: string;
  /** `length` (Content-Length, default), `chunked`, or `close` (Connection: close after each answer). */
  framing?: 'length' | 'chunked' | 'close';
  /** Answer after this long (a timer, not a stall). */
  delayMs?: number;
  /** Keep the last N requests (method, url, headers, body) for inspection. Default 0. */
  keepRequests?: number;
  /**
   * Append one byte to this file for every request received, before answering it: written
   * synchronously, so the count survives a SIGKILL of the target.
   */
  countFile?: string;
  /** Address to listen on (default 127.0.0.1), e.g. `0.0.0.0` in a network namespace of its own. */
  host?: string;
  /** Run the server inside this network namespace (`ip netns exec`; root only). */
  netns?: string;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface TargetStats {
  /** Requests per 100 ms bucket, from the first to the last request seen. */
  arrivals: number[];
  /** Requests by path (without query). */
  byPath: Record<string, number>;
  requests: SeenRequest[];
  total: number;
  /** Client connections open right now. */
  openConnections: number;
  /** Each stall's length as the target measured it, ms. */
  stalls: number[];
}

export interface HttpTarget {
  url: string;
  port: number;
  pid: number;
  stats(): Promise<TargetStats>;
  /** Forgets what was counted so far. */
  reset(): Promise<void>;
  /** SIGKILL, as a crash would end it; resolves once it has exited. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const SERVER = String.raw`
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const fs = require('node:fs');
const o = JSON.parse(process.argv[1]);
const countFd = o.countFile ? fs.openSync(o.countFile, 'a') : undefined;
let buckets = new Map(), byPath = {}, requests = [], total = 0, stalls = [];
const server = http.createServer((req, res) => {
  if (countFd !== undefined) fs.writeSync(countFd, '.');
  const bucket = Math.floor(performance.now() / 100);
  buckets.set(bucket, (buckets.get(bucket) || 0) + 1);
  total++;
  const path = req.url.split('?')[0];
  byPath[path] = (byPath[path] || 0) + 1;
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (o.keepRequests) {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (requests.length > o.keepRequests) requests.shift();
    }
    const answer = () => {
      const body = o.body ?? 'ok';
      if (o.framing === 'chunked') {
        res.writeHead(o.status ?? 200, { 'content-type': 'text/plain' });
        res.write(body.slice(0, 1));
        res.end(body.slice(1));
      } else {
        const headers = { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) };
        if (o.framing === 'close') headers.connection = 'close';
        res.writeHead(o.status ?? 200, headers);
        res.end(body);
      }
    };
    if (o.delayMs) setTimeout(answer, o.delayMs); else answer();
  });
});
server.keepAliveTimeout = 60000;
let openConnections = 0;
server.on('connection', (socket) => {
  openConnections++;
  socket.on('close', () => openConnections--);
});
if (o.stallMs) {
  const every = o.stallEveryMs || 1000;
  const t0 = performance.now();
  let k = 1;
  const stall = () => {
    const begin = performance.now();
    const end = begin + o.stallMs;
    while (performance.now() < end);
    stalls.push(performance.now() - begin);
    k = Math.max(k + 1, Math.ceil((performance.now() - t0) / every));
    setTimeout(stall, Math.max(0, t0 + k * every - performance.now()));
  };
  setTimeout(stall, every);
}
process.on('message', (m) => {
  if (m.type === 'stats') {
    const keys = [...buckets.keys()];
    const lo = Math.min(...keys), hi = Math.max(...keys);
    const arrivals = keys.length ? Array.from({ length: hi - lo + 1 }, (_, i) => buckets.get(lo + i) || 0) : [];
    process.send({ type: 'stats', stats: { arrivals, byPath, requests, total, openConnections, stalls } });
  } else if (m.type === 'reset') {
    buckets = new Map(); byPath = {}; requests = []; total = 0; stalls = [];
    process.send({ type: 'reset' });
  }
});
process.on('disconnect', () => process.exit(0));
server.listen(0, o.host || '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
`;

/** Starts a target server in a child process; resolves once it listens. */
export async function startHttpTarget(options: HttpTargetOptions = {}): Promise<HttpTarget> {
  const { port, pid, ask, kill, stop } = await startServerChild(SERVER, options, options.netns ? ['ip', 'netns', 'exec', options.netns] : []);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid,
    stats: () => ask<TargetStats>('stats'),
    reset: () => ask<void>('reset'),
    kill,
    stop,
  };
}

/** What a {@link startRawHttpTarget} received, byte for byte. */
export interface RawReceived {
  /** Request heads parsed (up to the blank line). */
  requests: number;
  /** Every byte received, as latin1 text (the first 8 MB). */
  text: string;
}

export interface RawHttpTarget {
  url: string;
  port: number;
  received(): Promise<RawReceived>;
  stop(): Promise<void>;
}

// A server on raw sockets that keeps every byte it receives, so a test sees exactly what went on
// the wire (an HTTP parser would already have split a line break in a value into two headers).
// It answers each request head (and its Content-Length body) with 200 `ok`.
const RAW_SERVER = String.raw`
const net = require('node:net');
const MAX = 8 << 20;
let text = '', requests = 0;
const server = net.createServer((socket) => {
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    if (text.length < MAX) text += chunk.toString('latin1');
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const size = end + 4 + (m ? Number(m[1]) : 0);
      if (buf.length < size) return;
      buf = buf.subarray(size);
      requests++;
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok');
    }
  });
  socket.on('error', () => {});
});
process.on('message', (m) => {
  if (m.type === 'received') process.send({ type: 'received', stats: { requests, text } });
});
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
`;

/** Starts a raw-socket HTTP target that records every byte it receives. */
export async function startRawHttpTarget(): Promise<RawHttpTarget> {
  const { port, ask, stop } = await startServerChild(RAW_SERVER, {});
  return { url: `http://127.0.0.1:${port}`, port, received: () => ask<RawReceived>('received'), stop };
}

/** Runs a server script in a child process: its port once it listens, and a request/reply over IPC. */
async function startServerChild(script: string, options: object, wrap: string[] = []) {
  const argv = [...wrap, process.execPath, '-e', script, JSON.stringify(options)];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = whenExited(child);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the target server did not start within 10 s')), 10_000);
    child.on('message', function onMessage(m: { type: string; port?: number }) {
      if (m.type !== 'listening') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m.port!);
    });
    child.once('exit', (code) => reject(new Error(`the target server exited with ${code}`)));
  });
  const ask = <T>(type: string) =>
    new Promise<T>((resolve) => {
      child.on('message', function onMessage(m: { type: string; stats?: T }) {
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m.stats as T);
      });
      child.send({ type });
    });
  const kill = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  return { port, pid: child.pid!, ask, kill, stop: () => terminate(child, exited, 2_000) };
}

/** A loopback port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An arrival-rate phase. */
export function openPhase(name: string, arrivalRate: number, durationMs: number, rampTo?: number): OpenPhase {
  return { name, model: 'open', arrivalRate, durationMs, duration: `${durationMs}ms`, ...(rampTo !== undefined ? { rampTo } : {}) };
}

/** A closed-loop phase. */
export function closedPhase(name: string, connections: number, durationMs: number, pipelining = 1): ClosedPhase {
  return { name, model: 'closed', connections, pipelining, durationMs, duration: `${durationMs}ms` };
}

/** A scenario: `GET /` unless told otherwise. */
export function scenario(name: string, request: Partial<RequestSpec> = {}, weight = 1, expect: Scenario['expect'] = {}): Scenario {
  return { name, weight, request: { method: 'GET', path: '/', headers: {}, query: {}, ...request }, expect };
}

/** A normalized http profile against target `api`. */
export function httpProfile(phases: Phase[], scenarios: Scenario[] = [scenario('root')], over: Partial<HttpProfile> = {}): HttpProfile {
  return { name: 'test', type: 'http', target: 'api', scale: 1, phases, scenarios, timeoutMs: 10_000, thresholds: [], source: { line: 1, column: 1 }, ...over };
}

/** A runner context whose config has one target, `api`, at `baseUrl`. */
export function runnerContext(baseUrl: string, over: { allowHosts?: string[]; targetAllowHosts?: string[]; trusted?: boolean; configDir?: string } = {}): RunnerContext {
  const config: PerfLabConfig = {
    stack: { queues: [] },
    targets: { api: { name: 'api', baseUrl, headers: {}, allowHosts: over.targetAllowHosts ?? [] } },
    allowHosts: over.allowHosts ?? [],
    profiles: {},
  };
  return { config, configDir: over.configDir ?? process.cwd(), env: {}, trusted: over.trusted ?? true };
}
