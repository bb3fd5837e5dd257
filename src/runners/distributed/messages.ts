/**
 * What the coordinator of a distributed run and its load agents say to each other, all of it
 * BullMQ: an invite job on the agents' lobby queue (taken by an agent, whose progress says it
 * joined), a shard job on the run's own queue for that agent (its progress carries the live
 * windows and a heartbeat, its return value the phases' encoded HDR histograms), and a custom
 * `stop` event on the run's control queue. Everything is JSON.
 */
import type { HttpProfile, TargetConfig } from '../../core/config/types';
import type { TimelinePoint } from '../../core/runRecord';
import type { SerializedHistogram } from '../../core/stats';
import type { PhaseData, Unanswered } from '../http/protocol';

/** The agents' lobby: a long-running agent takes invites from this queue, one at a time. */
export const LOBBY_PREFIX = 'perflab-agents';
export const LOBBY_QUEUE = 'agents';

/** How long the lobby's hold on an invite lasts unrenewed: a killed agent's invite is freed this soon. */
export const INVITE_LOCK_MS = 4_000;

/** The run's own BullMQ prefix: every key the run makes starts with `<prefix>:` and is removed at its end. */
export function runPrefix(runKey: string): string {
  return `perflab-dist-${runKey}`;
}

/** The queue of the agent that took invite `slot`: it holds that agent's one shard. */
export const shardQueue = (slot: number) => `shard-${slot}`;
/** The run's control queue: its events stream carries the coordinator's `stop` to every agent. */
export const CONTROL_QUEUE = 'control';
export const STOP_EVENT = 'stop';
/** The one job id of a shard: adding it again is a no-op, so a shard cannot be queued twice. */
export const SHARD_JOB_ID = 'shard';

/** An invite's data: which run, where its queues are, the slot, and when joining is too late (Redis clock, ms). */
export interface InviteData {
  run: string;
  prefix: string;
  slot: number;
  joinByMs: number;
}

/** An agent's clock against the Redis server's (TIME): `offsetMs` = Redis − agent, ± `uncertaintyMs`. */
export interface ClockReading {
  offsetMs: number;
  uncertaintyMs: number;
}

/** What an agent says when it takes an invite (the invite's progress). */
export interface JoinInfo {
  type: 'joined';
  name: string;
  host: string;
  pid: number;
  /** Requests per second it may be given at most (`--capacity`); absent: no limit. */
  capacity?: number;
  clock: ClockReading;
}

/** A shard: the profile to run with its phases already divided, the target, the share and the shared start. */
export interface ShardData {
  run: string;
  agent: string;
  profile: HttpProfile;
  target: TargetConfig;
  share: { index: number; of: number };
  /** When the first phase starts, ms on the Redis server's clock. */
  startAtRedisMs: number;
}

/** Progress of a shard: a heartbeat, or a live window with its histogram (merged exactly by the coordinator). */
export type ShardProgress =
  | { type: 'beat'; seq: number }
  | { type: 'window'; seq: number; point: TimelinePoint; total: number; histogram?: SerializedHistogram };

/** What a shard returns: what its generator measured, phase by phase, and its own health. */
export interface ShardResult {
  agent: string;
  status: 'completed' | 'cancelled' | 'failed';
  phases: PhaseData[];
  lagP99Ms?: number;
  unanswered?: Unanswered;
  error?: string;
  /** Its start, as late as it was against the shared start (ms, on its own clock). */
  startedLateMs?: number;
}
