'use strict';

const { withTimeout } = require('../redis');
const { auditTrailLength } = require('../leak');
const { JOB_STATES, QUEUE_NAME } = require('../queue');
const { EVENT_TYPES } = require('../validate');

/** `GET /health` and `GET /metrics` (queue and analytics counters in one cheap read). */
function healthRoutes({ redis, queue, analytics, startedAt, leak }) {
  async function health() {
    const uptimeMs = Date.now() - startedAt;
    const extra = leak ? { auditTrail: auditTrailLength() } : {};
    try {
      await withTimeout(redis.ping(), 1000, 'PING');
      return [200, { status: 'ok', redis: 'up', uptimeMs, ...extra }];
    } catch (err) {
      return [503, { status: 'degraded', redis: 'down', error: err.message, uptimeMs, ...extra }];
    }
  }

  async function metrics() {
    const [counts, events] = await Promise.all([
      queue.getJobCounts(...JOB_STATES),
      redis.mget(EVENT_TYPES.map((type) => analytics.keys.count(type))),
    ]);
    const analyticsCounts = Object.fromEntries(EVENT_TYPES.map((type, i) => [type, Number(events[i] ?? 0)]));
    return [200, { queue: { name: QUEUE_NAME, counts }, analytics: { counts: analyticsCounts } }];
  }

  return [
    ['GET', '/health', health],
    ['GET', '/metrics', metrics],
  ];
}

module.exports = { healthRoutes };
