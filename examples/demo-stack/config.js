'use strict';

/**
 * Everything the demo reads from the environment, validated once at start-up.
 * Bad values stop the process with a message that says what to set.
 */
function readConfig(env = process.env) {
  if (!env.REDIS_URL) {
    throw new Error(
      'REDIS_URL is required, e.g. REDIS_URL=redis://127.0.0.1:6379 node examples/demo-stack/server.js ' +
        '(or run `npx perflab demo`, which starts a private redis-server for you)',
    );
  }
  const keyPrefix = env.KEY_PREFIX ?? 'demo:';
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    redisUrl: env.REDIS_URL,
    keyPrefix,
    // BullMQ's own default, so any BullMQ tool finds the `messages` queue without configuration.
    bullPrefix: env.BULLMQ_PREFIX || 'bull',
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 10, 1, 1000),
    hot: env.HOT === '1',
    leak: env.LEAK === '1',
    slow: slowRoutes(env.SLOW),
  };
}

/**
 * SLOW=/health:20,/messages:5: a fixed extra delay in ms on the named paths, for trying a
 * comparison with a baseline (`perflab run smoke --baseline latest` after a restart with SLOW set).
 */
function slowRoutes(raw) {
  const out = new Map();
  if (raw === undefined || raw.trim() === '') return out;
  for (const part of raw.split(',')) {
    const m = /^\s*(\/[^:\s]*):(\d+)\s*$/.exec(part);
    if (!m || Number(m[2]) > 60_000) {
      throw new Error(`SLOW=${raw} is not valid: write path:ms pairs separated by commas, e.g. SLOW=/health:20 (at most 60000 ms)`);
    }
    out.set(m[1], Number(m[2]));
  }
  return out;
}

function integer(env, name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}=${raw} is not valid: use an integer from ${min} to ${max}`);
  }
  return value;
}

module.exports = { readConfig };
