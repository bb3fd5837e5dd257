import { describe, expect, it } from 'vitest';
import { LATENCY_STATS, describeMetrics, lookupMetric, metricContextOf, readThreshold, validMetricNames, type MetricContext } from './metrics';
import { parseConfigText } from './loader';

const http: MetricContext = { type: 'http', scenarios: ['send-text', 'metrics'], phases: ['warm-up', 'saturate'] };
const redis: MetricContext = { type: 'redis', operations: ['set', 'get', 'analytics-write'] };
const bullmq: MetricContext = { type: 'bullmq' };

describe('lookupMetric', () => {
  it.each([
    [http, 'latency.p99', 'ms'],
    [http, 'latency.mean', 'ms'],
    [http, 'latency.min', 'ms'],
    [http, 'latency.uncorrected.min', 'ms'],
    [http, 'scenario.metrics.latency.min', 'ms'],
    [redis, 'op.get.latency.min', 'ms'],
    [bullmq, 'e2e.latency.min', 'ms'],
    [redis, 'redis.memory.used.max', 'bytes'],
    [bullmq, 'redis.memory.used.max', 'bytes'],
    [http, 'memory.heapUsed.growth', 'bytes/min'],
    [bullmq, 'cpu.max', 'ratio'],
    [http, 'latency.uncorrected.p95', 'ms'],
    [http, 'rps', 'ops/s'],
    [http, 'requests', 'count'],
    [http, 'errors.rate', 'ratio'],
    [http, 'errors.count', 'count'],
    [http, 'scenario.metrics.latency.p95', 'ms'],
    [http, 'scenario.send-text.errors.rate', 'ratio'],
    [http, 'scenario.send-text.rps', 'ops/s'],
    [http, 'phase.saturate.latency.max', 'ms'],
    [http, 'phase.warm-up.rps', 'ops/s'],
    [http, 'generator.lag.p99', 'ms'],
    [http, 'generator.late', 'count'],
    [redis, 'op.get.rate', 'ops/s'],
    [redis, 'op.analytics-write.latency.p99', 'ms'],
    [redis, 'errors.rate', 'ratio'],
    [bullmq, 'e2e.latency.p99', 'ms'],
    [bullmq, 'add.rate', 'ops/s'],
    [bullmq, 'drain.rate', 'ops/s'],
    [bullmq, 'jobs.failed', 'count'],
    [bullmq, 'errors.rate', 'ratio'],
    [redis, 'memory.rss.max', 'bytes'],
    [bullmq, 'memory.heapUsed.max', 'bytes'],
    [http, 'eventLoop.lag.p99', 'ms'],
    [redis, 'eventLoop.lag.max', 'ms'],
  ] as const)('%o: %s is %s', (ctx, name, unit) => {
    expect(lookupMetric(name, ctx)).toMatchObject({ ok: true, unit });
  });

  it('names the missing scenario and lists the real ones', () => {
    expect(lookupMetric('scenario.metrix.latency.p95', http)).toEqual({
      ok: false, code: 'unknown-scenario',
      message: 'no scenario named "metrix" in this profile (metric "scenario.metrix.latency.p95")',
      hint: 'did you mean "metrics"? scenarios: send-text, metrics',
    });
  });

  it('names the missing phase', () => {
    expect(lookupMetric('phase.cool-down.rps', http)).toMatchObject({ ok: false, code: 'unknown-phase', hint: 'phases: warm-up, saturate' });
  });

  it('rejects an unknown statistic with a suggestion', () => {
    expect(lookupMetric('latency.p999', http)).toMatchObject({ ok: false, code: 'unknown-stat', hint: /did you mean "p99"\?/ });
  });

  it('rejects operations the profile does not run', () => {
    expect(lookupMetric('op.incr.rate', redis)).toMatchObject({ ok: false, code: 'unknown-operation', hint: /add "incr" to "operations"/ });
  });

  it('marks the metrics measured in a sampled Node process', () => {
    const needing = (ctx: MetricContext) => validMetricNames(ctx).filter((n) => {
      const found = lookupMetric(n, ctx);
      return found.ok && found.template.needsProcess;
    });
    const processMetrics = ['memory.rss.max', 'memory.heapUsed.max', 'memory.heapUsed.growth', 'eventLoop.lag.p99', 'eventLoop.lag.max', 'cpu.max'];
    for (const ctx of [http, redis, bullmq]) expect(needing(ctx)).toEqual(processMetrics);
    expect(lookupMetric('redis.memory.used.max', http)).toMatchObject({ ok: false, code: 'metric-not-for-type' });
  });

  it('says when a metric belongs to another profile type', () => {
    expect(lookupMetric('e2e.latency.p99', http)).toMatchObject({ ok: false, code: 'metric-not-for-type', message: /bullmq profiles, not of an http profile/ });
    expect(lookupMetric('rps', redis)).toMatchObject({ ok: false, code: 'metric-not-for-type' });
  });

  it('lists valid names for unknown metrics, with a did-you-mean', () => {
    const r = lookupMetric('latency.p99.max', http);
    expect(r).toMatchObject({ ok: false, code: 'unknown-metric', message: 'unknown metric "latency.p99.max" for an http profile' });
    const typo = lookupMetric('error.rate', http);
    expect(typo.ok).toBe(false);
    if (!typo.ok) {
      expect(typo.hint).toMatch(/^did you mean "errors.rate"\?/);
      expect(typo.hint).toContain('scenario.<scenario>.latency.<stat>');
      expect(typo.hint).toContain('<scenario> is send-text|metrics');
    }
  });
});

describe('validMetricNames', () => {
  it('expands every placeholder from the profile', () => {
    const names = validMetricNames(http);
    for (const stat of LATENCY_STATS) {
      expect(names).toContain(`latency.${stat}`);
      expect(names).toContain(`scenario.metrics.latency.${stat}`);
      expect(names).toContain(`phase.saturate.latency.${stat}`);
    }
    expect(names).toContain('memory.rss.max');
    expect(names).not.toContain('e2e.latency.p99');
    expect(names.every((n) => lookupMetric(n, http).ok)).toBe(true);
    expect(validMetricNames(redis)).toContain('op.analytics-write.rate');
  });

  it('reads the names of a loaded profile as its kind normalized them', () => {
    const { config } = parseConfigText(JSON.stringify({
      targets: { api: { baseUrl: 'http://127.0.0.1:3000' } },
      stack: { redis: { url: 'redis://127.0.0.1:6390' } },
      profiles: {
        web: { type: 'http', target: 'api', phases: [{ name: 'saturate', duration: '5s', arrivalRate: 5 }], scenarios: [{ name: 'metrics', request: { path: '/m' } }] },
        ops: { type: 'redis', operations: ['set', 'get'] },
      },
    }));
    expect(metricContextOf(config!.profiles.web!)).toEqual({ type: 'http', scenarios: ['metrics'], phases: ['saturate'] });
    expect(metricContextOf(config!.profiles.ops!)).toEqual({ type: 'redis', operations: ['set', 'get'] });
    expect(validMetricNames(metricContextOf(config!.profiles.web!))).toContain('scenario.metrics.latency.p95');
  });

  it('leaves out templates whose placeholders have no values', () => {
    expect(describeMetrics({ type: 'redis' })).not.toContain('op.<operation>');
    expect(describeMetrics(redis)).toContain('<operation> is set|get|analytics-write');
  });
});

describe('readThreshold', () => {
  const http: MetricContext = { type: 'http', scenarios: ['home'], phases: ['steady'] };
  it('gives the threshold in the metric unit when metric and expression are good', () => {
    expect(readThreshold('latency.p99', '< 0.2s', http)).toMatchObject({
      threshold: { metric: 'latency.p99', expression: '< 0.2s', op: '<', value: 200, unit: 'ms' }, problems: [],
    });
  });
  it('names every problem at once: an unknown metric (on the key) and a bad expression', () => {
    const r = readThreshold('latency.p98', 'fast', http);
    expect(r.threshold).toBeUndefined();
    expect(r.problems.map((p) => [p.code, p.anchor])).toEqual([['unknown-stat', 'key'], ['threshold', undefined]]);
  });
  it('says so when the expression does not fit the metric unit', () => {
    expect(readThreshold('errors.rate', '< 100ms', http).problems).toEqual([expect.objectContaining({ code: 'unit-mismatch' })]);
  });
});
