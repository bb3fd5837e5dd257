/**
 * The sampler PerfLab injects into a target with `Runtime.evaluate`. It is source text, not a
 * function of this bundle, so it stays valid JavaScript whatever the bundler does to our code.
 *
 * It loads `node:perf_hooks` the way the target allows: `process.getBuiltinModule` (Node ≥
 * 20.16), else the `require` of the inspector's command-line API (present while the evaluation
 * runs, in CommonJS and ESM targets alike), else `process.mainModule.require`. Everything it
 * creates (an unref'd interval, the event-loop delay histogram, a GC observer and one
 * non-enumerable global under a per-session symbol) is removed by `stop()`, and by itself when
 * nobody has pulled for `orphanMs` (the host crashed without detaching).
 */

export interface AgentOptions {
  /** Unique per session, so two monitors on one process do not collide. */
  key: string;
  intervalMs: number;
  /** `monitorEventLoopDelay` resolution. */
  resolutionMs: number;
  /** Samples kept between pulls. */
  maxBuffered: number;
  orphanMs: number;
}

/** Evaluates to `{ status: 'installed' | 'exists', monoUs }` as JSON. */
export function installExpression(o: AgentOptions): string {
  return `(() => {
  'use strict';
  const KEY = Symbol.for(${JSON.stringify(o.key)});
  const monoUs = () => Number(process.hrtime.bigint() / 1000n);
  if (globalThis[KEY]) return JSON.stringify({ status: 'exists', monoUs: monoUs() });
  let load;
  if (typeof process.getBuiltinModule === 'function') load = (name) => process.getBuiltinModule(name);
  else if (typeof require === 'function') load = require;
  else if (process.mainModule && typeof process.mainModule.require === 'function') load = (name) => process.mainModule.require(name);
  else throw new Error('node:perf_hooks cannot be loaded in this process');
  const { monitorEventLoopDelay, PerformanceObserver, performance } = load('node:perf_hooks');
  const histogram = monitorEventLoopDelay({ resolution: ${Number(o.resolutionMs)} });
  histogram.enable();
  let gcCount = 0, gcPause = 0, gcMax = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcCount++;
      gcPause += entry.duration;
      if (entry.duration > gcMax) gcMax = entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const ms = (ns) => ns / 1e6;
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
    const n = histogram.count;
    buffer.push({
      at: Date.now(),
      monoUs: monoUs(),
      intervalMs: dt,
      loopDelay: n > 0
        ? { min: ms(histogram.min), mean: ms(histogram.mean), p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) }
        : { min: 0, mean: 0, p50: 0, p99: 0, max: 0 },
      heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, rss: mem.rss, external: mem.external, arrayBuffers: mem.arrayBuffers,
      cpu: { user: cpu.user / 1000 / dt, system: cpu.system / 1000 / dt },
      gc: { count: gcCount, pauseMs: gcPause, maxPauseMs: gcMax },
    });
    histogram.reset();
    gcCount = 0; gcPause = 0; gcMax = 0;
    if (buffer.length > ${Number(o.maxBuffered)}) buffer.splice(0, buffer.length - ${Number(o.maxBuffered)});
    if (Date.now() - lastPull > ${Number(o.orphanMs)}) remove();
  };
  const remove = () => {
    clearInterval(timer);
    histogram.disable();
    observer.disconnect();
    delete globalThis[KEY];
  };
  timer = setInterval(sample, ${Number(o.intervalMs)});
  timer.unref();
  Object.defineProperty(globalThis, KEY, {
    configurable: true,
    enumerable: false,
    value: {
      pull() { lastPull = Date.now(); return JSON.stringify(buffer.splice(0)); },
      stop() { sample(); const rest = JSON.stringify(buffer.splice(0)); remove(); return rest; },
    },
  });
  return JSON.stringify({ status: 'installed', monoUs: monoUs() });
})()`;
}

/** Evaluates to the JSON array of samples taken since the last pull ('[]' when the agent is gone). */
export function pullExpression(key: string): string {
  return `(globalThis[Symbol.for(${JSON.stringify(key)})]?.pull() ?? '[]')`;
}

/** Takes a last sample, removes everything and evaluates to the remaining samples as JSON. */
export function stopExpression(key: string): string {
  return `(globalThis[Symbol.for(${JSON.stringify(key)})]?.stop() ?? '[]')`;
}

/** Evaluates to true while the agent is installed. */
export function presentExpression(key: string): string {
  return `Boolean(globalThis[Symbol.for(${JSON.stringify(key)})])`;
}
