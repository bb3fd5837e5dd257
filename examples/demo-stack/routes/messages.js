'use strict';

const { HttpError, readJson } = require('../http');
const { validateBulk, validateMessage } = require('../validate');
const { JOB_STATES, QUEUE_NAME, initialState, jobFor } = require('../queue');
const { renderPreview } = require('../hot');

const MAX_BULK = 1000;

/** `POST /messages`, `POST /messages/bulk`, `GET /messages/:id`, `GET /queue/metrics`. */
function messageRoutes({ queue, hot }) {
  async function enqueue({ req }) {
    const message = await readJson(req);
    const problems = validateMessage(message);
    if (problems.length > 0) throw new HttpError(400, problems.join('; '), problems);
    const { name, data, opts } = jobFor(message);
    if (hot) data.previewDigest = renderPreview(message).digest;
    const job = await queue.add(name, data, opts);
    return [202, { id: job.id, queue: QUEUE_NAME, state: initialState(opts) }];
  }

  async function enqueueBulk({ req }) {
    const input = await readJson(req);
    const problems = validateBulk(input, MAX_BULK);
    if (problems.length > 0) throw new HttpError(400, problems.join('; '), problems);
    const jobs = await queue.addBulk(input.messages.map(jobFor));
    return [202, { ids: jobs.map((job) => job.id), queue: QUEUE_NAME, count: jobs.length }];
  }

  async function status({ params }) {
    const job = await queue.getJob(params.id);
    if (!job) throw new HttpError(404, `no message with id ${params.id} (finished messages are kept for an hour)`);
    return [
      200,
      {
        id: job.id,
        type: job.name,
        to: job.data.to,
        state: await job.getState(),
        attemptsMade: job.attemptsMade,
        createdAt: job.timestamp,
        processedAt: job.processedOn ?? null,
        finishedAt: job.finishedOn ?? null,
        failedReason: job.failedReason ?? null,
      },
    ];
  }

  async function metrics() {
    return [200, { queue: QUEUE_NAME, counts: await queue.getJobCounts(...JOB_STATES) }];
  }

  return [
    ['POST', '/messages', enqueue],
    ['POST', '/messages/bulk', enqueueBulk],
    ['GET', '/messages/:id', status],
    ['GET', '/queue/metrics', metrics],
  ];
}

module.exports = { messageRoutes };
