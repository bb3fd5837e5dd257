/**
 * The coordinator of a distributed run (`perflab run <profile> --agents N`, or a profile's
 * `distributed`): it invites N agents through the lobby queue, splits the profile between those
 * that join (./plan.ts), queues each its one shard on the run's own queues with a shared start
 * on the Redis server's clock, merges their live windows into one live line (./live.ts) and their
 * phases' histograms into one outcome (./merge.ts, then the HTTP runner's own buildOutcome), with
 * a breakdown per agent. It sends no load itself and needs to reach only the Redis.
 *
 * Faults: an agent silent for {@link LOST_AFTER_MS} (killed, stalled, cut off) is lost; the run
 * then stops the others, keeps what they measured and ends partial, naming it. At the end every
 * key under the run's prefix is removed, and the run's invites leave the lobby; nothing else.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Job, Queue, QueueEvents, QueueEventsProducer } from 'bullmq';
import type { HttpProfile } from '../../core/config/types';
import type { AgentSummary, DistributedSummary, RunStatus } from '../../core/runRecord';
import { formatDuration } from '../../core/format';
import { connectRedis, type RedisTarget } from '../redis/target';
import { removeUnder } from '../redis/cleanup';
import { resolveTarget } from '../http/preflight';
import { buildOutcome } from '../http/results';
import { configLabel, RunHandle, RunnerError, type RunnerContext, type RunnerOutcome } from '../types';
import { LiveMerge } from './live';
import { mergePhases } from './merge';
import {
  CONTROL_QUEUE, INVITE_LOCK_MS, type InviteData, type JoinInfo, LOBBY_PREFIX, LOBBY_QUEUE, runPrefix, SHARD_JOB_ID, type ShardData, type ShardProgress,
  type ShardResult, shardQueue, STOP_EVENT,
} from './messages';
import { checkSplit, peakShareRate, shardProfile } from './plan';
import { coordinationConnection, coordinationRedis, readClock, redisNow } from './redis';

/** An agent that sends nothing (no heartbeat, no window) for this long is lost. */
export const LOST_AFTER_MS = 3_000;
/** From queuing the shards to the shared start: time for every agent to take its shard and open its connections. */
const START_LEAD_MS = 2_500;
/** After a stop, how long the agents still running get to return what they measured. */
const STOP_GRACE_MS = 5_000;
const POLL_MS = 100;
/** Progress goes out twice a second, as every runner's does. */
const PROGRESS_MS = 500;

export interface DistributedOptions {
  agents: number;
  /** Overrides the profile's `distributed.redis` and `stack.redis.url`. */
  redis?: string;
  joinTimeoutMs?: number;
}

/** Runs an http profile from load agents; the handle is an ordinary run's. */
export function runDistributed(profile: HttpProfile, ctx: RunnerContext, opts: DistributedOptions): RunHandle {
  return new RunHandle((handle, signal) => coordinate(profile, ctx, opts, handle, signal), ctx.signal);
}

interface Member {
  slot: number;
  join: JoinInfo;
  share: number;
  status: 'running' | AgentSummary['status'];
  lastHeard: number;
  result?: ShardResult;
  error?: string;
  events?: QueueEvents;
  queue?: Queue<ShardData, ShardResult>;
}

async function coordinate(profile: HttpProfile, ctx: RunnerContext, opts: DistributedOptions, handle: RunHandle, signal: AbortSignal): Promise<RunnerOutcome> {
  const requested = opts.agents;
  if (!(Number.isInteger(requested) && requested >= 1)) throw new RunnerError(`--agents ${requested} is not a whole number from 1`, 'config');
  checkSplit(profile, requested);
  const resolved = resolveTarget(profile, ctx);
  const url = opts.redis ?? profile.distributed?.redis ?? ctx.config.stack.redis?.url;
  if (!url) {
    throw new RunnerError(`a distributed run needs the Redis its agents listen on: add "stack": { "redis": { "url": "redis://127.0.0.1:6379" } } to ${configLabel(ctx)}, or "distributed": { "redis": … } to the profile`, 'config');
  }
  const target = coordinationRedis(url, ctx.config.allowHosts, ctx.env, `the top level of ${configLabel(ctx)}`);
  const admin = await connectRedis(target, { name: 'perflab-coordinator', reconnects: 10 }, signal);
  const runKey = randomBytes(6).toString('hex');
  const prefix = runPrefix(runKey);
  const log = (level: 'info' | 'warn' | 'error', message: string) => handle.emit('log', { level, message });
  const conn = (role: string) => coordinationConnection(target, `perflab-coordinator:${role}`);
  const lobby = new Queue<InviteData>(LOBBY_QUEUE, { prefix: LOBBY_PREFIX, connection: conn('lobby') });
  const control = new QueueEventsProducer(CONTROL_QUEUE, { prefix, connection: conn('control') });
  lobby.on('error', () => undefined);
  control.on('error', () => undefined);
  const members: Member[] = [];
  const inviteIds = Array.from({ length: requested }, (_, slot) => `${runKey}-${slot}`);
  let stopped = false;
  const stopAgents = async (reason: string) => {
    if (stopped) return;
    stopped = true;
    await control.publishEvent({ eventName: STOP_EVENT, reason }).catch(() => undefined);
  };
  try {
    const joinTimeoutMs = opts.joinTimeoutMs ?? profile.distributed?.joinTimeoutMs ?? 10_000;
    const joinByMs = (await redisNow(admin)) + joinTimeoutMs;
    for (const [slot, id] of inviteIds.entries()) {
      await lobby.add('invite', { run: runKey, prefix, slot, joinByMs }, { jobId: id, attempts: 1, removeOnComplete: true, removeOnFail: true });
    }
    log('info', `waiting for ${requested} load ${requested === 1 ? 'agent' : 'agents'} on ${target.label} (run ${runKey})`);
    await gatherJoins(lobby, inviteIds, members, joinTimeoutMs, signal, (m) => log('info', `agent ${m.join.name} joined (${m.join.host}, pid ${m.join.pid})`));
    await dropUnjoined(lobby, inviteIds, members);
    if (signal.aborted) return cancelledOutcome(resolved.display, requested, target, members);
    if (!members.length) {
      throw new RunnerError(
        `no load agent answered within ${formatDuration(joinTimeoutMs)} on ${target.label}: start ${requested === 1 ? 'one' : requested} with \`perflab agent --redis ${target.label}\` ` +
          '(README, "Distributed load"), on machines that reach both that Redis and the target',
        'unreachable',
      );
    }
    if (members.length < requested) log('warn', `${members.length} of ${requested} agents answered: each phase is split across ${members.length}`);
    checkSplit(profile, members.length);
    const share = peakShareRate(profile, members.length);
    const short = members.filter((m) => m.join.capacity !== undefined && share > m.join.capacity);
    if (short.length) {
      throw new RunnerError(`each agent would send up to ${share} req/s, more than ${short.map((m) => `agent ${m.join.name}'s capacity of ${m.join.capacity}/s`).join(', ')}: start more agents or lower the rates`, 'config');
    }

    const clock = await readClock(admin);
    const live = new LiveMerge((s) => handle.emit('sample', s));
    const running = () => new Set(members.filter((m) => m.status === 'running').map((m) => m.join.name));
    const plannedMs = profile.phases.reduce((n, p) => n + p.durationMs, 0);
    const startAtRedisMs = (await redisNow(admin)) + START_LEAD_MS;
    const startedAt = performance.now() + START_LEAD_MS;
    for (const m of members) {
      m.queue = new Queue<ShardData, ShardResult>(shardQueue(m.slot), { prefix, connection: conn(`shard-${m.slot}`) });
      m.queue.on('error', () => undefined);
      m.events = new QueueEvents(shardQueue(m.slot), { prefix, connection: conn(`events-${m.slot}`), lastEventId: '0-0' });
      m.events.on('error', () => undefined);
      m.events.on('progress', ({ data }) => {
        const p = data as unknown as ShardProgress;
        if (m.status !== 'running' || typeof p !== 'object') return;
        m.lastHeard = performance.now();
        if (p.type === 'window') live.add(m.join.name, p.point, p.total, p.histogram, running(), m.lastHeard);
      });
      m.events.on('completed', () => void finished(m));
      m.events.on('failed', ({ failedReason }) => {
        if (m.status !== 'running') return;
        m.status = 'failed';
        m.error = failedReason;
      });
      await m.events.waitUntilReady();
    }
    const finished = async (m: Member) => {
      const job = await Job.fromId<ShardData, ShardResult>(m.queue!, SHARD_JOB_ID).catch(() => undefined);
      const result = job?.returnvalue;
      if (m.status !== 'running' || !result) return;
      m.result = result;
      // Cancelled after our own stop: the agent did what it was told; its figures are kept.
      m.status = result.status === 'cancelled' && stopped ? 'stopped' : result.status;
      if (result.error) m.error = result.error;
    };
    for (const m of members) {
      const data: ShardData = {
        run: runKey, agent: m.join.name, profile: shardProfile(profile, m.share, members.length), target: resolved.target,
        share: { index: m.share, of: members.length }, startAtRedisMs,
      };
      await m.queue!.add('shard', data, { jobId: SHARD_JOB_ID, attempts: 1, removeOnComplete: false, removeOnFail: false });
      m.lastHeard = performance.now();
    }
    log('info', `${members.length} ${members.length === 1 ? 'agent' : 'agents'} start together in ${formatDuration(START_LEAD_MS)}: ` +
      members.map((m) => `${m.join.name} (clock ${signed(clock.offsetMs - m.join.clock.offsetMs)} ms)`).join(', '));

    let stopBy: number | undefined;
    let lastProgress = 0;
    while (members.some((m) => m.status === 'running')) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const now = performance.now();
      for (const m of members) {
        if (m.status === 'running' && (now - m.lastHeard > LOST_AFTER_MS || (stopBy !== undefined && now > stopBy))) {
          // The completed event may just have been missed: a result on the job settles it.
          await finished(m);
          if (m.status !== 'running') continue;
          m.status = 'lost';
          m.error = `it stopped answering ${formatDuration(Math.max(0, m.lastHeard - startedAt))} into the run: nothing from it for ${formatDuration(now - m.lastHeard)}`;
          log('error', `agent ${m.join.name} is lost: ${m.error}; stopping the others`);
        }
      }
      if (!stopped && (signal.aborted || members.some((m) => m.status === 'lost' || m.status === 'failed' || m.status === 'cancelled'))) {
        await stopAgents(signal.aborted ? 'cancelled' : 'an agent left the run');
        stopBy = now + STOP_GRACE_MS;
      }
      live.flush(running(), now);
      if (now - lastProgress >= PROGRESS_MS) {
        lastProgress = now;
        const elapsed = now - startedAt;
        handle.emit('progress', { fraction: plannedMs > 0 ? Math.min(1, Math.max(0, elapsed / plannedMs)) : 1, elapsedMs: Math.max(0, Math.round(elapsed)), totalMs: plannedMs });
      }
    }
    live.flush(new Set(), performance.now(), true);
    return outcomeOf(resolved.display, requested, target, members, clock.offsetMs, clock.uncertaintyMs, live, signal.aborted);
  } finally {
    await stopAgents('the run ended');
    await Promise.all(members.flatMap((m) => [m.events?.close(), m.queue?.close()]).map((p) => p?.catch(() => undefined)));
    await control.close().catch(() => undefined);
    await removeInvites(lobby, inviteIds);
    // The lobby's stalled check may still list an invite of a lost agent; only our ids go.
    await admin.srem(`${LOBBY_PREFIX}:${LOBBY_QUEUE}:stalled`, ...inviteIds).catch(() => 0);
    await lobby.close().catch(() => undefined);
    const cleanup = await removeUnder({ prefix: `${prefix}:`, reuse: admin, connect: () => connectRedis(target, { name: 'perflab-coordinator-cleanup' }) });
    if (!cleanup.ok) log('warn', `the run's keys under ${prefix}: could not be removed (${cleanup.reason})`);
    admin.disconnect();
  }
}

/** Polls the invites until `requested` agents joined, the join timeout passed, or the run was cancelled. */
async function gatherJoins(lobby: Queue<InviteData>, ids: string[], members: Member[], timeoutMs: number, signal: AbortSignal, onJoin: (m: Member) => void): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (members.length < ids.length && performance.now() < deadline && !signal.aborted) {
    for (const [slot, id] of ids.entries()) {
      if (members.some((m) => m.slot === slot)) continue;
      const job = await Job.fromId<InviteData>(lobby, id);
      const p = job?.progress as JoinInfo | undefined;
      if (p && typeof p === 'object' && p.type === 'joined') {
        const m: Member = { slot, join: p, share: members.length, status: 'running', lastHeard: performance.now() };
        members.push(m);
        onJoin(m);
      }
    }
    if (members.length < ids.length) await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Removes the invites no agent took, so none joins late. */
async function dropUnjoined(lobby: Queue<InviteData>, ids: string[], members: Member[]): Promise<void> {
  for (const [slot, id] of ids.entries()) {
    if (members.some((m) => m.slot === slot)) continue;
    await lobby.remove(id).catch(() => 0);
  }
}

/**
 * Removes the run's invites from the lobby. An agent still holding one (killed, its lock not yet
 * expired) keeps it locked for at most INVITE_LOCK_MS; removal is retried until then.
 */
async function removeInvites(lobby: Queue<InviteData>, ids: string[]): Promise<void> {
  const deadline = performance.now() + INVITE_LOCK_MS + 1_000;
  let left = ids;
  while (left.length) {
    const still: string[] = [];
    for (const id of left) {
      const job = await Job.fromId(lobby, id).catch(() => undefined);
      if (!job) continue;
      const removed = await lobby.remove(id).catch(() => 0);
      if (!removed) still.push(id);
    }
    left = still;
    if (!left.length || performance.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function summaries(members: Member[], coordinatorOffset: number, coordinatorUncertainty: number): AgentSummary[] {
  return members.map((m) => {
    const one = m.result && m.result.phases.length ? buildOutcome({ status: m.result.status, target: '', phases: m.result.phases, timeline: [], ...(m.result.lagP99Ms !== undefined ? { lagP99Ms: m.result.lagP99Ms } : {}) }) : undefined;
    return {
      name: m.join.name,
      host: m.join.host,
      pid: m.join.pid,
      share: { index: m.share, of: members.length },
      status: m.status === 'running' ? 'lost' : m.status,
      // offset = Redis − local, so agent − coordinator = coordinator's offset − agent's.
      clockOffsetMs: round(coordinatorOffset - m.join.clock.offsetMs),
      clockUncertaintyMs: round(coordinatorUncertainty + m.join.clock.uncertaintyMs),
      ...(one?.overall ? { overall: withoutDistribution(one.overall) } : {}),
      ...(one?.generator ? { generator: one.generator } : {}),
      ...(m.error !== undefined ? { error: m.error } : {}),
    };
  });
}

function outcomeOf(
  target: string, requested: number, redis: RedisTarget, members: Member[], offset: number, uncertainty: number, live: LiveMerge,
  cancelled: boolean,
): RunnerOutcome {
  const agents = summaries(members, offset, uncertainty);
  const missing = agents.filter((a) => a.status !== 'completed' && a.status !== 'stopped').map((a) => a.name);
  const kept = members.filter((m) => m.result && m.result.phases.length);
  const phases = mergePhases(kept.map((m) => ({ agent: m.join.name, phases: m.result!.phases })));
  const lags = kept.map((m) => m.result!.lagP99Ms).filter((n): n is number => n !== undefined);
  let status: RunStatus = 'completed';
  let error: string | undefined;
  if (cancelled) status = 'cancelled';
  else if (missing.length) {
    status = 'failed';
    const reasons = agents.filter((a) => missing.includes(a.name)).map((a) => `agent ${a.name} ${a.status === 'lost' ? 'was lost' : a.status}${a.error ? ` (${a.error})` : ''}`);
    const keptNames = kept.map((m) => m.join.name);
    error = `partial run: ${reasons.join('; ')}. ` +
      (keptNames.length ? `What ${keptNames.join(', ')} measured until then is kept.` : 'No agent\'s measurements are left.');
  }
  const distributed: DistributedSummary = { requested, redis: redis.label, partial: missing.length > 0 && !cancelled, missing, agents };
  return {
    ...buildOutcome({ status, target, phases, timeline: live.timeline, ...(lags.length ? { lagP99Ms: Math.max(...lags) } : {}), ...(error ? { error } : {}) }),
    distributed,
  };
}

function cancelledOutcome(target: string, requested: number, redis: RedisTarget, members: Member[]): RunnerOutcome {
  return { ...buildOutcome({ status: 'cancelled', target, phases: [], timeline: [] }), distributed: { requested, redis: redis.label, partial: false, missing: [], agents: summaries(members, 0, 0) } };
}

/** An agent's headline figures; the distribution is the run's, not each agent's. */
function withoutDistribution(o: NonNullable<RunnerOutcome['overall']>): NonNullable<RunnerOutcome['overall']> {
  const { distribution: _distribution, ...rest } = o;
  return rest;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(1)}`;
