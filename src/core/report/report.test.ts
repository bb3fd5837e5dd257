import { describe, expect, it } from 'vitest';
import { makeRunRecord } from '../../../test/helpers/runRecords';
import { junitReport } from './junit';
import { markdownReport } from './markdown';
import { latencyBasis, resultRows } from './results';
import { textReport } from './text';

const failing = makeRunRecord({
  pass: false,
  thresholds: [
    { metric: 'latency.p99', limit: '< 10ms', actual: 84.27, unit: 'ms', pass: false },
    { metric: 'errors.rate', limit: '< 0.1%', actual: 0.0003, unit: 'ratio', pass: true },
    { metric: 'scenario.<x>.rps', limit: '>= 40', actual: null, unit: 'ops/s', pass: false },
  ],
});

describe('reports', () => {
  it('JUnit names metric, limit and actual in each failure and counts them', () => {
    const xml = junitReport(failing);
    expect(xml).toMatch(/<testsuites name="perflab" tests="4" failures="2"/);
    expect(xml).toContain('<failure message="latency.p99: 84.3 ms does not meet &lt; 10ms" type="threshold">metric: latency.p99\nlimit: &lt; 10ms\nactual: 84.3 ms</failure>');
    expect(xml).toContain('name="scenario.&lt;x&gt;.rps &gt;= 40"');
    expect(xml).toContain('actual: no value');
    expect(xml).toContain('<testcase classname="perflab.smoke" name="run completed" time="10.000"/>');
  });

  it('JUnit fails the run case when the run did not complete', () => {
    const xml = junitReport(makeRunRecord({ status: 'failed', pass: false, error: 'target http://127.0.0.1:1 unreachable', thresholds: [] }));
    expect(xml).toMatch(/failures="1"/);
    expect(xml).toContain('<failure message="run failed" type="threshold">target http://127.0.0.1:1 unreachable</failure>');
  });

  it('the text report has the results table and the verdicts', () => {
    const text = textReport(failing);
    expect(text).toMatch(/^smoke \(http\) FAIL in 10\.0 s/);
    expect(text).toMatch(/latency\.p99\s+< 10ms\s+84\.3 ms\s+FAIL/);
    expect(text).toMatch(/errors\.rate\s+< 0\.1%\s+0\.03%\s+pass/);
    expect(text).toMatch(/overall\s+1,000\s+100 req\/s\s+0\s+3\.00 ms\s+7\.00 ms\s+9\.00 ms\s+15\.0 ms\s+40\.0 ms/);
  });

  it('the text report gives the health of the generator, with the wait for connections under an arrival rate', () => {
    const generator = { lagP99Ms: 1.234, lateSends: 7, lateSendMaxMs: 9.1, connectionWait: { p99: 190.4, max: 201.2 }, generatorBound: false };
    expect(textReport(makeRunRecord({ generator }))).toMatch(/^generator: lag p99 1\.23 ms, 7 sent late \(worst 9\.10 ms\), connection wait p99 190 ms, max 201 ms$/m);
    const { connectionWait: _, ...closed } = generator;
    expect(textReport(makeRunRecord({ generator: closed }))).toMatch(/^generator: lag p99 1\.23 ms, 7 sent late \(worst 9\.10 ms\)$/m);
  });

  it('the markdown report escapes names from the config', () => {
    const md = markdownReport(makeRunRecord({ profile: 'a|b', thresholds: failing.thresholds, pass: false }));
    expect(md).toMatch(/^## PerfLab: a\\\|b — ❌ FAIL/);
    expect(md).toContain('| `scenario.<x>.rps` | `>= 40` | no value | **FAIL** |');
  });

  it('a BullMQ headline is shown once, in its operation\'s place; other runs keep their overall row', () => {
    const latency = { min: 1, mean: 2, p50: 2, p90: 3, p95: 3, p99: 4, max: 5 };
    const c1 = { name: 'e2e.c1', count: 300, errors: 0, rate: 900, latency };
    const c4 = { name: 'e2e.c4', count: 300, errors: 0, rate: 1200, latency: { ...latency, p99: 3 } };
    const overall = { ...c4, name: 'e2e.c4 (best of c=1, 4)' };
    const bullmq = makeRunRecord({ type: 'bullmq', phases: [], operations: [c1, c4], overall });
    expect(resultRows(bullmq).map((r) => r.name)).toEqual(['e2e.c1', 'e2e.c4 (best of c=1, 4)']);
    expect(textReport(bullmq).match(/e2e\.c4/g)).toHaveLength(1);
    const redis = makeRunRecord({ type: 'redis', phases: [], operations: [{ ...c1, name: 'get' }], overall: { ...c1, name: 'overall' } });
    expect(resultRows(redis).map((r) => r.name)).toEqual(['get', 'overall']);
  });

  it('the latency line says what was measured: intended send time (HTTP at a rate), scheduled add or per call (BullMQ)', () => {
    const latency = { min: 1, mean: 2, p50: 2, p90: 3, p95: 3, p99: 4, max: 5 };
    const http = makeRunRecord({ overall: { name: 'overall', count: 1, errors: 0, rate: 1, latency, uncorrectedLatency: latency } });
    expect(textReport(http)).toContain("latency from each request's intended send time; from the actual send: p50 2.00 ms");
    expect(latencyBasis(makeRunRecord())).toBeUndefined();
    const free = makeRunRecord({ type: 'bullmq', phases: [], operations: [{ name: 'e2e.c4', count: 1, errors: 0, rate: 1, latency }], overall: { name: 'e2e.c4', count: 1, errors: 0, rate: 1, latency } });
    expect(latencyBasis(free)?.text).toBe("latency per call, no arrival rate: e2e: from each job's add call to its completion");
    const paced = { name: 'e2e.c4', count: 1, errors: 0, rate: 1, latency, uncorrectedLatency: latency };
    const scheduled = makeRunRecord({ type: 'bullmq', phases: [], operations: [paced], overall: paced });
    expect(textReport(scheduled)).toContain("latency on the arrival rate's schedule: e2e: from each job's scheduled add to its completion; from the actual add: p50");
    expect(textReport(scheduled)).not.toContain('intended send time');
  });
});
