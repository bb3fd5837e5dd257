/**
 * One inspector connection (chrome-remote-interface) to a Node process, with timeouts on connect
 * and on every command, cleanups registered by captures, and a `detach()` that always runs them
 * and closes the socket, also when the target has exited or the connection is gone.
 *
 * A Node process about to exit while a debugger is attached waits for it to disconnect
 * ("Waiting for the debugger to disconnect..."). The session asks to be told
 * (`NodeRuntime.notifyWhenWaitingForDisconnect`): captures then collect what they have while the
 * inspector still answers, and detach so the target can finish exiting.
 */
import { EventEmitter } from 'node:events';
import CDP from 'chrome-remote-interface';
import type ProtocolMapping from 'devtools-protocol/types/protocol-mapping';
import { withTimeout } from '../timeout';
import { formatAddress, type InspectorAddress, type InspectorTarget } from './endpoint';
import { ProfilerError } from './types';

type Commands = ProtocolMapping.Commands;
type Events = ProtocolMapping.Events;

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
const CLEANUP_TIMEOUT_MS = 3_000;

/** `open`; `exiting` = the target is exiting and waits for us to detach; then `closed`. */
export type SessionState = 'open' | 'exiting' | 'closed';

export interface SessionEvents {
  /** The target is exiting: collect what is there and detach. */
  exiting: [];
  /** The connection is gone (detached, target killed, network). */
  closed: [];
}

export interface SendOptions {
  /** Default 30 s; 0 waits as long as the connection lives (a heap snapshot of a big heap). */
  timeoutMs?: number;
}

export class InspectorSession extends EventEmitter<SessionEvents> {
  private cleanups: { label: string; run: () => Promise<unknown> }[] = [];
  private readonly domainUsers = new Map<string, number>();
  private detaching: Promise<void> | undefined;
  private _state: SessionState = 'open';
  /** Resolves when the target starts exiting or the connection closes, whichever comes first. */
  readonly gone: Promise<'exiting' | 'closed'>;

  private constructor(
    readonly client: CDP.Client,
    readonly target: InspectorTarget,
    private readonly shownAs: InspectorAddress,
  ) {
    super();
    this.gone = new Promise((resolve) => {
      this.once('exiting', () => resolve('exiting'));
      this.once('closed', () => resolve('closed'));
    });
    client.on('disconnect', () => this.markClosed());
    client.on('NodeRuntime.waitingForDisconnect' as keyof Events, () => {
      if (this._state !== 'open') return;
      this._state = 'exiting';
      this.emit('exiting');
    });
  }

  /**
   * Connects to a target from `/json/list`; fails after `timeoutMs` with a clear error. `bound`:
   * the address the inspector's socket is bound to, which messages name, when it is not the one
   * connected to (0.0.0.0 reached through 127.0.0.1).
   */
  static async connect(target: InspectorTarget, opts: { timeoutMs?: number; bound?: InspectorAddress } = {}): Promise<InspectorSession> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const where = formatAddress(opts.bound ?? target);
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const connecting = CDP({ target: target.webSocketDebuggerUrl, local: true }).then((client) => {
      // Connected after we gave up: close it, or it would keep the target attached.
      if (timedOut) void client.close().catch(() => undefined);
      return client;
    });
    let client: CDP.Client;
    try {
      client = await Promise.race([
        connecting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            reject(new ProfilerError(`the inspector at ${where} did not accept a connection within ${timeoutMs} ms`, 'timeout'));
          }, timeoutMs);
        }),
      ]);
    } catch (err) {
      if (err instanceof ProfilerError) throw err;
      throw new ProfilerError(`could not connect to the inspector at ${where}: ${(err as Error).message}`, 'unreachable');
    } finally {
      clearTimeout(timer);
    }
    const session = new InspectorSession(client, target, opts.bound ?? target);
    // Older or non-Node inspectors do not know this domain; the session then relies on the disconnect.
    await session.send('NodeRuntime.notifyWhenWaitingForDisconnect' as keyof Commands, { enabled: true } as never, { timeoutMs: 5_000 }).catch(() => undefined);
    return session;
  }

  get state(): SessionState {
    return this._state;
  }

  /** `127.0.0.1:9229`: where the inspector is bound. */
  get address(): string {
    return formatAddress(this.shownAs);
  }

  /** Sends a command; rejects with a ProfilerError when the connection drops or it times out. */
  async send<M extends keyof Commands>(method: M, params?: Commands[M]['paramsType'][0], opts: SendOptions = {}): Promise<Commands[M]['returnType']> {
    if (this._state === 'closed') throw this.closedError(method);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const sending = (this.client.send as (m: string, p?: object) => Promise<Commands[M]['returnType']>)(method, params ?? {});
    try {
      return await (timeoutMs > 0
        ? Promise.race([
            sending,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new ProfilerError(`${method} got no answer within ${timeoutMs} ms from ${this.address}`, 'timeout')), timeoutMs);
            }),
          ])
        : sending);
    } catch (err) {
      if (err instanceof ProfilerError) throw err;
      if (this.isClosed() || /WebSocket (connection closed|is not open)/.test((err as Error).message)) {
        this.markClosed();
        throw this.closedError(method);
      }
      throw new ProfilerError(`${method} failed: ${(err as Error).message}`, 'internal');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Subscribes to a protocol event; returns the unsubscribe function. */
  subscribe<E extends keyof Events>(event: E, listener: (params: Events[E][0]) => void): () => void {
    const emitter = this.client as unknown as EventEmitter;
    emitter.on(event, listener);
    return () => emitter.off(event, listener);
  }

  /**
   * Enables a profiler domain for as long as someone uses it; the returned function releases it,
   * and the last release disables it. Disabling `HeapProfiler` makes V8 forget its object ids, so
   * snapshots meant to be compared by id (the leak hunt) must hold it enabled across all of them.
   */
  async acquire(domain: 'Profiler' | 'HeapProfiler'): Promise<() => Promise<void>> {
    const users = this.domainUsers.get(domain) ?? 0;
    this.domainUsers.set(domain, users + 1);
    if (users === 0) {
      try {
        await this.send(`${domain}.enable`);
      } catch (err) {
        this.domainUsers.set(domain, (this.domainUsers.get(domain) ?? 1) - 1);
        throw err;
      }
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      const left = (this.domainUsers.get(domain) ?? 1) - 1;
      this.domainUsers.set(domain, left);
      if (left === 0 && !this.isClosed()) await this.send(`${domain}.disable`).catch(() => undefined);
    };
  }

  /**
   * Starts a profiler of `domain` that runs until the returned `stop()` (which returns what it
   * recorded, once, however often it is called) or until detach (which sends `abandon`, e.g.
   * `Profiler.stop`). The domain is held enabled meanwhile; a `start` that fails releases it.
   */
  async record<T>(domain: 'Profiler' | 'HeapProfiler', what: string, start: () => Promise<unknown>, stop: () => Promise<T>, abandon: () => Promise<unknown>): Promise<() => Promise<T>> {
    const release = await this.acquire(domain);
    const unregister = this.addCleanup(`stop ${what}`, async () => {
      await abandon().catch(() => undefined);
      await release();
    });
    try {
      await start();
    } catch (err) {
      unregister();
      await release();
      throw err;
    }
    let stopped: Promise<T> | undefined;
    return () =>
      (stopped ??= (async () => {
        const result = await stop();
        unregister();
        await release();
        return result;
      })());
  }

  /**
   * Registers something `detach()` must undo (stop a profiler, remove an injected sampler).
   * Cleanups run last-in first-out; the returned function unregisters one that is no longer needed.
   */
  addCleanup(label: string, run: () => Promise<unknown>): () => void {
    const entry = { label, run };
    this.cleanups.push(entry);
    return () => {
      this.cleanups = this.cleanups.filter((c) => c !== entry);
    };
  }

  /**
   * Runs the cleanups and closes the connection. Idempotent, never throws: problems are handed to
   * `onProblem` (a target that is gone cannot be cleaned up, and need not be).
   */
  detach(onProblem?: (message: string) => void): Promise<void> {
    this.detaching ??= (async () => {
      for (const cleanup of this.cleanups.reverse()) {
        if (this.isClosed()) break;
        try {
          await withTimeout(cleanup.run(), CLEANUP_TIMEOUT_MS, `${cleanup.label} took longer than ${CLEANUP_TIMEOUT_MS} ms`);
        } catch (err) {
          if (!this.isClosed()) onProblem?.(`cleanup "${cleanup.label}" failed: ${(err as Error).message}`);
        }
      }
      this.cleanups = [];
      if (!this.isClosed()) {
        try {
          await withTimeout(this.client.close(), CLEANUP_TIMEOUT_MS, 'close took too long');
        } catch {
          // A socket that will not close politely is dropped.
          (this.client as unknown as { _ws?: { terminate(): void } })._ws?.terminate();
        }
      }
      this.markClosed();
    })();
    return this.detaching;
  }

  /** Pauses / resumes reading from the socket: backpressure for streamed snapshot chunks. */
  setReading(reading: boolean): void {
    const socket = (this.client as unknown as { _ws?: { _socket?: { pause(): void; resume(): void } } })._ws?._socket;
    if (reading) socket?.resume();
    else socket?.pause();
  }

  /** A method, not a property read, so narrowing does not hide changes made by events meanwhile. */
  private isClosed(): boolean {
    return this._state === 'closed';
  }

  private markClosed(): void {
    if (this._state === 'closed') return;
    this._state = 'closed';
    this.emit('closed');
  }

  private closedError(method: string): ProfilerError {
    return new ProfilerError(`the connection to ${this.address} closed during ${method}: the target exited or was killed`, 'target-exit');
  }
}

/** Runs `fn` with a connected session and always detaches afterwards. */
export async function withSession<T>(target: InspectorTarget, fn: (session: InspectorSession) => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
  const session = await InspectorSession.connect(target, opts);
  try {
    return await fn(session);
  } finally {
    await session.detach();
  }
}
