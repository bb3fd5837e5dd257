/**
 * The open-model (arrival-rate) generator, built like wrk2 and meant to run in a worker thread.
 *
 * Every request has an intended send time from {@link ArrivalSchedule}; each connection owns an
 * evenly spaced share of them (connection i of C: requests i, i+C, …). A connection sends its
 * next request when it is free and the request's time has come; when it is behind (the target
 * was slow) it sends its overdue requests back to back until it has caught up. Latency is
 * recorded twice: from the intended time (corrected: what a user arriving on schedule would
 * have seen) and from the actual send (uncorrected, for comparison).
 *
 * Sockets are raw `net` (or `tls`) connections with keep-alive and a minimal response parser;
 * timers are ordinary ms timers, one per waiting connection.
 *
 * Pool size: the phase starts with `connections.initial` (10 by default) connections. Every
 * 250 ms the loop checks whether every connection is busy while the backlog of due-but-unsent
 * requests keeps growing. After a full second of that, the pool grows to what Little's law asks
 * for (rate × mean latency, with 50 % headroom; at least half again the current size), up to
 * `connections.max`. It grows again only if the previous growth raised the rate of answers: when
 * it did not, the target, not the pool, is the limit. A short stall of the target (the backlog
 * rises for 200 ms, then drains) never grows the pool, so the requests it delays are measured as
 * delayed rather than sent on fresh connections into the stall.
 *
 * Connection wait: a request whose connection still carries the previous one when it falls due
 * waits for the answer (that is what keeps the schedule honest). The wait, from the intended
 * time to the moment the connection became free, goes into a histogram; lateness past that
 * moment is the generator's own delay ({@link LATE_SEND_MS}).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect } from 'node:tls';
import { LatencyHistogram } from '../../core/stats';
import { LATE_SEND_MS } from './protocol';
import type { PhaseRecorder } from './recorder';
import { INVALID_REQUEST, InvalidRequest, type RequestSource } from './requestSource';
import { ResponseParser, type ParsedResponse } from './responseParser';
import { ConnectionSlots, growSlots, type ArrivalSchedule } from './schedule';

/** Where to connect. */
export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
  servername?: string;
}

export interface OpenLoopOptions {
  schedule: ArrivalSchedule;
  endpoint: Endpoint;
  source: RequestSource;
  recorder: PhaseRecorder;
  timeoutMs: number;
  connections: { initial: number; max: number };
  /** How long past the planned end overdue requests may still go out and answers may arrive. */
  graceMs?: number;
  /**
   * When the schedule's clock starts (performance.now()), for a phase that must start at a
   * shared time (a distributed run): the connections open first, then the loop waits for it.
   * Already past: it starts when the connections are open, as without it.
   */
  startAt?: number;
}

export interface OpenLoopStats {
  durationMs: number;
  sent: number;
  /** Due, built, and refused before sending (see requestFault): counted as errors, never sent. */
  refused: number;
  /** Requests due by the time the phase ended. */
  planned: number;
  /** Due but never completed: not sent in time, or still in flight when the phase was cut off. */
  dropped: number;
  connections: number;
  lateSends: number;
  lateSendMaxMs: number;
  /** Of every request sent: how long it waited for its connection past its intended time. */
  connectionWait: LatencyHistogram;
  stopped: boolean;
}

interface InFlight {
  scenario: number;
  intended: number;
  sent: number;
}

class Conn {
  socket: Socket | undefined;
  /** Error code seen on the current socket. */
  error: string | undefined;
  inflight: InFlight | undefined;
  timer: NodeJS.Timeout | undefined;
  /** When it last became free (or the phase started). */
  freeAt = 0;
  done = false;
  readonly parser = new ResponseParser();
  constructor(readonly slots: ConnectionSlots) {}
}

const CHECK_MS = 50;
const GROWTH_CHECK_EVERY = 5; // × CHECK_MS = 250 ms
/** Checks in a row with every connection busy and the backlog growing before the pool grows (1 s). */
const GROW_AFTER_CHECKS = 4;
const CONNECT_WAIT_MS = 2_000;
const DEFAULT_GRACE_MS = 2_000;

export class OpenLoop {
  private readonly conns: Conn[] = [];
  private t0 = 0;
  private ending = false;
  private stopped = false;
  private sent = 0;
  private refused = 0;
  private readonly connectionWait = LatencyHistogram.create();
  private lateSends = 0;
  private lateSendMaxMs = 0;
  private checks = 0;
  private growingChecks = 0;
  private lastBacklog = 0;
  private answeredAtGrowth = 0;
  private windowStart = 0;
  private windowSumMs = 0;
  private windowCount = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private settle: ((stats: OpenLoopStats) => void) | undefined;
  private fail: ((err: unknown) => void) | undefined;
  private failure: unknown;

  constructor(private readonly o: OpenLoopOptions) {}

  /** Runs the phase; resolves when every request was answered or the phase was cut off. */
  async run(): Promise<OpenLoopStats> {
    const { schedule } = this.o;
    const initial = Math.max(1, Math.min(this.o.connections.initial, schedule.total || 1));
    for (let i = 0; i < initial; i++) this.conns.push(new Conn(new ConnectionSlots(i, initial)));
    await this.preconnect();
    await this.waitForStart();
    return new Promise<OpenLoopStats>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
      if (this.stopped) return this.finish(false);
      this.t0 = Math.max(performance.now(), this.o.startAt ?? 0);
      this.windowStart = this.t0;
      for (const c of this.conns) c.freeAt = this.t0;
      this.sweeper = setInterval(this.sweep, CHECK_MS);
      this.deadline = setTimeout(() => this.finish(true), schedule.durationMs + (this.o.graceMs ?? DEFAULT_GRACE_MS));
      for (const c of this.conns) this.pump(c);
      this.maybeFinish();
    });
  }

  /** Ends the phase now; `run()` resolves with what was measured. */
  stop(): void {
    this.stopped = true;
    this.wakeUp?.();
    if (this.settle) this.finish(true);
  }

  private wakeUp: (() => void) | undefined;

  /**
   * Until `startAt`: a timer to about 2 ms before it, then the last stretch by polling, so the
   * clock starts on time (a timer alone fires up to a few ms late). A stop ends the wait.
   */
  private async waitForStart(): Promise<void> {
    const at = this.o.startAt;
    if (at === undefined) return;
    while (!this.stopped && performance.now() < at - 2) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(1_000, at - 2 - performance.now()));
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.wakeUp = undefined;
    while (!this.stopped && performance.now() < at) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Opens the first connections before the clock starts, so the first requests do not pay for it. */
  private preconnect(): Promise<void> {
    return new Promise((resolve) => {
      let pending = this.conns.length;
      const timer = setTimeout(resolve, CONNECT_WAIT_MS);
      const one = () => {
        if (--pending === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      for (const c of this.conns) {
        const s = this.open(c);
        s.once('connect', one);
        s.once('error', one);
      }
    });
  }

  private open(conn: Conn): Socket {
    const e = this.o.endpoint;
    const socket: Socket = e.tls
      ? tlsConnect({ host: e.host, port: e.port, rejectUnauthorized: false, ...(e.servername ? { servername: e.servername } : {}) })
      : netConnect({ host: e.host, port: e.port });
    socket.setNoDelay(true);
    conn.socket = socket;
    conn.error = undefined;
    socket.on('data', (chunk: Buffer) => {
      if (conn.socket === socket && conn.inflight) this.onData(conn, chunk);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (conn.socket === socket) conn.error = err.code ?? 'socket-error';
    });
    socket.on('close', () => {
      if (conn.socket !== socket) return;
      conn.socket = undefined;
      if (!conn.inflight) return;
      const res = conn.parser.close();
      if (res) this.complete(conn, res);
      else this.failRequest(conn, conn.error ?? 'ECONNRESET');
    });
    return socket;
  }

  private onData(conn: Conn, chunk: Buffer): void {
    let res: ParsedResponse | undefined;
    try {
      res = conn.parser.execute(chunk);
    } catch {
      this.failRequest(conn, 'bad-response');
      return;
    }
    if (res) this.complete(conn, res);
  }

  private complete(conn: Conn, res: ParsedResponse): void {
    const now = performance.now();
    const f = conn.inflight!;
    conn.inflight = undefined;
    conn.freeAt = now;
    const kind = this.o.source.check(f.scenario, res.status, res.body);
    this.o.recorder.response(f.scenario, now - f.intended, now - f.sent, kind);
    this.windowSumMs += now - f.sent;
    this.windowCount++;
    if (!res.keepAlive) this.dropSocket(conn);
    this.pump(conn);
  }

  private failRequest(conn: Conn, kind: string): void {
    const f = conn.inflight;
    if (!f) return;
    conn.inflight = undefined;
    conn.freeAt = performance.now();
    this.o.recorder.failure(f.scenario, kind);
    this.dropSocket(conn);
    this.pump(conn);
  }

  private dropSocket(conn: Conn): void {
    const s = conn.socket;
    conn.socket = undefined;
    s?.destroy();
  }

  private readonly onTimer = (conn: Conn): void => {
    conn.timer = undefined;
    this.pump(conn);
  };

  /**
   * Sends the connection's next request if it is free and the request is due; else waits for it.
   * A refused request takes its slot and the next due one goes at once.
   */
  private pump(conn: Conn): void {
    if (this.ending || conn.inflight || conn.timer) return;
    const { schedule } = this.o;
    for (;;) {
      const n = conn.slots.peek();
      if (n >= schedule.total) {
        conn.done = true;
        this.maybeFinish();
        return;
      }
      const due = this.t0 + schedule.timeOf(n);
      const now = performance.now();
      if (due > now) {
        conn.timer = setTimeout(this.onTimer, Math.ceil(due - now), conn);
        return;
      }
      try {
        if (this.send(conn, due)) return;
      } catch (err) {
        this.failure = err;
        this.finish(true);
        return;
      }
    }
  }

  /** Sends the request due at `due`; false when it was refused (and counted) instead. */
  private send(conn: Conn, due: number): boolean {
    let req;
    try {
      req = this.o.source.next();
    } catch (err) {
      if (!(err instanceof InvalidRequest)) throw err;
      conn.slots.advance();
      this.refused++;
      this.o.recorder.failure(err.scenario, INVALID_REQUEST);
      return false;
    }
    conn.slots.advance();
    this.sent++;
    const now = performance.now();
    const waited = conn.freeAt - due;
    this.connectionWait.recordMicros(waited > 0 ? waited * 1000 : 0);
    const late = now - Math.max(due, conn.freeAt);
    if (late > LATE_SEND_MS) this.lateSends++;
    if (late > this.lateSendMaxMs) this.lateSendMaxMs = late;
    conn.inflight = { scenario: req.scenario, intended: due, sent: now };
    conn.parser.expect(req.noBody, req.keepBody);
    (conn.socket ?? this.open(conn)).write(req.bytes);
    return true;
  }

  private readonly sweep = (): void => {
    const now = performance.now();
    const timeoutMs = this.o.timeoutMs;
    for (const c of this.conns) {
      if (c.inflight && now - c.inflight.sent > timeoutMs) this.failRequest(c, 'timeout');
    }
    if (++this.checks % GROWTH_CHECK_EVERY === 0) this.checkGrowth(now);
  };

  private checkGrowth(now: number): void {
    const { schedule } = this.o;
    let busy = 0;
    let oldestMs = 0;
    for (const c of this.conns) {
      if (!c.inflight) continue;
      busy++;
      oldestMs = Math.max(oldestMs, now - c.inflight.sent);
    }
    const size = this.conns.length;
    const backlog = schedule.dueBy(now - this.t0) - this.sent;
    this.growingChecks = busy === size && backlog > size && backlog > this.lastBacklog ? this.growingChecks + 1 : 0;
    this.lastBacklog = backlog;
    const meanMs = this.windowCount ? this.windowSumMs / this.windowCount : oldestMs;
    const answeredPerS = (this.windowCount * 1000) / (now - this.windowStart);
    this.windowSumMs = 0;
    this.windowCount = 0;
    this.windowStart = now;
    if (this.growingChecks < GROW_AFTER_CHECKS || size >= this.o.connections.max) return;
    // The last growth did not raise the answer rate: the target, not the pool, is the limit.
    if (answeredPerS < this.answeredAtGrowth * 1.1) return;
    const need = Math.ceil(((schedule.rateAt(now - this.t0) * meanMs) / 1000) * 1.5) + 1;
    if (need <= size) return;
    const count = Math.min(this.o.connections.max, Math.max(need, Math.ceil(size * 1.5)));
    const { added } = growSlots(this.conns.map((c) => c.slots), count);
    this.growingChecks = 0;
    this.answeredAtGrowth = answeredPerS;
    for (const slots of added) {
      const c = new Conn(slots);
      c.freeAt = now;
      this.conns.push(c);
      this.pump(c);
    }
  }

  private maybeFinish(): void {
    if (!this.settle || this.ending) return;
    for (const c of this.conns) if (!c.done || c.inflight) return;
    this.finish(false);
  }

  private finish(cutOff: boolean): void {
    if (this.ending || !this.settle) return;
    this.ending = true;
    const end = performance.now();
    clearInterval(this.sweeper);
    clearTimeout(this.deadline);
    let inflight = 0;
    for (const c of this.conns) {
      clearTimeout(c.timer);
      c.timer = undefined;
      if (c.inflight) inflight++;
      c.inflight = undefined;
      this.dropSocket(c);
    }
    const { schedule } = this.o;
    const started = this.t0 > 0;
    const durationMs = started ? end - this.t0 : 0;
    const due = this.stopped ? (started ? schedule.dueBy(Math.min(durationMs, schedule.durationMs)) : 0) : schedule.total;
    const stats: OpenLoopStats = {
      durationMs,
      sent: this.sent,
      refused: this.refused,
      planned: due,
      dropped: Math.max(0, due - this.sent - this.refused) + (cutOff ? inflight : 0),
      connections: this.conns.length,
      lateSends: this.lateSends,
      lateSendMaxMs: this.lateSendMaxMs,
      connectionWait: this.connectionWait,
      stopped: this.stopped,
    };
    if (this.failure !== undefined) this.fail?.(this.failure);
    else this.settle(stats);
  }
}
