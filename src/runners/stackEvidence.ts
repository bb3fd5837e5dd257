/**
 * The stack evidence of a run: for any run whose config names a stack Redis, what that server and
 * the config's BullMQ queues did while the run lasted, read on a connection of PerfLab's own
 * (`perflab-evidence` in CLIENT LIST). Read-only: INFO (server, commandstats, memory, clients),
 * SLOWLOG GET, CONFIG GET of two thresholds, LATENCY LATEST and LATENCY HISTOGRAM (Redis 7), and
 * BullMQ's job counts; it never resets a counter (a run's share is the end minus the start) and
 * writes nothing. A reading that fails never fails the run: the evidence says what could not be
 * read, and why.
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { PerfLabConfig } from '../core/config';
import {
  type CommandLatency,
  EVIDENCE_JOB_STATES,
  type EvidenceJobState,
  type GaugeSummary,
  type QueueCounts,
  type QueueEvidence,
  type StackEvidence,
  stackNotRead,
  STACK_SERIES_FORMAT,
  type StackSeriesFile,
} from '../core/stackEvidence';
import {
  type CommandStat,
  commandDeltas,
  type Histogram,
  highestSlowlogId,
  histogramDelta,
  parseCommandStats,
  parseLatencyHistogram,
  parseLatencyLatest,
  parseSlowlog,
} from './redis/evidenceReplies';
import { readServerGauges, REDIS_MEMORY_INTERVAL_MS } from './redis/memorySampler';
import { parseInfo } from './redis/serverInfo';
import { connectRedis, resolveRedisTarget } from './redis/target';
import { type QueueCounter, queueCounter } from './queueCounter';
import type { RunnerContext } from './types';

/** Each command gets no longer than this; a stalled server never holds up the end of a run. */
const READ_TIMEOUT_MS = 2_000;
const TOP_COMMANDS = 20;
const HISTOGRAM_COMMANDS = 5;
/** SLOWLOG GET reads this many of the newest entries at the end. */
const SLOWLOG_READ = 128;

export interface StackEvidenceOptions extends Pick<RunnerContext, 'env' | 'configName' | 'signal'> {
  config: PerfLabConfig;
  intervalMs?: number;
}

/** Readings in progress. */
export interface StackEvidenceSampler {
  /** Takes the last readings, closes the connection and says what was seen; never throws. Idempotent. */
  stop(): Promise<{ evidence: StackEvidence; series?: StackSeriesFile }>;
}

/**
 * Takes the start readings and starts sampling; undefined when the config names no stack Redis.
 * Never throws: a Redis that cannot be reached gives evidence that says so.
 */
export async function startStackEvidence(opts: StackEvidenceOptions): Promise<StackEvidenceSampler | undefined> {
  const url = opts.config.stack.redis?.url;
  if (!url) return undefined;
  const queues = opts.config.stack.queues.map((q) => ({ name: q.name, prefix: q.prefix }));
  const intervalMs = opts.intervalMs ?? REDIS_MEMORY_INTERVAL_MS;
  const nothing = (target: string, why: string) => ({ stop: () => Promise.resolve({ evidence: stackNotRead(target, queues, intervalMs, why) }) });
  let target;
  try {
    target = resolveRedisTarget(opts);
  } catch (err) {
    return nothing(url, `The stack Redis was not read: ${reason(err)}`);
  }
  let client: Redis;
  try {
    client = await connectRedis(target, { name: 'perflab-evidence', commandTimeoutMs: READ_TIMEOUT_MS }, opts.signal);
  } catch (err) {
    return nothing(target.label, opts.signal?.aborted ? 'The run was cancelled before the stack Redis was read.' : `Nothing of the stack Redis or its queues was read: ${reason(err)}`);
  }
  const sampler = new Sampler(client, target.label, queues, intervalMs);
  try {
    await sampler.begin();
  } catch (err) {
    // Each reading handles its own failure; this is the unforeseen one, and the run still goes on.
    sampler.note(`Reading the stack stopped early: ${reason(err)}.`);
  }
  return sampler;
}

class Sampler implements StackEvidenceSampler {
  private readonly t0 = performance.now();
  private readonly startedAt = Date.now();
  private readonly unavailable: string[] = [];
  private readonly series: StackSeriesFile;
  private readonly queues: QueueEvidence[];
  private counters: QueueCounter[] = [];
  private version?: string;
  private infoRefused = false;
  /** The command that got no answer in time, if one did. */
  private unanswered?: string;
  private gaugeError?: string;
  private memory?: GaugeSummary;
  private clients?: GaugeSummary;
  private samples = 0;
  private startStats?: Map<string, CommandStat>;
  private slowlogFrom?: number;
  private slowerThanUs?: number;
  private monitorThresholdMs?: number;
  private startHistograms?: Map<string, Histogram>;
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;
  private stopped?: Promise<{ evidence: StackEvidence; series?: StackSeriesFile }>;

  constructor(private readonly client: Redis, private readonly target: string, queues: { name: string; prefix: string }[], private readonly intervalMs: number) {
    this.queues = queues.map((q) => ({ ...q, samples: 0 }));
    this.series = {
      format: STACK_SERIES_FORMAT,
      version: 1,
      target,
      t: [],
      memory: [],
      clients: [],
      queues: queues.map((q) => ({ name: q.name, counts: Object.fromEntries(EVIDENCE_JOB_STATES.map((s) => [s, []])) as unknown as Record<EvidenceJobState, (number | null)[]> })),
    };
  }

  /** The start readings, the first sample, then one sample per interval. */
  async begin(): Promise<void> {
    const { client } = this;
    try {
      this.version = parseInfo(await client.info('server')).redis_version;
    } catch (err) {
      this.infoRefused = true;
      const timedOut = /timed out/i.test(reason(err));
      if (timedOut) this.unanswered = 'INFO';
      this.note(`INFO ${timedOut ? 'got no answer' : 'was refused'} (${reason(err)}): no command statistics, memory or clients.`);
    }
    if (!this.infoRefused) {
      await this.read('INFO commandstats', 'no command statistics', async () => (this.startStats = parseCommandStats(await client.info('commandstats'))));
    }
    await this.read('SLOWLOG GET', 'no slow log entries', async () => (this.slowlogFrom = highestSlowlogId(await client.call('SLOWLOG', 'GET', '1'))));
    await this.read('CONFIG GET', "the slow log's and the latency monitor's thresholds are unknown", async () => {
      this.slowerThanUs = await configNumber(client, 'slowlog-log-slower-than');
      this.monitorThresholdMs = await configNumber(client, 'latency-monitor-threshold');
    });
    if (this.version === undefined || major(this.version) >= 7) {
      await this.read('LATENCY HISTOGRAM', 'no latency per command', async () => (this.startHistograms = parseLatencyHistogram(await client.call('LATENCY', 'HISTOGRAM'))));
    }
    this.counters = this.queues.map((q) => queueCounter(client, q.name, q.prefix));
    await this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): Promise<{ evidence: StackEvidence; series?: StackSeriesFile }> {
    return (this.stopped ??= this.finish());
  }

  private async finish(): Promise<{ evidence: StackEvidence; series?: StackSeriesFile }> {
    clearInterval(this.timer);
    await this.reading;
    await this.sample();
    const { client } = this;
    const evidence: StackEvidence = { target: this.target, ...(this.version ? { version: this.version } : {}), intervalMs: this.intervalMs, samples: this.samples, queues: this.queues, unavailable: this.unavailable };
    try {
      const start = this.startStats;
      if (start) {
        await this.read('INFO commandstats', 'no command statistics', async () => {
          const deltas = commandDeltas(start, parseCommandStats(await client.info('commandstats')));
          evidence.commands = deltas.slice(0, TOP_COMMANDS);
          evidence.commandTotals = { commands: deltas.length, calls: sum(deltas.map((d) => d.calls)), usec: sum(deltas.map((d) => d.usec)) };
        });
      }
      const from = this.slowlogFrom;
      if (from !== undefined) {
        await this.read('SLOWLOG GET', 'no slow log entries', async () => {
          const reply = await client.call('SLOWLOG', 'GET', String(SLOWLOG_READ));
          const entries = parseSlowlog(reply, from);
          const appeared = Math.max(0, highestSlowlogId(reply) - from);
          evidence.slowlog = { entries, missed: Math.max(0, appeared - entries.length), ...(this.slowerThanUs !== undefined ? { slowerThanUs: this.slowerThanUs } : {}) };
        });
      }
      await this.read('LATENCY LATEST', 'no latency events', async () => {
        const events = parseLatencyLatest(await client.call('LATENCY', 'LATEST'), this.startedAt);
        evidence.latency = { events, ...(this.monitorThresholdMs !== undefined ? { monitorThresholdMs: this.monitorThresholdMs } : {}) };
      });
      const histograms = this.startHistograms;
      if (histograms && evidence.commands?.length) {
        await this.read('LATENCY HISTOGRAM', 'no latency per command', async () => {
          const end = parseLatencyHistogram(await client.call('LATENCY', 'HISTOGRAM'));
          const top = evidence.commands!.slice(0, HISTOGRAM_COMMANDS).map((c) => c.command);
          const per = top.map((c) => (end.has(c) ? histogramDelta(c, histograms.get(c), end.get(c)!) : undefined)).filter((h): h is CommandLatency => h !== undefined);
          evidence.latency = { events: [], ...evidence.latency, histograms: per };
        });
      }
    } finally {
      await Promise.all(this.counters.map((c) => c.close()));
      client.disconnect();
    }
    if (this.memory) evidence.memory = this.memory;
    if (this.clients) evidence.clients = this.clients;
    if (this.gaugeError) this.note(`INFO memory or clients could not be read (${this.gaugeError}): memory and clients are missing where it failed.`);
    return { evidence, ...(this.series.t.length ? { series: this.series } : {}) };
  }

  /** One reading of memory, clients and every queue's counts; a reading still in progress is not doubled. */
  private sample(): Promise<void> {
    return (this.reading ??= this.sampleOnce().finally(() => (this.reading = undefined)));
  }

  private async sampleOnce(): Promise<void> {
    const t = Math.round(performance.now() - this.t0) / 1000;
    const [gauges, counts] = await Promise.all([
      this.infoRefused ? undefined : readServerGauges(this.client).catch((err: unknown) => void (this.gaugeError = reason(err))),
      Promise.all(this.counters.map((c, i) => c.counts(EVIDENCE_JOB_STATES, READ_TIMEOUT_MS).catch((err: unknown) => void (this.queues[i]!.error = reason(err))))),
    ]);
    if (!gauges && !counts.some(Boolean)) return;
    this.samples++;
    this.series.t.push(t);
    this.series.memory.push(gauges?.usedMemory ?? null);
    this.series.clients.push(gauges?.connectedClients ?? null);
    if (gauges) {
      this.memory = gauge(this.memory, gauges.usedMemory);
      this.clients = gauge(this.clients, gauges.connectedClients);
    }
    counts.forEach((c, i) => {
      const q = this.queues[i]!;
      for (const s of EVIDENCE_JOB_STATES) this.series.queues[i]!.counts[s].push(c ? c[s] : null);
      if (!c) return;
      q.samples++;
      q.start ??= c;
      q.max = q.max ? maxCounts(q.max, c) : c;
      q.end = c;
    });
  }

  /** Runs one reading; a refusal becomes a sentence of `unavailable`, once per command. */
  private async read(command: string, consequence: string, fn: () => Promise<unknown>): Promise<void> {
    // A server that let one command time out is not asked again: the run's start or end is not held up command after command.
    if (this.unanswered) return this.note(`${command} was not sent (Redis did not answer ${this.unanswered} within ${READ_TIMEOUT_MS / 1000} s): ${consequence}.`);
    try {
      await fn();
    } catch (err) {
      if (/timed out/i.test(reason(err))) this.unanswered = command;
      this.note(`${command} was refused or failed (${reason(err)}): ${consequence}.`);
    }
  }

  note(sentence: string): void {
    if (!this.unavailable.includes(sentence)) this.unavailable.push(sentence);
  }
}

/** A CONFIG GET setting as a number; undefined when the server has no such setting. */
async function configNumber(client: Redis, name: string): Promise<number | undefined> {
  const reply = (await client.config('GET', name)) as unknown;
  const n = Array.isArray(reply) ? Number(reply[1]) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

function gauge(g: GaugeSummary | undefined, v: number): GaugeSummary {
  return g ? { start: g.start, max: Math.max(g.max, v), end: v } : { start: v, max: v, end: v };
}

function maxCounts(a: QueueCounts, b: QueueCounts): QueueCounts {
  return Object.fromEntries(EVIDENCE_JOB_STATES.map((s) => [s, Math.max(a[s], b[s])])) as QueueCounts;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const major = (version: string) => Number(version.split('.')[0]);

/** The first line of an error: Redis replies carry the reason there (`NOPERM …`, `ERR unknown command …`). */
function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}
