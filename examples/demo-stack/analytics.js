'use strict';

/**
 * The analytics manager: one pipeline per event (a single round trip to Redis), and the
 * metrics read back with another.
 */

const { EVENT_TYPES } = require('./validate');

const RECENT_KEEP = 1000;
const RECENT_SHOWN = 10;
const WINDOW_MS = 60_000;
// The time series only answers "how many in the last minute"; an hour bounds its memory under load.
const SERIES_KEEP_MS = 60 * 60_000;

class Analytics {
  constructor(redis, keyPrefix) {
    this.redis = redis;
    this.sequence = 0;
    this.keys = {
      count: (type) => `${keyPrefix}analytics:count:${type}`,
      series: (type) => `${keyPrefix}analytics:ts:${type}`,
      recent: `${keyPrefix}analytics:recent`,
      phones: `${keyPrefix}analytics:phones`,
    };
  }

  /** Stores one validated event `{type, phone, messageId?}`. */
  async record(event, now = Date.now()) {
    const { keys } = this;
    const entry = { type: event.type, phone: event.phone, messageId: event.messageId, at: now };
    // Members of a sorted set are unique: two events in the same millisecond must not collide.
    const member = `${now}:${process.pid}:${++this.sequence}`;
    const results = await this.redis
      .pipeline()
      .incr(keys.count(event.type))
      .zadd(keys.series(event.type), now, member)
      .zremrangebyscore(keys.series(event.type), '-inf', now - SERIES_KEEP_MS)
      .lpush(keys.recent, JSON.stringify(entry))
      .ltrim(keys.recent, 0, RECENT_KEEP - 1)
      .sadd(keys.phones, event.phone)
      .exec();
    throwFirstError(results);
    return entry;
  }

  /** Counters per type, unique phones, the latest events and the per-type count of the last minute. */
  async metrics(now = Date.now()) {
    const { keys } = this;
    const pipeline = this.redis.pipeline();
    for (const type of EVENT_TYPES) pipeline.get(keys.count(type));
    for (const type of EVENT_TYPES) pipeline.zcount(keys.series(type), now - WINDOW_MS, now);
    pipeline.scard(keys.phones);
    pipeline.lrange(keys.recent, 0, RECENT_SHOWN - 1);
    const values = throwFirstError(await pipeline.exec()).map(([, value]) => value);

    const counts = {};
    const lastMinute = {};
    EVENT_TYPES.forEach((type, i) => {
      counts[type] = Number(values[i] ?? 0);
      lastMinute[type] = Number(values[EVENT_TYPES.length + i]);
    });
    const uniquePhones = Number(values[2 * EVENT_TYPES.length]);
    const recent = values[2 * EVENT_TYPES.length + 1].map((item) => JSON.parse(item));
    return { counts, uniquePhones, recent, lastMinute };
  }
}

function throwFirstError(results) {
  if (!results) throw new Error('Redis pipeline was discarded');
  for (const [err] of results) if (err) throw err;
  return results;
}

module.exports = { Analytics };
