/**
 * Closed-loop phases (a fixed number of connections, each sending its next request when the
 * previous one answers) run on autocannon, inside the load-generator worker.
 *
 * Latency: autocannon's own histogram holds whole milliseconds, so each response's time (which
 * autocannon measures with hrtime) is recorded at microsecond resolution from its `response`
 * event instead. Scenarios: autocannon cycles through a list of requests, so weighted scenarios
 * become a shuffled deck of 100 requests whose counts follow the weights; each entry's
 * `onResponse` names its scenario for the `response` event that immediately follows. A profile
 * with one template-free scenario and no body check hands autocannon a single fixed request, the
 * same work as bare autocannon.
 *
 * Failures: autocannon reports a failed connection without saying which requests it carried,
 * so each client (connection) is watched from `setupClient` instead: the requests it still had in
 * flight when its connection failed, or when it timed out, are failures of their own scenarios,
 * each counted once (the same rows as the answers). A request the request source refuses
 * (./requestSource.ts) is counted as `invalid-request` and the connection builds the next one.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import type { ClosedPhase } from '../../core/config/types';
import type { PhaseRecorder } from './recorder';
import type { RenderedRequest } from './requestPlan';
import { weightedDeck } from './requestPlan';
import { INVALID_REQUEST, InvalidRequest, type RequestSource } from './requestSource';

/** A request of autocannon's list, tagged with its scenario (the tag survives autocannon's copies). */
interface Entry extends autocannon.Request {
  scenario: number;
}

/** What a client writes once the run has to stop: nothing reaches the wire. */
const NOTHING = Buffer.alloc(0);

export interface ClosedLoopOptions {
  phase: ClosedPhase;
  /** `http://host:port`. */
  origin: string;
  source: RequestSource;
  recorder: PhaseRecorder;
  timeoutMs: number;
}

export interface ClosedLoopStats {
  durationMs: number;
  stopped: boolean;
}

export class ClosedLoop {
  private instance: autocannon.Instance | undefined;
  private stopped = false;

  constructor(private readonly o: ClosedLoopOptions) {}

  // Which scenario the next `response` event belongs to, and whether its body check failed: set
  // by the request's onResponse, which autocannon calls just before that event.
  private current = 0;
  private bodyFailed = false;
  private generatorError: unknown;

  run(): Promise<ClosedLoopStats> {
    const { phase, source, recorder } = this.o;
    const scenarios = source.scenarios;
    const requests = this.requests();
    const start = performance.now();
    return new Promise<ClosedLoopStats>((resolve, reject) => {
      this.instance = autocannon(
        {
          url: this.o.origin,
          connections: phase.connections,
          pipelining: phase.pipelining,
          duration: phase.durationMs / 1000,
          timeout: Math.max(1, this.o.timeoutMs / 1000),
          // autocannon checks for the end of the run once per sample: 100 ms keeps stop() prompt.
          sampleInt: 100,
          requests,
          setupClient: (client) => this.setupClient(client),
        },
        (err) => {
          const durationMs = performance.now() - start;
          if (this.generatorError !== undefined) reject(this.generatorError);
          else if (err) reject(err);
          else resolve({ durationMs, stopped: this.stopped });
        },
      );
      this.instance.on('response', (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
        const kind = !scenarios[this.current]!.statusOk(status) ? `status:${status}` : this.bodyFailed ? 'expect:body' : undefined;
        recorder.response(this.current, responseTimeMs, responseTimeMs, kind);
      });
      if (this.stopped || this.generatorError !== undefined) this.instance.stop();
    });
  }

  /** autocannon's request list: one static request, or a weighted deck of the scenarios, rendered per request where they change. */
  private requests(): Entry[] {
    const { source, recorder } = this.o;
    const scenarios = source.scenarios;
    const simple = scenarios.length === 1 && scenarios[0]!.isStatic && scenarios[0]!.bodyContains === undefined && !source.hasGenerator;
    if (simple) return [{ ...toAutocannon(scenarios[0]!.render({ seq: 0 })), scenario: 0 }];
    const handlers = scenarios.map((s, i) => (_status: number, body: string) => {
      this.current = i;
      this.bodyFailed = s.bodyContains !== undefined && !body.includes(s.bodyContains);
    });
    const dynamic = scenarios.map((s) => !s.isStatic || source.hasGenerator);
    return weightedDeck(scenarios.map((s) => s.weight)).map((i) => {
      const entry: Entry = { ...toAutocannon(scenarios[i]!.render({ seq: 0 })), onResponse: handlers[i]!, scenario: i };
      if (dynamic[i]) {
        entry.setupRequest = (req) => {
          for (;;) {
            try {
              return { ...req, ...toAutocannon(source.render(i)) };
            } catch (err) {
              if (err instanceof InvalidRequest) {
                recorder.failure(i, INVALID_REQUEST);
                continue;
              }
              // Returned, but never written: every client writes NOTHING from now on.
              this.generatorError ??= err;
              this.instance?.stop();
              return req;
            }
          }
        };
      }
      return entry;
    });
  }

  /** Counts what autocannon does not: requests lost with a timed-out, failed or closed connection. */
  private setupClient(client: autocannon.Client): void {
    const { recorder } = this.o;
    const queue = client.pipelinedRequests;
    const scenarioOf = (p: autocannon.PendingRequest) => (p.req as Entry).scenario;
    const clear = queue.clear.bind(queue);
    // autocannon clears the queue when a connection times out, then emits one `timeout` per request.
    const timedOut: number[] = [];
    queue.clear = () => {
      for (const p of queue.toArray()) timedOut.push(scenarioOf(p));
      clear();
    };
    client.on('timeout', () => {
      const scenario = timedOut.shift();
      if (scenario !== undefined) recorder.failure(scenario, 'timeout');
    });
    let error: string | undefined;
    let closeAsked = false;
    client.on('connError', (err: NodeJS.ErrnoException) => {
      error = err.code ?? 'socket-error';
    });
    client.on('headers', (info: { shouldKeepAlive?: boolean }) => {
      closeAsked = info.shouldKeepAlive === false;
    });
    // Called for the next connection after an error or a close. What the old one still carried
    // died with it, unless the target had said it would close (then it was never read).
    const connect = client._connect.bind(client);
    client._connect = () => {
      const kind = error ?? (closeAsked ? undefined : 'ECONNRESET');
      if (kind !== undefined) for (const p of queue.toArray()) recorder.failure(scenarioOf(p), kind);
      clear();
      error = undefined;
      closeAsked = false;
      connect();
    };
    const bytes = client.getRequestBuffer.bind(client);
    client.getRequestBuffer = () => (this.generatorError === undefined ? bytes() : NOTHING);
  }

  stop(): void {
    this.stopped = true;
    this.instance?.stop();
  }
}

function toAutocannon(req: RenderedRequest): autocannon.Request {
  const out: autocannon.Request = { method: req.method, path: req.path, headers: req.headers };
  if (req.body !== undefined) out.body = req.body;
  return out;
}
