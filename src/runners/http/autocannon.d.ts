/** The part of autocannon 9's programmatic API the closed loop uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** Called before each send of this request; returns the request to send. */
      setupRequest?: (req: Request, context: Record<string, unknown>) => Request;
      /** Called with each answer to this request, before the instance's `response` event. */
      onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, unknown>) => void;
    }

    /** An entry of a client's queue of requests sent and not yet answered. */
    interface PendingRequest {
      /** The request object it was sent from (the client's own copy of an entry of `requests`). */
      req: Request;
    }

    /**
     * One connection of the run, as `setupClient` receives it. Besides its events (`connError`
     * with the socket's error, `timeout` once per request in flight), the closed loop relies on
     * two internals of autocannon 9.0's lib/httpClient.js to know which requests a failure hit:
     * the queue of requests in flight, which it clears when it drops a connection, and
     * `_connect`, which it calls to open the next connection after an error or a close. The
     * `headers` event carries http-parser-js's info, `shouldKeepAlive` included.
     */
    interface Client extends EventEmitter {
      pipelinedRequests: { toArray(): PendingRequest[]; clear(): void };
      _connect(): void;
      /** The bytes of the request about to be written. */
      getRequestBuffer(): Buffer;
    }

    interface Options {
      url: string;
      /** Called with each client (connection) as it is created, before it connects. */
      setupClient?: (client: Client) => void;
      connections?: number;
      pipelining?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds. */
      timeout?: number;
      /** Milliseconds between samples; the run also checks for its end this often. */
      sampleInt?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      requests?: Request[];
      overallRate?: number;
    }

    interface Result {
      requests: { average: number; total: number };
      errors: number;
      timeouts: number;
      duration: number;
      [key: string]: unknown;
    }

    interface Instance extends EventEmitter {
      stop(): void;
    }
  }

  function autocannon(opts: autocannon.Options, cb: (err: Error | null, result: autocannon.Result) => void): autocannon.Instance;
  export = autocannon;
}
