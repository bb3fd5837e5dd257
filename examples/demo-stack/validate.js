'use strict';

/** Input checks for the public endpoints: each returns a list of problems, empty when valid. */

const MESSAGE_TYPES = ['text', 'media', 'bulk'];
const PRIORITIES = [1, 5, 10];
const EVENT_TYPES = ['sent', 'received', 'delivered', 'read', 'conversion'];
const PHONE = /^\+?[1-9][0-9]{5,14}$/;
const MAX_BODY_CHARS = 4096;
const MAX_DELAY_MS = 24 * 60 * 60 * 1000;

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkPhone(value, field, problems) {
  if (typeof value !== 'string' || !PHONE.test(value)) {
    problems.push(`${field}: must be a phone number in E.164 form, e.g. "+15551234567"`);
  }
}

/** `path` prefixes field names, e.g. `messages[3].` for one message of a bulk request. */
function validateMessage(input, path = '') {
  if (!isObject(input)) return [`${path ? path.slice(0, -1) : 'body'}: must be a JSON object`];
  const problems = [];
  checkPhone(input.to, `${path}to`, problems);
  if (!MESSAGE_TYPES.includes(input.type)) {
    problems.push(`${path}type: must be one of ${MESSAGE_TYPES.join(', ')}`);
  }
  // A media message may go without a caption; every other message needs text.
  const bodyRequired = input.type !== 'media';
  if (input.body === undefined) {
    if (bodyRequired) problems.push(`${path}body: is required`);
  } else if (typeof input.body !== 'string' || (bodyRequired && input.body.trim() === '')) {
    problems.push(`${path}body: must be a non-empty string`);
  } else if (input.body.length > MAX_BODY_CHARS) {
    problems.push(`${path}body: must be at most ${MAX_BODY_CHARS} characters`);
  }
  if (input.type === 'media' && !isHttpUrl(input.mediaUrl)) {
    problems.push(`${path}mediaUrl: a media message needs an http(s) URL`);
  } else if (input.mediaUrl !== undefined && !isHttpUrl(input.mediaUrl)) {
    problems.push(`${path}mediaUrl: must be an http(s) URL`);
  }
  if (input.priority !== undefined && !PRIORITIES.includes(input.priority)) {
    problems.push(`${path}priority: must be one of ${PRIORITIES.join(', ')} (1 is the most urgent)`);
  }
  const { delayMs } = input;
  if (delayMs !== undefined && !(Number.isInteger(delayMs) && delayMs >= 0 && delayMs <= MAX_DELAY_MS)) {
    problems.push(`${path}delayMs: must be an integer from 0 to ${MAX_DELAY_MS}`);
  }
  return problems;
}

function validateBulk(input, maxMessages) {
  if (!isObject(input) || !Array.isArray(input.messages)) return ['messages: must be an array of messages'];
  if (input.messages.length === 0) return ['messages: must not be empty'];
  if (input.messages.length > maxMessages) return [`messages: at most ${maxMessages} per request`];
  return input.messages.flatMap((message, i) => validateMessage(message, `messages[${i}].`));
}

function validateEvent(input) {
  if (!isObject(input)) return ['event: must be a JSON object'];
  const problems = [];
  if (!EVENT_TYPES.includes(input.type)) problems.push(`type: must be one of ${EVENT_TYPES.join(', ')}`);
  checkPhone(input.phone, 'phone', problems);
  if (input.messageId !== undefined && !isShortId(input.messageId)) {
    problems.push('messageId: must be a string or number of at most 64 characters');
  }
  return problems;
}

function isHttpUrl(value) {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isShortId(value) {
  return (typeof value === 'string' && value.length > 0 && value.length <= 64) || Number.isSafeInteger(value);
}

module.exports = { validateMessage, validateBulk, validateEvent, MESSAGE_TYPES, EVENT_TYPES, PRIORITIES };
