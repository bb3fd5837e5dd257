'use strict';

const { HttpError, readJson } = require('../http');
const { validateEvent } = require('../validate');

/** `POST /analytics/events`, `GET /analytics/metrics`. */
function analyticsRoutes({ analytics }) {
  async function recordEvent({ req }) {
    const event = await readJson(req);
    const problems = validateEvent(event);
    if (problems.length > 0) throw new HttpError(400, problems.join('; '), problems);
    return [201, await analytics.record(event)];
  }

  async function metrics() {
    return [200, await analytics.metrics()];
  }

  return [
    ['POST', '/analytics/events', recordEvent],
    ['GET', '/analytics/metrics', metrics],
  ];
}

module.exports = { analyticsRoutes };
