/**
 * Names of a BullMQ run's queues. Every queue of a run lives under one BullMQ key prefix of its
 * own (`perflab-bench-<run id>`), so "the benchmark's keys" is exactly what SCAN finds under
 * `<prefix>:`, and removing them can never reach another queue, such as the app's `bull:messages`.
 */
import { randomBytes } from 'node:crypto';

/** A BullMQ key prefix no other run uses; only [a-z0-9-], so it needs no escaping in a MATCH pattern. */
export function runPrefix(): string {
  return `perflab-bench-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** A BullMQ queue name made safe for key patterns: BullMQ forbids `:`, and glob characters are dropped. */
export function safeQueueName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '-') || 'queue';
}

/**
 * The token of one real-workers run (`"workers": "app"`): the ids of the jobs it adds to the
 * app's queue are `<token>-<seq>`, and their data carries it, so no job of the app, nor of another
 * run, is ever taken for one of its own. BullMQ forbids `:` in a job id; this has only [a-z0-9-].
 */
export function appRunToken(): string {
  return `perflab-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}
