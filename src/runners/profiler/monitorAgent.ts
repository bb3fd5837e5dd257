/**
 * The sampler PerfLab injects into a target with `Runtime.evaluate`. It is source text, not a
 * function of this bundle, so it stays valid JavaScript whatever the bundler does to our code.
 *
 * It loads `node:perf_hooks` (and `node:v8`) the way the target allows: `process.getBuiltinModule` (Node ≥
 * 20.16), else the `require` of the inspector's command-line API (present while the evaluation
 * runs, in CommonJS and ESM targets alike), else `process.mainModule.require`. Everything it
 * creates (two unref'd intervals, two delay histograms, a GC observer and one
 * non-enumerable global under a per-session symbol) is removed by `stop()`, and by itself when
 * nobody has pulled for `orphanMs` (the host crashed without detaching).
 */

export interface AgentOptions {
  /** Unique per session, so two monitors on one process do not collide. */
  key: string;
  intervalMs: number;
  /** Period of the event-loop delay timer. */
  resolutionMs: number;
  /** Samples kept between pulls. */
  maxBuffered: number;
  orphanMs: number;
}

// Parts of the agent's source (installExpression), in the target's scope.

/** Node's modules, in a CommonJS or an ES module process alike (and in one whose require is gone). */
const LOAD_MODULES = `
  let load;
  if (typeof process.getBuiltinModule === 'function') load = (name) => process.getBuiltinModule(name);
  else if (typeof require === 'function') load = require;
  else if (process.mainModule && typeof process.mainModule.require === 'function') load = (name) => process.mainModule.require(name);
  else throw new Error('node:perf_hooks cannot be loaded in this process');
  const { createHistogram, PerformanceObserver, performance, constants } = load('node:perf_hooks');
  const { getHeapStatistics } = load('node:v8');`;

/** The GC pauses of the current sample (gcCount, gcPause, gcMax) and the heap after each major GC. */
const GC_PAUSES = `
  const NOT_A_PAUSE = constants.NODE_PERFORMANCE_GC_INCREMENTAL | constants.NODE_PERFORMANCE_GC_WEAKCB;
  let gcCount = 0, gcPause = 0, gcMax = 0, gcEnd = -Infinity, afterMajor = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = entry.detail ? entry.detail.kind : entry.kind;
      if (kind & NOT_A_PAUSE) continue;
      const end = entry.startTime + entry.duration;
      const fresh = Math.max(0, end - Math.max(entry.startTime, gcEnd));
      gcEnd = Math.max(gcEnd, end);
      gcCount++;
      gcPause += fresh;
      if (entry.duration > gcMax) gcMax = entry.duration;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        // Heap used as the GC is reported (a moment after it), on the clock of the samples.
        afterMajor.push({ monoUs: monoUs() - Math.round((performance.now() - end) * 1000), heapUsed: getHeapStatistics().used_heap_size });
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });`;

/** Evaluates to `{ status: 'installed' | 'exists', monoUs }` as JSON. */
export function installExpression(o: AgentOptions): string {
  // Event-loop delays leave the agent as recorded (ms between timer ticks); the host takes the
  // timer resolution off with the one definition in src/runners/loopDelay.ts.
  //
  // The delay is measured as monitorEventLoopDelay does (the time between the ticks of a timer
  // armed every `resolutionMs`), but with our own timer feeding two histograms: `interval` is
  // reset at every sample (the timeline), `whole` never is, so the percentiles of the whole
  // capture come from one distribution, not from a mean of per-interval percentiles. Not with
  // monitorEventLoopDelay itself: its reset() also forgets the previous tick, so a block between
  // a reset and the next tick would be lost from the timeline (and Node 20's
  // RecordableHistogram.add() refuses its histograms, so they cannot be merged afterwards).
  //
  // GC pauses are the stop-the-world collections (scavenges, mark-compacts) of the `gc` entries;
  // the entries of incremental-marking starts and of weak-callback processing are not pauses of a
  // collection and --trace-gc does not count them either. Entries never overlap in Node 20 (it
  // drops a nested GC callback), but their union is taken anyway so no millisecond counts twice.
  return `(() => {
  'use strict';
  const KEY = Symbol.for(${JSON.stringify(o.key)});
  const monoUs = () => Number(process.hrtime.bigint() / 1000n);
  if (globalThis[KEY]) return JSON.stringify({ status: 'exists', monoUs: monoUs() });
${LOAD_MODULES}
  const interval = createHistogram();
  const whole = createHistogram();
  // The same tick keeps the peaks of heap and RSS: a heap saw-tooths between collections, so a
  // reading every sample would miss the tops that a reading every few milliseconds catches.
  let lastTick = process.hrtime.bigint();
  let heapPeak = 0, rssPeak = 0;
  const peaks = () => {
    heapPeak = Math.max(heapPeak, getHeapStatistics().used_heap_size);
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  };
  const ticker = setInterval(() => {
    const now = process.hrtime.bigint();
    const ns = Number(now - lastTick);
    lastTick = now;
    if (ns > 0) {
      interval.record(ns);
      whole.record(ns);
    }
    peaks();
  }, ${Number(o.resolutionMs)});
  ticker.unref();
${GC_PAUSES}
  const ms = (ns) => ns / 1e6;
  const stats = (h) => h.count > 0
    ? { count: h.count, min: ms(h.min), mean: ms(h.mean), p50: ms(h.percentile(50)), p90: ms(h.percentile(90)), p99: ms(h.percentile(99)), max: ms(h.max) }
    : { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const buffer = [];
  let lastCpu = process.cpuUsage();
  let lastT = performance.now();
  let lastPull = Date.now();
  let timer;
  const sample = () => {
    const now = performance.now();
    const dt = Math.max(now - lastT, 0.001);
    lastT = now;
    const cpu = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    const mem = process.memoryUsage();
    peaks();
    buffer.push({
      at: Date.now(),
      monoUs: monoUs(),
      intervalMs: dt,
      loopDelay: stats(interval),
      heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, rss: mem.rss, external: mem.external, arrayBuffers: mem.arrayBuffers,
      peak: { heapUsed: Math.max(heapPeak, mem.heapUsed), rss: Math.max(rssPeak, mem.rss) },
      cpu: { user: cpu.user / 1000 / dt, system: cpu.system / 1000 / dt },
      gc: { count: gcCount, pauseMs: gcPause, maxPauseMs: gcMax, afterMajor },
    });
    interval.reset();
    heapPeak = 0; rssPeak = 0;
    gcCount = 0; gcPause = 0; gcMax = 0; afterMajor = [];
    if (buffer.length > ${Number(o.maxBuffered)}) buffer.splice(0, buffer.length - ${Number(o.maxBuffered)});
    if (Date.now() - lastPull > ${Number(o.orphanMs)}) remove();
  };
  const take = () => JSON.stringify({ samples: buffer.splice(0), window: stats(whole) });
  const remove = () => {
    clearInterval(timer);
    clearInterval(ticker);
    observer.disconnect();
    delete globalThis[KEY];
  };
  timer = setInterval(sample, ${Number(o.intervalMs)});
  timer.unref();
  Object.defineProperty(globalThis, KEY, {
    configurable: true,
    enumerable: false,
    value: {
      pull() { lastPull = Date.now(); return take(); },
      stop() { sample(); const rest = take(); remove(); return rest; },
    },
  });
  return JSON.stringify({ status: 'installed', monoUs: monoUs() });
})()`;
}

/**
 * Evaluates to `{ samples, window }` as JSON: the samples taken since the last pull and the delay
 * statistics of the whole capture so far; `null` when the agent is gone.
 */
export function pullExpression(key: string): string {
  return `(globalThis[Symbol.for(${JSON.stringify(key)})]?.pull() ?? 'null')`;
}

/** Takes a last sample, removes everything and evaluates to what {@link pullExpression} returns. */
export function stopExpression(key: string): string {
  return `(globalThis[Symbol.for(${JSON.stringify(key)})]?.stop() ?? 'null')`;
}
