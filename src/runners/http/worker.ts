/**
 * The load-generator worker (bundled as `dist/http-worker.js`): runs a profile's phases in order
 * and reports samples and per-phase histograms to the runner. Load never runs on the caller's
 * thread, so a busy editor or CLI cannot delay requests or stretch measured latencies. It stops
 * the run early when the target stops answering (./liveness.ts) and says so in `done`.
 */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { LOOP_DELAY_RESOLUTION_MS, loopDelayStats } from '../loopDelay';
import { parentPort, workerData } from 'node:worker_threads';
import type { ClosedPhase, OpenPhase, Phase } from '../../core/config/types';
import { LatencyHistogram } from '../../core/stats';
import { ClosedLoop } from './closedLoop';
import { loadGenerator, type GeneratorNext } from './customGenerator';
import { assessHealth } from './health';
import { TargetLiveness, type FailureStreak } from './liveness';
import { OpenLoop, type Endpoint } from './openLoop';
import type { FromWorker, PhaseData, ToWorker, Unanswered, WorkerInit } from './protocol';
import { PhaseRecorder, type RunTally } from './recorder';
import { compileScenarios, targetInfo } from './requestPlan';
import { GeneratorFailure, RequestSource } from './requestSource';
import { ArrivalSchedule } from './schedule';
import { TemplateError } from '../../core/config/templates';

const SAMPLE_MS = 1_000;
/** How often the worker asks whether the target is down. */
const LIVENESS_CHECK_MS = 250;

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

let current: { stop(): void } | undefined;
let stopRequested = false;
port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') {
    stopRequested = true;
    current?.stop();
  }
});

/** The generator's own event-loop delay, p99, in ms (net of the timer resolution). */
const lagP99 = (h: IntervalHistogram) => loopDelayStats(h).p99;

async function main(): Promise<void> {
  const target = targetInfo(init.baseUrl, init.targetHeaders);
  let source: RequestSource;
  try {
    let generator: GeneratorNext | undefined;
    if (init.generatorModule) generator = await loadGenerator(init.generatorModule);
    const warn = (message: string) => post({ type: 'log', level: 'warn', message });
    source = new RequestSource(compileScenarios(init.scenarios, target), target, generator, warn);
  } catch (err) {
    const config = err instanceof TemplateError || init.generatorModule !== undefined;
    post({ type: 'fatal', code: config ? 'config' : 'internal', message: (err as Error).message });
    return;
  }
  post({ type: 'ready' });

  const url = new URL(init.baseUrl);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const endpoint: Endpoint = {
    host: hostname,
    port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    tls: url.protocol === 'https:',
    ...(url.protocol === 'https:' && !/^[\d.]+$|:/.test(hostname) ? { servername: hostname } : {}),
  };
  // A shard of a distributed run starts at the shared time, its phases at their planned times.
  const shard = init.shard;
  const runStart = shard ? performance.now() + (shard.startAtEpochMs - Date.now()) : performance.now();
  const raw = shard?.keepRaw ? [] as number[] : undefined;
  const runLag = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  runLag.enable();
  const total: RunTally = { count: 0, liveness: new TargetLiveness() };
  const unanswered = (streak: FailureStreak, stoppedRun: boolean): Unanswered => ({
    sinceMs: streak.since - runStart, forMs: performance.now() - streak.since, failures: streak.failures, byKind: streak.byKind, stoppedRun,
  });
  let down: Unanswered | undefined;
  const watchdog = setInterval(() => {
    const streak = total.liveness.down();
    if (!streak || down) return;
    down = unanswered(streak, true);
    current?.stop();
  }, LIVENESS_CHECK_MS);

  try {
    let plannedStart = runStart;
    for (let index = 0; index < init.phases.length && !stopRequested && !down; index++) {
      const phase = init.phases[index]!;
      const startAt = shard ? plannedStart : undefined;
      plannedStart += phase.durationMs;
      const { data, failure } = await runPhase(index, phase, { source, endpoint, origin: url.origin, runStart, total, startAt, raw });
      post({ type: 'phase-end', phase: data });
      if (failure !== undefined) {
        const generator = failure instanceof GeneratorFailure;
        post({ type: 'fatal', code: generator ? 'config' : 'internal', message: (failure as Error)?.message ?? String(failure) });
        return;
      }
    }
  } finally {
    clearInterval(watchdog);
  }
  runLag.disable();
  // A streak still going on at the end: the runner checks whether the target is there at all.
  const streak = total.liveness.streak();
  const end = down ?? (streak ? unanswered(streak, false) : undefined);
  post({ type: 'done', lagP99Ms: lagP99(runLag), ...(end ? { unanswered: end } : {}), ...(raw ? { raw } : {}) });
}

interface PhaseContext {
  source: RequestSource;
  endpoint: Endpoint;
  origin: string;
  runStart: number;
  total: RunTally;
  /** A shard's phase: when it starts (performance.now()), so every agent's share starts together. */
  startAt?: number;
  raw?: number[];
}

async function runPhase(index: number, phase: Phase, ctx: PhaseContext): Promise<{ data: PhaseData; failure?: unknown }> {
  const { source } = ctx;
  source.phase = phase.name;
  const open = phase.model === 'open';
  const recorder = new PhaseRecorder(source.scenarios.map((s) => s.name), open, ctx.total, ctx.raw);
  const lag = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  lag.enable();
  const start = performance.now();
  post({ type: 'phase-start', index, name: phase.name, elapsedMs: start - ctx.runStart });

  recorder.window.restart(start);
  const sample = () => {
    const now = performance.now();
    const histogram = init.shard ? recorder.window.serialize() : undefined;
    post({
      type: 'sample', point: recorder.window.take(now, ctx.runStart, phase.name), total: ctx.total.count, elapsedMs: now - ctx.runStart,
      ...(histogram ? { histogram } : {}),
    });
  };
  const sampler = setInterval(sample, SAMPLE_MS);

  let failure: unknown;
  let durationMs = 0;
  let stopped = false;
  let openStats: Awaited<ReturnType<OpenLoop['run']>> | undefined;
  try {
    if (open) {
      const p = phase as OpenPhase;
      const loop = new OpenLoop({
        schedule: new ArrivalSchedule(p.arrivalRate, p.durationMs, p.rampTo, init.shard ? { index: init.shard.index, of: init.shard.of } : undefined),
        endpoint: ctx.endpoint,
        source,
        recorder,
        timeoutMs: init.timeoutMs,
        connections: init.connections,
        ...(ctx.startAt !== undefined ? { startAt: ctx.startAt } : {}),
      });
      current = loop;
      if (stopRequested) loop.stop();
      openStats = await loop.run();
      durationMs = openStats.durationMs;
      stopped = openStats.stopped;
    } else {
      const loop = new ClosedLoop({ phase: phase as ClosedPhase, origin: ctx.origin, source, recorder, timeoutMs: init.timeoutMs });
      current = loop;
      if (ctx.startAt !== undefined) await untilStart(ctx.startAt);
      if (stopRequested) loop.stop();
      const stats = await loop.run();
      durationMs = stats.durationMs;
      stopped = stats.stopped;
    }
  } catch (err) {
    failure = err;
    durationMs = performance.now() - start;
  } finally {
    current = undefined;
    clearInterval(sampler);
    lag.disable();
  }
  if (performance.now() - recorder.window.since >= 100 || recorder.window.pending > 0) sample();

  const scenarios = recorder.finish();
  let answerP90Ms = 0;
  if (open) {
    const merged = LatencyHistogram.create();
    for (const s of scenarios) if (s.uncorrected) merged.add(LatencyHistogram.deserialize(s.uncorrected));
    answerP90Ms = merged.percentileMs(90);
  }
  const p = phase as OpenPhase;
  const verdict = assessHealth({
    phase: phase.name,
    lagP99Ms: lagP99(lag),
    ...(openStats ? {
      open: {
        ...openStats,
        meanRate: (p.arrivalRate + (p.rampTo ?? p.arrivalRate)) / 2,
        answerP90Ms,
        connectionWait: openStats.connectionWait.summary(),
      },
    } : {}),
  });
  for (const message of verdict.warnings) post({ type: 'log', level: 'warn', message });
  const data: PhaseData = { index, name: phase.name, model: phase.model, durationMs, stopped: stopped || stopRequested, scenarios, health: verdict.health };
  if (openStats) data.connectionWait = openStats.connectionWait.serialize();
  return { data, ...(failure !== undefined ? { failure } : {}) };
}

/** Waits until `at` (performance.now()) or a stop request, whichever comes first. */
async function untilStart(at: number): Promise<void> {
  while (!stopRequested && performance.now() < at) await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, at - performance.now()))));
}

main().catch((err: unknown) => {
  post({ type: 'fatal', code: 'internal', message: (err as Error)?.stack ?? String(err) });
});
