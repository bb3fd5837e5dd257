/**
 * The redis kind's part of the config: its profile's shape, the check of what one batch of
 * commands carries, and its normalization (defaults, a duration or a number of iterations).
 */
import { checkDuration, strings, type Obj } from '../../core/config/checks';
import { parseDuration } from '../../core/config/duration';
import { checkValueSize } from '../../core/config/limits';
import type { ProblemInput, Segment } from '../../core/config/locate';
import type { ProfileBase } from '../../core/config/types';
import type { KindConfig, MetricNames, RawProfile } from '../kind';

export const DEFAULT_ITERATIONS = 10_000;
/** Redis commands in flight (concurrent and auto-pipeline modes). */
export const DEFAULT_CONCURRENCY = 50;
/** Redis commands per pipeline. */
export const DEFAULT_PIPELINE = 100;

export type RedisOperation =
  | 'set' | 'get' | 'incr' | 'lpush' | 'zadd' | 'pipeline' | 'analytics-write' | 'analytics-read';
export type RedisMode = 'sequential' | 'concurrent' | 'auto-pipeline' | 'pipeline';

export interface RedisProfile extends ProfileBase {
  type: 'redis';
  operations: RedisOperation[];
  mode: RedisMode;
  concurrency: number;
  /** Commands per pipeline. */
  pipeline: number;
  /** Exactly one of `iterations` and `durationMs` is set (default 10000 iterations). */
  iterations?: number;
  durationMs?: number;
  valueSize: number;
}

export const redisConfig: KindConfig<RedisProfile> = { check, normalize };

function check(out: ProblemInput[], at: Segment[], p: Obj): MetricNames {
  // Commands in flight at once, each carrying the value: as ./modes.ts issues them.
  const mode = p.mode ?? 'concurrent';
  const pipeline = typeof p.pipeline === 'number' ? p.pipeline : DEFAULT_PIPELINE;
  const concurrency = typeof p.concurrency === 'number' ? p.concurrency : DEFAULT_CONCURRENCY;
  const [sent, what] = mode === 'sequential' ? [1, 'command'] : mode === 'pipeline' ? [pipeline, 'commands per pipeline'] : [concurrency, 'commands in flight (concurrency)'];
  const pipelined = mode !== 'pipeline' && Array.isArray(p.operations) && p.operations.includes('pipeline');
  checkValueSize(out, [...at, 'valueSize'], p.valueSize, pipelined ? sent * pipeline : sent, pipelined ? `${what} × ${pipeline} per pipeline` : what);
  checkDuration(out, [...at, 'duration'], p.duration, false);
  return { operations: strings(p.operations) };
}

function normalize(p: RawProfile) {
  return {
    fields: {
      operations: [...p.operations] as RedisOperation[],
      mode: (p.mode ?? 'concurrent') as RedisMode,
      concurrency: (p.concurrency ?? DEFAULT_CONCURRENCY) as number,
      pipeline: (p.pipeline ?? DEFAULT_PIPELINE) as number,
      ...(p.duration !== undefined ? { durationMs: parseDuration(p.duration) } : { iterations: (p.iterations ?? DEFAULT_ITERATIONS) as number }),
      valueSize: (p.valueSize ?? 100) as number,
    },
    names: { operations: p.operations as string[] },
  };
}
