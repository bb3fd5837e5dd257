/**
 * Leak detection, two ways.
 *
 * - `snapshots` (default), the three-snapshot method: warm-up → baseline snapshot → the action (a
 *   load profile, N requests, a callback) → target snapshot → forced GC → final snapshot. Objects
 *   allocated between baseline and target that are still alive in final, grouped by constructor,
 *   are what the action leaves behind (analysis/leakReport; its noise floor keeps the one-off
 *   allocations of a healthy process out).
 * - `sampling`, cheaper (no pause): heap sampling of live objects while the action runs in
 *   rounds, with a forced GC and a look at the profile after each; functions whose live bytes grow
 *   round after round are the suspects.
 */
import * as path from 'node:path';
import { isLoopbackHost } from '../../core/config/hosts';
import { leakReport, type LeakReport, type LeakReportOptions } from './analysis';
import { retainerPathLine } from './analysis/format';
import { writeJsonAtomic } from './atomicFile';
import { startHeapSampling, type HeapProfile } from './heap';
import type { InspectorSession } from './session';
import { takeHeapSnapshot } from './snapshot';
import type { SnapshotMemoryOptions } from './snapshotMemory';
import { formatBytes, formatCount, formatNumber, formatTally } from '../../core/format';
import { CaptureHandle, ProfilerError } from './types';

/** What the target is made to do between baseline and target. */
export interface LeakAction {
  /** For messages: `300 × POST /messages`, `load profile "smoke"`. */
  label: string;
  /**
   * Runs the action once through; resolves with what it did. An action that mostly failed (a
   * typo in a path answers 404 every time) rejects instead: the hunt would measure nothing.
   */
  run(signal: AbortSignal): Promise<ActionRun>;
}

/** What one run of an action did. */
export interface ActionRun {
  /** Operations performed (requests, calls). */
  operations: number;
  /** HTTP actions: responses by status (`"200"`, `"404"`; `"error"` for a request with no answer). */
  responses?: Record<string, number>;
}

/** An action fails when more than this share of its operations failed. */
export const MAX_FAILED_SHARE = 0.1;

export type LeakMode = 'snapshots' | 'sampling';

export interface LeakOptions {
  /** Folder for the snapshots and `leaks.json`. */
  dir: string;
  action: LeakAction;
  /** Run before the baseline so lazy initialisation (caches, JIT, pools) is not taken for a leak. */
  warmup?: LeakAction;
  mode?: LeakMode;
  /** Pause before the final snapshot so in-flight work (queued jobs) can finish. Default 1 s. */
  settleMs?: number;
  /** Sampling mode: how many times the action runs. Default 5. */
  rounds?: number;
  /**
   * Summary lines show whole retainer paths; by default the runtime's leading hops are summed up
   * as `… 6 internal hops via Timeout._onTimeout` (`leaks.json` always has the whole path).
   */
  fullRetainerPaths?: boolean;
  /** Snapshot mode: take the snapshots even when the machine lacks the memory they are projected to need. */
  force?: boolean;
  /** Snapshot mode: how that projection is made (see checkSnapshotMemory). */
  memory?: SnapshotMemoryOptions;
  /** Noise floor of the snapshot report (analysis defaults: 20 objects, 64 KiB retained). */
  report?: Pick<LeakReportOptions, 'minCount' | 'minRetainedBytes' | 'top'>;
  signal?: AbortSignal;
}

/** A function whose live sampled bytes grew across the rounds (sampling mode). */
export interface AllocationGrowth {
  name: string;
  url: string;
  line: number;
  /** Live bytes (sampled estimate) after the baseline and after each round. */
  bytes: number[];
  growthBytes: number;
  /** Rounds in which it grew. */
  growingRounds: number;
}

export interface LeakResult {
  mode: LeakMode;
  action: string;
  /** Operations the action performed (all rounds). */
  operations: number;
  /** HTTP actions: responses by status over all rounds (the warm-up apart). */
  responses?: Record<string, number>;
  snapshots?: { baseline: string; target: string; final: string };
  /** Snapshot mode: groups above the noise floor, largest first. */
  report?: LeakReport;
  /** Sampling mode: functions that grew in every round (or all but one), largest growth first. */
  growth?: AllocationGrowth[];
  /** `leaks.json`: the result as written. */
  file: string;
  /** One line per finding, for the CLI and the editor. */
  summary: string[];
}

export function findLeaks(session: InspectorSession, opts: LeakOptions): CaptureHandle<LeakResult> {
  return new CaptureHandle(async (handle, signal) => {
    const mode = opts.mode ?? 'snapshots';
    const started = Date.now();
    const step = (phase: string, fraction: number, message?: string) => handle.emit('progress', { fraction, elapsedMs: Date.now() - started, phase, message });
    const gc = () => session.send('HeapProfiler.collectGarbage', undefined, { timeoutMs: 60_000 });

    if (opts.warmup) {
      step('warm-up', 0, opts.warmup.label);
      await opts.warmup.run(signal);
    }
    // Held across all snapshots: disabling the heap profiler in between would renumber every
    // object, and the comparison by id would see everything as new.
    const release = await session.acquire('HeapProfiler');
    const unregister = session.addCleanup('release the heap profiler', release);
    try {
      const result = mode === 'sampling' ? await bySampling(session, opts, handle, signal, step, gc) : await bySnapshots(session, opts, handle, signal, step, gc);
      step('done', 1);
      return result;
    } finally {
      unregister();
      await release();
    }
  }, opts.signal);
}

type Step = (phase: string, fraction: number, message?: string) => void;

async function bySnapshots(session: InspectorSession, opts: LeakOptions, handle: CaptureHandle<LeakResult>, signal: AbortSignal, step: Step, gc: () => Promise<unknown>): Promise<LeakResult> {
  const files = {
    baseline: path.join(opts.dir, 'baseline.heapsnapshot'),
    target: path.join(opts.dir, 'target.heapsnapshot'),
    final: path.join(opts.dir, 'final.heapsnapshot'),
  };
  let warned = false;
  const snapshot = async (file: string, phase: string, fraction: number) => {
    step(phase, fraction);
    const capture = takeHeapSnapshot(session, { out: file, signal, force: opts.force, memory: opts.memory });
    capture.on('log', (l) => {
      // The pause warning once, not three times.
      if (!warned || l.level !== 'warn') handle.emit('log', l);
      warned = true;
    });
    capture.on('progress', (p) => step(phase, fraction + p.fraction * 0.1, p.message));
    await capture.result;
  };

  await gc();
  await snapshot(files.baseline, 'baseline snapshot', 0.05);
  step('action', 0.2, opts.action.label);
  const done = await opts.action.run(signal);
  const operations = done.operations;
  signal.throwIfAborted();
  await snapshot(files.target, 'target snapshot', 0.5);
  await sleep(opts.settleMs ?? 1_000, signal);
  await gc();
  await snapshot(files.final, 'final snapshot', 0.65);

  step('analysis', 0.8, 'comparing the three snapshots');
  const report = await leakReport(files.baseline, files.target, files.final, {
    ...opts.report,
    signal,
    onProgress: (p) => step('analysis', 0.8 + p.fraction * 0.2, p.message),
  });
  const summary = report.groups.length
    ? report.groups.map((g) => leakLine(g, operations, opts.fullRetainerPaths ?? false))
    : [`no group of objects left behind by ${opts.action.label} stands above the noise floor (${report.noise.minCount} objects, ${formatBytes(report.noise.minRetainedBytes)} retained)`];
  const result: Omit<LeakResult, 'file'> = { mode: 'snapshots', action: opts.action.label, operations, ...responsesOf([done]), snapshots: files, report, summary };
  const file = await writeJsonAtomic(path.join(opts.dir, 'leaks.json'), result);
  return { ...result, file };
}

/** The responses of several runs added up, when the action counts them. */
function responsesOf(runs: readonly ActionRun[]): Pick<LeakResult, 'responses'> {
  if (!runs.some((r) => r.responses)) return {};
  const responses: Record<string, number> = {};
  for (const r of runs) for (const [status, n] of Object.entries(r.responses ?? {})) responses[status] = (responses[status] ?? 0) + n;
  return { responses };
}

function leakLine(g: LeakReport['groups'][number], operations: number, fullPath: boolean): string {
  const per = operations > 0 ? `, ${formatNumber(g.count / operations)} per operation` : '';
  const via = g.retainerPath.length ? `\n    retained via ${retainerPathLine(g.retainerPath, g.runtimeHops, fullPath)}` : '';
  return `${g.name}: ${formatCount(g.count)} objects still alive (${formatBytes(g.retainedSize)} retained, ${formatBytes(g.shallowSize)} shallow${per})${via}`;
}

async function bySampling(session: InspectorSession, opts: LeakOptions, handle: CaptureHandle<LeakResult>, signal: AbortSignal, step: Step, gc: () => Promise<unknown>): Promise<LeakResult> {
  const rounds = opts.rounds ?? 5;
  if (!(Number.isInteger(rounds) && rounds >= 2)) throw new ProfilerError(`sampling mode needs at least 2 rounds, not ${rounds}`, 'refused');
  // Live objects only: growth of what stays alive round after round is the sign of a leak.
  const recording = await startHeapSampling(session, { live: true });
  const checkpoints: Map<string, number>[] = [];
  const frames = new Map<string, { name: string; url: string; line: number }>();
  const runs: ActionRun[] = [];
  try {
    const checkpoint = async () => {
      await gc();
      checkpoints.push(liveBytesByFunction(await recording.current(), frames));
    };
    await checkpoint();
    for (let r = 0; r < rounds; r++) {
      step('action', (r / rounds) * 0.9, `round ${r + 1} of ${rounds}: ${opts.action.label}`);
      runs.push(await opts.action.run(signal));
      signal.throwIfAborted();
      await checkpoint();
    }
  } finally {
    await recording.stop().catch(() => undefined);
  }
  const operations = runs.reduce((n, r) => n + r.operations, 0);
  const minGrowth = opts.report?.minRetainedBytes ?? 64 * 1024;
  const growth: AllocationGrowth[] = [];
  for (const [key, frame] of frames) {
    const bytes = checkpoints.map((c) => c.get(key) ?? 0);
    let growingRounds = 0;
    for (let i = 1; i < bytes.length; i++) if (bytes[i]! > bytes[i - 1]!) growingRounds++;
    const growthBytes = bytes[bytes.length - 1]! - bytes[0]!;
    // Steady growth: every round, or all but one in longer hunts (one GC timing hiccup is forgiven).
    if (growingRounds >= (rounds >= 5 ? rounds - 1 : rounds) && growthBytes >= minGrowth) growth.push({ ...frame, bytes, growthBytes, growingRounds });
  }
  growth.sort((a, b) => b.growthBytes - a.growthBytes);
  const summary = growth.length
    ? growth.slice(0, 10).map((g) => `${g.name || '(anonymous)'} (${g.url}:${g.line}): live memory it allocated grew in ${g.growingRounds} of ${rounds} rounds, by ${formatBytes(g.growthBytes)} (${formatBytes(operations ? g.growthBytes / operations : 0)} per operation)`)
    : [`no function's live allocations grew steadily across ${rounds} rounds of ${opts.action.label} (threshold ${formatBytes(minGrowth)})`];
  handle.log('info', 'sampling mode estimates from samples; confirm a suspect with the snapshot mode, which also shows what retains it');
  const result: Omit<LeakResult, 'file'> = { mode: 'sampling', action: opts.action.label, operations, ...responsesOf(runs), growth, summary };
  const file = await writeJsonAtomic(path.join(opts.dir, 'leaks.json'), result);
  return { ...result, file };
}

/**
 * Live sampled bytes per allocation site, keyed by name, url and line. A site is the innermost
 * frame of the application's own code: bytes allocated inside builtins (`Array.from`) or Node's
 * internals count for the code that called them, which is where a fix would go.
 */
function liveBytesByFunction(profile: HeapProfile, frames: Map<string, { name: string; url: string; line: number }>): Map<string, number> {
  type Node = HeapProfile['head'];
  const out = new Map<string, number>();
  const stack: { node: Node; site: Node | undefined }[] = [{ node: profile.head, site: undefined }];
  while (stack.length) {
    const { node, site: parentSite } = stack.pop()!;
    const f = node.callFrame;
    const own = f.url !== '' && !f.url.startsWith('node:') && !f.url.startsWith('internal/');
    const site = own ? node : parentSite;
    if (node.selfSize > 0) {
      const sf = (site ?? node).callFrame;
      const key = `${sf.functionName}\0${sf.url}\0${sf.lineNumber}`;
      out.set(key, (out.get(key) ?? 0) + node.selfSize);
      if (!frames.has(key)) frames.set(key, { name: sf.functionName, url: sf.url, line: sf.lineNumber + 1 });
    }
    for (const child of node.children) stack.push({ node: child, site });
  }
  return out;
}

/** N repeats of a callback, `concurrency` at a time. */
export function repeatAction(label: string, repeats: number, fn: (i: number, signal: AbortSignal) => Promise<unknown>, concurrency = 1): LeakAction {
  if (!(Number.isInteger(repeats) && repeats >= 1)) throw new ProfilerError(`repeats must be a whole number ≥ 1, not ${repeats}`, 'refused');
  return {
    label,
    async run(signal) {
      await runRepeats(repeats, concurrency, (i) => fn(i, signal), signal);
      return { operations: repeats };
    },
  };
}

async function runRepeats(repeats: number, concurrency: number, fn: (i: number) => Promise<unknown>, signal: AbortSignal): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < repeats) {
      signal.throwIfAborted();
      await fn(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, repeats)) }, lane));
}

export interface HttpRepeatOptions {
  url: string;
  method?: string;
  /** A JSON value (sent as application/json) or a string. */
  body?: unknown;
  headers?: Record<string, string>;
  repeats: number;
  /** Requests in flight at once. Default 10. */
  concurrency?: number;
  /** Hosts besides loopback this may send to (as the config's `allowHosts`). */
  allowHosts?: readonly string[];
}

/**
 * N repeats of one HTTP request. Every response is counted by status; the action fails (after its
 * requests, naming the status and what to check) when more than MAX_FAILED_SHARE of them failed:
 * an error status (4xx, 5xx) or no answer at all.
 */
export function httpRepeatAction(opts: HttpRepeatOptions): LeakAction {
  const url = new URL(opts.url);
  if (!isLoopbackHost(url.hostname) && !(opts.allowHosts ?? []).includes(url.hostname)) {
    throw new ProfilerError(`refusing to send requests to ${url.host}: only loopback unless the host is allowed`, 'refused');
  }
  if (!(Number.isInteger(opts.repeats) && opts.repeats >= 1)) throw new ProfilerError(`repeats must be a whole number ≥ 1, not ${opts.repeats}`, 'refused');
  const method = (opts.method ?? 'GET').toUpperCase();
  const json = opts.body !== undefined && typeof opts.body !== 'string';
  const body = opts.body === undefined ? undefined : json ? JSON.stringify(opts.body) : (opts.body as string);
  const headers = { ...(json ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  const label = `${opts.repeats} × ${method} ${url.pathname}${url.search}`;
  return {
    label,
    async run(signal) {
      const responses: Record<string, number> = {};
      let firstError: string | undefined;
      await runRepeats(opts.repeats, opts.concurrency ?? 10, async () => {
        let status: string;
        try {
          const res = await fetch(url, { method, headers, body, signal });
          await res.arrayBuffer();
          status = String(res.status);
        } catch (err) {
          if (signal.aborted) throw err;
          firstError ??= (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
          status = 'error';
        }
        responses[status] = (responses[status] ?? 0) + 1;
      }, signal);
      const failed = Object.entries(responses).filter(([status]) => !/^[23]\d\d$/.test(status));
      const failedCount = failed.reduce((n, [, c]) => n + c, 0);
      if (failedCount > MAX_FAILED_SHARE * opts.repeats) {
        const [worst] = failed.sort((a, b) => b[1] - a[1])[0]!;
        const share = failedCount === opts.repeats ? 'every request' : `${failedCount} of ${opts.repeats} requests`;
        throw new ProfilerError(
          `${method} ${url.href}: ${share} failed (responses: ${formatTally(responses)}); ${failureHint(worst, firstError)}. A leak hunt measures what the action leaves behind, so it needs the action to succeed (at most ${MAX_FAILED_SHARE * 100}% failures)`,
          'action-failed',
        );
      }
      return { operations: opts.repeats, responses };
    },
  };
}

/** What to check for the most frequent failing status. */
function failureHint(status: string, firstError: string | undefined): string {
  if (status === 'error') return `no answer (${firstError ?? 'no response'}): is the server running and listening on that port?`;
  const code = Number(status);
  if (code === 400 || code === 422) return `${status}: the server rejected the request; check --body (the JSON the endpoint expects) and the method`;
  if (code === 401 || code === 403) return `${status}: the endpoint wants credentials; --request sends no authentication`;
  if (code === 404 || code === 405) return `${status}: check the method and the path in --request (a typo?)`;
  if (code >= 500) return `${status}: the server failed; its log says why`;
  return `${status}: check the request`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
