/**
 * A load agent (`perflab agent`): a long-running process that takes part in distributed runs.
 * It waits on the lobby queue for an invite (one at a time), says it joined with its name, its
 * capacity and its clock against the Redis server's, then takes the one shard the coordinator
 * queues for it and runs it with the ordinary HTTP engine (../http: the same checks, the same
 * generator), reporting a heartbeat and live windows as the shard's progress and returning the
 * phases' encoded histograms. The coordinator's `stop` event, or stop() (Ctrl-C), ends the shard
 * early with what was measured. It never runs a second shard of a run: the shard's queue is its
 * own, its one job id fixed, and BullMQ never retries it (attempts 1, no stalled restarts).
 */
import { EventEmitter } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { type Job, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { isUrlAllowed } from '../../core/config/hosts';
import type { PerfLabConfig } from '../../core/config/types';
import { connectRedis } from '../redis/target';
import { collectHttpRun } from '../http/index';
import { RunnerError, type RunLog, type RunnerEvents } from '../types';
import {
  CONTROL_QUEUE, INVITE_LOCK_MS, type InviteData, type JoinInfo, LOBBY_PREFIX, LOBBY_QUEUE, type ClockReading, type ShardData, type ShardProgress,
  type ShardResult, shardQueue, STOP_EVENT,
} from './messages';
import { coordinationConnection, coordinationRedis, readClock, redisNow, toLocalEpoch } from './redis';

export interface AgentOptions {
  /** The coordination Redis, `redis://host:port[/db]`. */
  redis: string;
  /** How the agent is named in runs; default `<hostname>-<pid>`. */
  name?: string;
  /** The most requests per second it may be given; a run that needs more of it is refused. */
  capacity?: number;
  /** Hosts besides loopback it may reach: its Redis's and the targets it may load. */
  allowHosts?: readonly string[];
  env?: Record<string, string | undefined>;
  /** Test only: write every corrected latency of each shard to `<dir>/<run>-<agent>.json`. */
  rawDir?: string;
  /** The load generator's worker bundle (tests). */
  workerPath?: string;
}

/** A progress message before its sequence number is given. */
type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;

export interface AgentEvents {
  log: [RunLog];
}

/** Heartbeat of a running shard (the coordinator calls an agent lost after a few missed). */
export const BEAT_MS = 500;
/** How long after the join deadline an agent waits for its shard before it gives up on the run. */
const SHARD_WAIT_MS = 15_000;

export class LoadAgent extends EventEmitter<AgentEvents> {
  readonly name: string;
  private lobby: Worker<InviteData> | undefined;
  private readonly current = new Set<AbortController>();
  private closed = false;

  private constructor(private readonly opts: AgentOptions, private readonly admin: Redis, private readonly target: ReturnType<typeof coordinationRedis>) {
    super();
    this.name = opts.name ?? `${hostname()}-${process.pid}`;
  }

  /** Connects to the Redis (refused unless loopback or allowed) and starts taking invites. */
  static async start(opts: AgentOptions): Promise<LoadAgent> {
    const env = opts.env ?? process.env;
    const target = coordinationRedis(opts.redis, opts.allowHosts ?? [], env, 'perflab agent --allow-hosts');
    const admin = await connectRedis(target, { name: 'perflab-agent', reconnects: 10 });
    const agent = new LoadAgent(opts, admin, target);
    agent.listen();
    return agent;
  }

  /** Waits until the lobby worker is connected (tests: an agent is ready to be invited). */
  async ready(): Promise<void> {
    await this.lobby!.waitUntilReady();
  }

  private listen(): void {
    this.lobby = new Worker<InviteData>(LOBBY_QUEUE, (job, _token, signal) => this.onInvite(job, signal), {
      prefix: LOBBY_PREFIX,
      connection: coordinationConnection(this.target, `perflab-agent:${this.name}`),
      // BullMQ names the worker's connections after it: the Stack view lists the agents by it.
      name: this.name,
      concurrency: 1,
      lockDuration: INVITE_LOCK_MS,
      // An invite whose agent died goes back to the lobby; its join deadline makes the next taker decline it.
      maxStalledCount: 1,
      stalledInterval: INVITE_LOCK_MS,
    });
    this.lobby.on('error', (err) => this.log('warn', `lobby: ${err.message}`));
  }

  /**
   * Stops taking invites and ends the shard in progress, if any: its generator stops and what it
   * measured goes to the coordinator, marked cancelled. Resolves when everything is closed.
   */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.current) c.abort();
    await this.lobby?.close().catch(() => undefined);
    this.admin.disconnect();
  }

  private log(level: RunLog['level'], message: string): void {
    this.emit('log', { level, message });
  }

  private async onInvite(job: Job<InviteData>, signal?: AbortSignal): Promise<{ joined: boolean }> {
    const invite = job.data;
    if (this.closed || (await redisNow(this.admin)) > invite.joinByMs) return { joined: false };
    const clock = await readClock(this.admin);
    const join: JoinInfo = { type: 'joined', name: this.name, host: hostname(), pid: process.pid, clock, ...(this.opts.capacity !== undefined ? { capacity: this.opts.capacity } : {}) };
    await job.updateProgress(join);
    this.log('info', `joined run ${invite.run} (clock ${clock.offsetMs >= 0 ? '+' : ''}${clock.offsetMs.toFixed(1)} ms against Redis, ±${clock.uncertaintyMs.toFixed(1)} ms)`);
    const stop = new AbortController();
    this.current.add(stop);
    signal?.addEventListener('abort', () => stop.abort(), { once: true });
    const control = new QueueEvents(CONTROL_QUEUE, {
      prefix: invite.prefix, connection: coordinationConnection(this.target, `perflab-agent:${this.name}:control`), lastEventId: '0-0',
    });
    control.on(STOP_EVENT as 'error', () => stop.abort());
    control.on('error', () => undefined);
    try {
      const ran = await this.takeShard(invite, clock, stop.signal);
      return { joined: ran };
    } finally {
      this.current.delete(stop);
      await control.close().catch(() => undefined);
    }
  }

  /** Takes the one shard queued for this invite's slot and runs it; false when none came. */
  private takeShard(invite: InviteData, clock: ClockReading, stop: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let took = false;
      const worker = new Worker<ShardData, ShardResult>(shardQueue(invite.slot), async (job) => {
        took = true;
        clearTimeout(timer);
        // One shard, never another: the worker stops fetching as this one starts.
        void worker.close();
        return this.runShard(job, clock, stop);
      }, {
        prefix: invite.prefix,
        connection: coordinationConnection(this.target, `perflab-agent:${this.name}:shard`),
        concurrency: 1,
        lockDuration: 10_000,
        maxStalledCount: 0,
        drainDelay: 1,
      });
      worker.on('error', () => undefined);
      const giveUp = () => {
        if (took) return;
        void worker.close().then(() => resolve(false));
      };
      const waitMs = Math.max(0, toLocalEpoch(invite.joinByMs, clock) - Date.now()) + SHARD_WAIT_MS;
      const timer = setTimeout(giveUp, waitMs);
      stop.addEventListener('abort', () => {
        clearTimeout(timer);
        giveUp();
      }, { once: true });
      worker.on('closed', () => resolve(took));
    });
  }

  private async runShard(job: Job<ShardData, ShardResult>, clock: ClockReading, stop: AbortSignal): Promise<ShardResult> {
    const shard = job.data;
    let seq = 0;
    const progress = (p: WithoutSeq<ShardProgress>) => {
      job.updateProgress({ ...p, seq: ++seq } as ShardProgress).catch(() => undefined);
    };
    progress({ type: 'beat' });
    const beat = setInterval(() => progress({ type: 'beat' }), BEAT_MS);
    const events = new EventEmitter<RunnerEvents>();
    events.on('log', (l) => this.log(l.level, `${shard.run}: ${l.message}`));
    const startAtEpochMs = toLocalEpoch(shard.startAtRedisMs, clock);
    this.log('info', `run ${shard.run}: share ${shard.share.index + 1} of ${shard.share.of} of profile "${shard.profile.name}" against ${shard.target.baseUrl}, starting in ${Math.max(0, (startAtEpochMs - Date.now()) / 1000).toFixed(1)} s`);
    let windowInPhase = 0;
    let phase: string | undefined;
    try {
      const config: PerfLabConfig = { stack: { queues: [] }, targets: { [shard.target.name]: shard.target }, allowHosts: [...(this.opts.allowHosts ?? [])], profiles: {} };
      if (!isUrlAllowed(shard.target.baseUrl, config.allowHosts)) {
        throw new RunnerError(`agent ${this.name} does not send load to ${new URL(shard.target.baseUrl).host}: it only loads loopback unless started with --allow-hosts ${new URL(shard.target.baseUrl).hostname}`, 'refused');
      }
      const collected = await collectHttpRun(shard.profile, { config, configDir: process.cwd(), env: this.opts.env ?? process.env, trusted: false }, events, stop, {
        shard: { index: shard.share.index, of: shard.share.of, startAtEpochMs, ...(this.opts.rawDir ? { keepRaw: true } : {}) },
        ...(this.opts.workerPath ? { workerPath: this.opts.workerPath } : {}),
        onWindow: (w) => {
          if (w.point.phase !== phase) {
            phase = w.point.phase;
            windowInPhase = 0;
          }
          progress({ type: 'window', point: { ...w.point, phase: `${w.point.phase ?? ''}#${windowInPhase++}` }, total: w.total, ...(w.histogram ? { histogram: w.histogram } : {}) });
        },
      });
      if (this.opts.rawDir && collected.raw) {
        await mkdir(this.opts.rawDir, { recursive: true });
        await writeFile(path.join(this.opts.rawDir, `${shard.run}-${this.name}.json`), JSON.stringify(collected.raw));
      }
      const { run } = collected;
      this.log('info', `run ${shard.run}: ${run.status}${run.error ? `: ${run.error}` : ''}`);
      return {
        agent: this.name,
        status: run.status,
        phases: run.phases,
        ...(run.lagP99Ms !== undefined ? { lagP99Ms: run.lagP99Ms } : {}),
        ...(collected.unanswered ? { unanswered: collected.unanswered } : {}),
        ...(run.error !== undefined ? { error: run.error } : {}),
      };
    } catch (err) {
      const message = err instanceof RunnerError ? err.message : `the agent failed: ${(err as Error).message}`;
      this.log('error', `run ${shard.run}: ${message}`);
      return { agent: this.name, status: 'failed', phases: [], error: message };
    } finally {
      clearInterval(beat);
    }
  }
}
