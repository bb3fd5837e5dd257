// One duration, one size, one rate and one latency fed through every place a person reads them:
// the CLI's text report, the Markdown and JUnit reports, the process lines, and the editor's run
// rows and profile rows. Each must show the same text, the one of src/core/format.ts (the webview tier checks the
// run page against the same strings).
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatMetricValue, formatMs, formatRate } from '../../src/core/format';
import { junitReport } from '../../src/core/report/junit';
import { markdownReport } from '../../src/core/report/markdown';
import { processLines } from '../../src/core/report/process';
import { textReport } from '../../src/core/report/text';
import { KINDS } from '../../src/runners/registry';
import { runDescription } from '../../src/views/runText';
import { EXPECTED, SAME, sameValuesRecord } from '../helpers/sameValues';

describe('one value reads the same everywhere', () => {
  it('the formatting module gives the expected text', () => {
    expect([formatDuration(SAME.durationMs), formatBytes(SAME.heapBytes), formatRate(SAME.rate, 'req/s'), formatMs(SAME.p99Ms)])
      .toEqual([EXPECTED.duration, EXPECTED.size, EXPECTED.rate, EXPECTED.p99]);
    expect(formatMetricValue(SAME.heapBytes, 'bytes')).toBe(EXPECTED.size);
    expect(formatMetricValue(SAME.p99Ms, 'ms')).toBe(EXPECTED.p99);
  });

  const record = sameValuesRecord();

  it.each([
    ['the CLI text report', () => textReport(record), [EXPECTED.duration, EXPECTED.size, EXPECTED.rate, EXPECTED.p99]],
    ['the Markdown report', () => markdownReport(record), [EXPECTED.duration, EXPECTED.size, EXPECTED.rate, EXPECTED.p99]],
    ['the JUnit report', () => junitReport(record), [EXPECTED.p99]],
    ['the editor\'s run rows', () => runDescription(record), [EXPECTED.duration]],
  ] as const)('%s', (_, render, parts) => {
    const text = render();
    for (const part of parts) expect(text).toContain(part);
  });

  it("the Profiles tree's phases (in the words of the http kind)", () => {
    const phase = { name: 'steady', model: 'open', arrivalRate: 10, duration: '65.4s', durationMs: SAME.durationMs } as const;
    const { summary, rows } = KINDS.http.outline({
      type: 'http', name: 'smoke', source: { line: 1, column: 1 }, thresholds: [], target: 'api', scale: 1, timeoutMs: 10_000,
      phases: [phase], scenarios: [],
    });
    expect(summary).toContain(EXPECTED.duration);
    expect(rows[0]!.description).toContain(EXPECTED.duration);
  });

  it('the process lines', () => {
    const lines = processLines({
      description: 'node server.js', pid: 1, coveredS: SAME.durationMs / 1000, complete: true, majorGcs: 3, heapGrowthPerMin: 0,
      heapUsedMax: SAME.heapBytes, rssMax: SAME.heapBytes, loopDelay: { count: 1, min: 0, mean: 1, p50: 1, p90: 1, p99: SAME.p99Ms, max: SAME.p99Ms },
      cpu: { mean: 0.5, max: 0.9 }, gc: { count: 1, pauseMs: 1, maxPauseMs: 1 },
    } as never, 10).join('\n');
    for (const part of [EXPECTED.duration, EXPECTED.size, EXPECTED.p99]) expect(lines).toContain(part);
  });
});
