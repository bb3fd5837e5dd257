'use strict';

/**
 * The queue manager: messages go through the BullMQ queue `messages`; a worker "sends" each one
 * (a few ms of simulated network latency) and records an analytics `sent` event.
 */
const { Queue, Worker } = require('./deps');
const { logOnce } = require('./redis');

const QUEUE_NAME = 'messages';
const JOB_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized'];

// Finished jobs are kept for a while so `GET /messages/:id` can report them, but not forever:
// a load test would otherwise fill Redis with millions of completed jobs.
const KEEP_FINISHED = { age: 60 * 60, count: 10_000 };

function createMessageQueue(config) {
  const queue = new Queue(QUEUE_NAME, {
    connection: { url: config.redisUrl, connectionName: 'perflab-demo-queue' },
    prefix: config.bullPrefix,
    defaultJobOptions: { removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED },
  });
  queue.on('error', logOnce('queue'));
  return queue;
}

/** Job options for one validated message: BullMQ priority (1 is the most urgent) and delay. */
function jobFor(message) {
  const data = { to: message.to, type: message.type, body: message.body, mediaUrl: message.mediaUrl };
  const opts = {};
  if (message.priority !== undefined) opts.priority = message.priority;
  if (message.delayMs) opts.delay = message.delayMs;
  return { name: message.type, data, opts };
}

/** The state a job starts in, known without another round trip to Redis. */
function initialState(opts) {
  if (opts.delay) return 'delayed';
  if (opts.priority) return 'prioritized';
  return 'waiting';
}

function createMessageWorker(config, analytics) {
  const worker = new Worker(QUEUE_NAME, (job) => sendMessage(job, analytics), {
    connection: { url: config.redisUrl, connectionName: 'perflab-demo-worker' },
    prefix: config.bullPrefix,
    concurrency: config.workerConcurrency,
  });
  worker.on('error', logOnce('worker'));
  worker.on('failed', (job, err) => console.error(`[demo-stack] message ${job?.id} failed: ${err.message}`));
  return worker;
}

async function sendMessage(job, analytics) {
  // Stands in for the call to the messaging provider.
  await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 6));
  const sentAt = Date.now();
  await analytics.record({ type: 'sent', phone: job.data.to, messageId: job.id }, sentAt);
  return { sentAt };
}

module.exports = { QUEUE_NAME, JOB_STATES, createMessageQueue, createMessageWorker, jobFor, initialState };
