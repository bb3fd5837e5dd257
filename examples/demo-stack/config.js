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
  };
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
