import { describe, expect, it } from 'vitest';
import { makeRunRecord } from '../../../test/helpers/runRecords';
import { junitReport } from './junit';
import { markdownReport } from './markdown';
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
    expect(xml).toContain('<failure message="latency.p99: 84.3ms does not meet &lt; 10ms" type="threshold">metric: latency.p99\nlimit: &lt; 10ms\nactual: 84.3ms</failure>');
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
    expect(text).toMatch(/latency\.p99\s+< 10ms\s+84\.3ms\s+FAIL/);
    expect(text).toMatch(/errors\.rate\s+< 0\.1%\s+0\.03%\s+pass/);
    expect(text).toMatch(/overall\s+1,000\s+100\s+0\s+3\.00\s+7\.00\s+9\.00\s+15\.0\s+40\.0/);
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
});
