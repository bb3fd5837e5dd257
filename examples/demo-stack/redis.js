'use strict';

const { Redis } = require('./deps');

/**
 * The app's own Redis connection (analytics and health). Commands fail fast while Redis is
 * unreachable instead of queueing up, so `/health` can answer 503 and requests error out quickly.
 */
async function connectRedis(url) {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: 'perflab-demo',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', logOnce('redis'));
  await redis.connect();
  return redis;
}

/** Logs an error unless it repeats the previous one (a down Redis emits one per reconnect). */
function logOnce(source) {
  let last = '';
  return (err) => {
    const message = err && err.message ? err.message : String(err);
    if (message === last) return;
    last = message;
    console.error(`[demo-stack] ${source}: ${message}`);
  };
}

/** Resolves with `promise`, or rejects after `ms`, whichever comes first. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

module.exports = { connectRedis, logOnce, withTimeout };
