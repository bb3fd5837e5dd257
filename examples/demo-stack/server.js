'use strict';

/**
 * The PerfLab demo stack: a small messaging backend (HTTP API, BullMQ queue and worker, Redis
 * analytics) to try load tests, benchmarks and the profilers on. See README.md.
 *
 *   REDIS_URL=redis://127.0.0.1:6380 PORT=3000 node examples/demo-stack/server.js
 */
const http = require('node:http');
const { readConfig } = require('./config');
const { connectRedis, withTimeout } = require('./redis');
const { Analytics } = require('./analytics');
const { createMessageQueue, createMessageWorker } = require('./queue');
const { HttpError, createRouter, sendJson } = require('./http');
const { auditRequest } = require('./leak');
const { healthRoutes } = require('./routes/health');
const { messageRoutes } = require('./routes/messages');
const { analyticsRoutes } = require('./routes/analytics');

/** The one line on stdout, for whoever started this process (`perflab demo`, tests). */
const LISTENING_MARKER = 'PERFLAB_DEMO_LISTENING';
const SHUTDOWN_STEP_MS = 1_500;
const SHUTDOWN_LIMIT_MS = 4_000;

async function main() {
  const config = readConfig();
  const startedAt = Date.now();

  const redis = await connectRedis(config.redisUrl);
  const analytics = new Analytics(redis, config.keyPrefix);
  const queue = createMessageQueue(config);
  await queue.waitUntilReady();
  const worker = createMessageWorker(config, analytics);

  const route = createRouter([
    ...healthRoutes({ redis, queue, analytics, startedAt, leak: config.leak }),
    ...messageRoutes({ queue, hot: config.hot }),
    ...analyticsRoutes({ analytics }),
  ]);

  const server = http.createServer(async (req, res) => {
    if (config.leak) auditRequest(req);
    try {
      const { pathname } = new URL(req.url ?? '/', 'http://localhost');
      const match = route(req.method, pathname);
      if (!match.handler) throw match.error ?? new HttpError(404, `no route for ${req.method} ${pathname}`);
      const slowMs = config.slow.get(pathname);
      if (slowMs) await new Promise((resolve) => setTimeout(resolve, slowMs));
      const [status, body] = await match.handler({ req, params: match.params });
      sendJson(res, status, body);
    } catch (err) {
      sendError(res, err, redis);
    }
  });

  // Before the listening line: whoever waits for it may signal right after reading it.
  handleShutdownSignals({ server, worker, queue, redis });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  process.stdout.write(`${LISTENING_MARKER} ${publicUrl(server.address())}\n`);
  console.error(
    `[demo-stack] listening (worker concurrency ${config.workerConcurrency}` +
      `${config.hot ? ', HOT=1' : ''}${config.leak ? ', LEAK=1' : ''}` +
      `${config.slow.size ? `, SLOW=${[...config.slow].map(([p, ms]) => `${p}:${ms}`).join(',')}` : ''})`,
  );
}

/** SIGINT/SIGTERM: stop accepting, finish in-flight work, close Redis, exit 0. A second signal exits at once. */
function handleShutdownSignals({ server, worker, queue, redis }) {
  let closing = false;
  const shutdown = async (signal) => {
    if (closing) {
      console.error(`[demo-stack] ${signal} again: exiting now`);
      process.exit(1);
    }
    closing = true;
    console.error(`[demo-stack] ${signal}: shutting down`);
    setTimeout(() => {
      console.error('[demo-stack] shutdown took too long, exiting anyway');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    await step('http server', () => closeServer(server));
    // Closing the worker and queue waits for Redis to answer; when it is gone there is nothing
    // to hand back, and the connections end with the process.
    if (redis.status === 'ready') {
      await step('worker', () => worker.close());
      await step('queue', () => queue.close());
      await step('redis', () => redis.quit());
    }
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function sendError(res, err, redis) {
  if (res.headersSent) return res.destroy();
  if (err instanceof HttpError) {
    return sendJson(res, err.status, err.details ? { error: err.message, details: err.details } : { error: err.message });
  }
  if (redis.status !== 'ready') return sendJson(res, 503, { error: 'Redis is unavailable, try again shortly' });
  console.error('[demo-stack] request failed:', err);
  sendJson(res, 500, { error: 'internal error' });
}

/** Stops accepting, lets in-flight requests finish, then drops keep-alive connections. */
function closeServer(server) {
  // Resolves even when the server never got to listen.
  const closed = new Promise((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), 1_000);
  return closed.finally(() => clearTimeout(timer));
}

async function step(what, fn) {
  try {
    await withTimeout(Promise.resolve().then(fn), SHUTDOWN_STEP_MS, 'close');
  } catch (err) {
    console.error(`[demo-stack] closing the ${what}: ${err.message}`);
  }
}

function publicUrl(address) {
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

main().catch((err) => {
  const hint = err.code === 'EADDRINUSE' ? ': set PORT to a free port, or PORT=0 to pick one' : '';
  console.error(`[demo-stack] failed to start: ${err.message}${hint}`);
  process.exit(1);
});
