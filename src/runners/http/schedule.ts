/**
 * The open-model schedule, after wrk2: requests are numbered 0, 1, 2, … in the order they are
 * intended to start, request n at the time the cumulative arrivals reach n. With a constant rate
 * R that is n/R; with a linear ramp from R0 to R1 over T the rate integrates to
 * N(t) = R0·t + (R1−R0)·t²/(2T), so intended times follow the ramp rather than jumping between
 * rates. Connections own requests round-robin (connection i of C: i, i+C, i+2C, … due at i/R,
 * (i+C)/R, …), so each connection has its own evenly spaced schedule, exactly as in wrk2.
 */

/**
 * The most requests one schedule numbers. Far above what the runner's limits allow (100,000 per
 * second for 24 h is 8.64e9), far below where doubles stop telling consecutive request numbers
 * and their times apart (2^53), where the schedule would never reach its end.
 */
export const MAX_SCHEDULED = 2 ** 40;

/**
 * One generator's share of a phase driven by several (distributed agents): of the phase's
 * requests 0, 1, 2, … it owns those numbered `index`, `index + of`, `index + 2·of`, …, so the
 * shares interleave and the merged arrivals keep the whole schedule's even spacing.
 */
export interface ScheduleShare {
  index: number;
  of: number;
}

/** Intended send times of one open phase (or of one share of it). */
export class ArrivalSchedule {
  /** Requests the phase (this share of it) intends to send. */
  readonly total: number;
  private readonly share: ScheduleShare;
  /** Requests of the whole phase, every share together. */
  private readonly whole: number;
  private readonly r0: number;
  /** Rate change per ms, in requests per ms². */
  private readonly accel: number;

  /**
   * Rates in requests per second; `rampTo` defaults to `rate` (constant). Throws a RangeError for
   * a plan it cannot number (see ./plan.ts, which the runner checks first, for the limits).
   */
  constructor(rate: number, readonly durationMs: number, rampTo: number = rate, share: ScheduleShare = { index: 0, of: 1 }) {
    if (!(Number.isInteger(share.of) && share.of >= 1 && Number.isInteger(share.index) && share.index >= 0 && share.index < share.of)) {
      throw new RangeError(`share ${share.index} of ${share.of} is not a share of a schedule`);
    }
    this.share = share;
    if (!(rate >= 0 && rampTo >= 0 && Number.isFinite(rate) && Number.isFinite(rampTo))) {
      throw new RangeError(`arrival rates must be finite and at least 0, not ${rate} → ${rampTo}`);
    }
    if (!(durationMs > 0 && Number.isFinite(durationMs))) throw new RangeError(`a phase must last a finite time, not ${durationMs} ms`);
    const planned = ((rate + rampTo) / 2) * (durationMs / 1000);
    if (!(planned <= MAX_SCHEDULED)) throw new RangeError(`${planned} requests are more than the ${MAX_SCHEDULED} one schedule numbers`);
    this.r0 = rate / 1000;
    this.accel = (rampTo - rate) / 1000 / durationMs;
    // Requests due strictly before the end of the phase.
    let total = Math.ceil(planned - 1e-9);
    while (total > 0 && this.wholeTimeOf(total - 1) >= durationMs) total--;
    this.whole = Math.max(0, total);
    this.total = this.owned(this.whole);
  }

  /** Of the whole schedule's first `n` requests, how many are this share's. */
  private owned(n: number): number {
    return Math.max(0, Math.ceil((n - this.share.index) / this.share.of));
  }

  /**
   * Intended start of request n, in ms from the phase start. Solves N(t) = n in the form
   * t = 2n / (R0 + √(R0² + 2·a·n)), which stays exact for a = 0 and for ramps down.
   */
  timeOf(n: number): number {
    return this.wholeTimeOf(n * this.share.of + this.share.index);
  }

  /** Intended start of request n of the whole schedule. */
  private wholeTimeOf(n: number): number {
    if (n <= 0) return 0;
    if (this.accel === 0) return n / this.r0;
    const disc = this.r0 * this.r0 + 2 * this.accel * n;
    return disc <= 0 ? Infinity : (2 * n) / (this.r0 + Math.sqrt(disc));
  }

  /** Intended rate (per second) of this share at `ms` into the phase. */
  rateAt(ms: number): number {
    return ((this.r0 + this.accel * Math.min(Math.max(ms, 0), this.durationMs)) * 1000) / this.share.of;
  }

  /** Requests of this share intended to have started by `ms` into the phase. */
  dueBy(ms: number): number {
    if (ms < 0) return 0;
    const t = Math.min(ms, this.durationMs);
    return this.owned(Math.min(this.whole, Math.floor(this.r0 * t + (this.accel * t * t) / 2) + 1));
  }
}

/** A run of a connection's requests: next, next+step, … up to (not including) end. */
interface Segment {
  next: number;
  step: number;
  end: number;
}

/**
 * Which requests one connection owns. Growing the pool starts a new epoch at request E: the old
 * connections keep the requests they owned below E (sent as catch-up), then everyone takes
 * E + i, E + i + C′, … so every request number has exactly one owner.
 */
export class ConnectionSlots {
  private readonly segments: Segment[];

  constructor(index: number, count: number, start = 0) {
    this.segments = [{ next: start + index, step: count, end: Infinity }];
  }

  /** The connection's next request number (the one it has not sent yet). */
  peek(): number {
    let s = this.segments[0]!;
    while (s.next >= s.end && this.segments.length > 1) {
      this.segments.shift();
      s = this.segments[0]!;
    }
    return s.next;
  }

  /** Marks the request returned by {@link peek} as sent. */
  advance(): void {
    this.peek();
    this.segments[0]!.next += this.segments[0]!.step;
  }

  /** The last segment's next request: where this connection would go on without a new epoch. */
  frontier(): number {
    return this.segments[this.segments.length - 1]!.next;
  }

  /** Ends the current schedule at `epoch` and continues as connection `index` of `count` from there. */
  rebase(epoch: number, index: number, count: number): void {
    this.segments[this.segments.length - 1]!.end = epoch;
    this.segments.push({ next: epoch + index, step: count, end: Infinity });
  }
}

/**
 * Regrows a pool from `connections.length` to `count` connections: returns the epoch and the
 * slots of the new connections; the existing ones are rebased in place.
 */
export function growSlots(connections: ConnectionSlots[], count: number): { epoch: number; added: ConnectionSlots[] } {
  // No request at or past the epoch has been sent by anyone.
  const epoch = Math.max(...connections.map((c) => c.frontier()));
  connections.forEach((c, i) => c.rebase(epoch, i, count));
  const added: ConnectionSlots[] = [];
  for (let i = connections.length; i < count; i++) added.push(new ConnectionSlots(i, count, epoch));
  return { epoch, added };
}
