// The editor's side of baselines that needs no VS Code: the comparison a run gets as it ends
// (src/views/autoCompare.ts), the words of the notification and the Runs view, the comparison as
// the pages get it, and that the comparison engine stays out of the extension's own bundle.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { comparisonBasis, comparisonRows, comparisonSides, comparisonVerdict } from '../../src/core/report/comparison';
import type { RunRecord } from '../../src/core/runRecord';
import { RunStore } from '../../src/core/runStore';
import { compareWithSavedBaseline } from '../../src/views/autoCompare';
import { comparisonView } from '../../src/views/comparisonView';
import { comparisonOutcome, runDescription, runOutcomeText } from '../../src/views/runText';
import { makeRunRecord } from '../helpers/runRecords';

const FIXTURES = path.resolve('test/webview/fixtures/runs');
const BASELINE = '20261202T100625Z-smoke-164d7d';
const COMPARED = '20261202T100657Z-smoke-9f81f5';
const fixture = (id: string): RunRecord => JSON.parse(readFileSync(path.join(FIXTURES, id, 'run.json'), 'utf8')) as RunRecord;

describe('a run of a profile with a saved baseline, as it ends', () => {
  let dir: string;
  let store: RunStore;
  /** The compared run as it was recorded, before its comparison. */
  let fresh: RunRecord;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'perflab-autocompare-'));
    cpSync(FIXTURES, dir, { recursive: true });
    store = new RunStore(dir);
    const { comparison: _, ...rest } = fixture(COMPARED);
    fresh = { ...rest, pass: true };
    await store.write(fresh);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is left alone when its profile has no saved baseline', async () => {
    expect(await compareWithSavedBaseline(store, fresh)).toBeUndefined();
    expect((await store.read(COMPARED)).comparison).toBeUndefined();
  });

  it('is compared with the saved baseline, and its record keeps the comparison and the verdict', async () => {
    await store.setBaseline('smoke', BASELINE);
    const compared = await compareWithSavedBaseline(store, fresh);
    expect(compared?.baselineId).toBe(BASELINE);
    const { record, comparison } = compared!;
    expect(comparison.baseline.runs).toEqual([BASELINE]);
    expect(comparison.current.runs).toEqual([COMPARED]);
    // GET /health was 20 ms slower: its latencies regressed, so the run fails although its thresholds passed.
    expect(comparison.regressions).toBeGreaterThan(0);
    expect(comparison.metrics.filter((m) => m.verdict === 'regression').map((m) => m.metric)).toContain('scenario.health.latency.p50');
    expect(record.thresholds.every((t) => t.pass)).toBe(true);
    expect(record.pass).toBe(false);
    expect(await store.read(COMPARED)).toEqual(record);
  });

  it('takes the profile\'s own rules: a rule turned off is not compared', async () => {
    await store.setBaseline('smoke', BASELINE);
    const { settingsWith, configuredRule } = await import('../../src/core/compare/rules');
    const compared = await compareWithSavedBaseline(store, fresh, settingsWith([configuredRule('latency.p50', 'off'), configuredRule('latency.p95', 'off'), configuredRule('latency.p99', 'off')]));
    expect(compared!.comparison.metrics.some((m) => m.metric.includes('latency'))).toBe(false);
    expect(compared!.record.pass).toBe(true);
  });

  it('says why when the saved baseline is gone, and leaves the record as it was', async () => {
    await store.setBaseline('smoke', BASELINE);
    await store.delete(BASELINE);
    await expect(compareWithSavedBaseline(store, fresh)).rejects.toThrow(`its saved baseline, run ${BASELINE}, is no longer in ${dir}: Set as Baseline on another run of "smoke"`);
    expect(await store.read(COMPARED)).toEqual(fresh);
  });

  it('compares neither a run that did not complete nor the baseline with itself', async () => {
    await store.setBaseline('smoke', BASELINE);
    expect(await compareWithSavedBaseline(store, { ...fresh, status: 'cancelled', pass: false })).toBeUndefined();
    expect(await compareWithSavedBaseline(store, fixture(BASELINE))).toBeUndefined();
  });
});

describe('the words of a compared run', () => {
  const regression = (metric: string) => ({ metric, verdict: 'regression' as const });
  const compared = (regressions: string[], total = 10) => ({
    regressions: regressions.length,
    pass: regressions.length === 0,
    metrics: [...regressions.map(regression), ...Array.from({ length: total - regressions.length }, (_, i) => ({ metric: `m${i}`, verdict: 'no-significant-change' as const }))],
  });
  const withComparison = (c: ReturnType<typeof compared>, overrides: Partial<RunRecord> = {}) =>
    makeRunRecord({ comparison: c as unknown as RunRecord['comparison'], pass: c.pass, ...overrides });

  it('names the regressed metrics, at most three', () => {
    expect(comparisonOutcome(compared([]))).toBe('no regression vs baseline');
    expect(comparisonOutcome(compared(['latency.p99']))).toBe('1 regression vs baseline (latency.p99)');
    expect(comparisonOutcome(compared(['a', 'b', 'c', 'd']))).toBe('4 regressions vs baseline (a, b, c, …)');
  });

  it('tells the outcome of a run with thresholds and a comparison', () => {
    expect(runOutcomeText(withComparison(compared([])))).toEqual({ level: 'info', text: 'PerfLab: smoke PASS (1 threshold) — no regression vs baseline.' });
    expect(runOutcomeText(withComparison(compared(['latency.p99', 'rps'])))).toEqual({ level: 'warning', text: 'PerfLab: smoke FAIL: 2 regressions vs baseline (latency.p99, rps).' });
    const failedThreshold = [{ metric: 'latency.p99', limit: '< 10ms', actual: 15, unit: 'ms' as const, pass: false }];
    expect(runOutcomeText(withComparison(compared(['rps']), { thresholds: failedThreshold })).text).toBe('PerfLab: smoke FAIL: 1 of 1 thresholds failed; 1 regression vs baseline (rps).');
  });

  it('tells the outcome of a run without a comparison as before', () => {
    expect(runOutcomeText(makeRunRecord())).toEqual({ level: 'info', text: 'PerfLab: smoke PASS (1 threshold).' });
    expect(runOutcomeText(makeRunRecord({ status: 'cancelled', pass: false })).level).toBe('warning');
    expect(runOutcomeText(makeRunRecord({ status: 'failed', pass: false, error: 'connection refused' }))).toEqual({ level: 'error', text: 'PerfLab: smoke failed: connection refused' });
  });

  it('adds the top finding above info to the outcome; a critical one makes a passing run a warning', () => {
    const finding = (severity: 'critical' | 'warning' | 'info') => ({ id: 'cpu-bound' as const, severity, title: 'The target is CPU-bound', explanation: '', evidence: [], next: '', score: 1 });
    const diagnosed = (severity: 'critical' | 'warning' | 'info') => makeRunRecord({ diagnosis: { findings: [finding(severity)], read: ['run'], missing: [] } });
    expect(runOutcomeText(diagnosed('critical'))).toEqual({ level: 'warning', text: 'PerfLab: smoke PASS (1 threshold). Critical: The target is CPU-bound.' });
    expect(runOutcomeText(diagnosed('warning'))).toEqual({ level: 'info', text: 'PerfLab: smoke PASS (1 threshold). Warning: The target is CPU-bound.' });
    expect(runOutcomeText(diagnosed('info'))).toEqual({ level: 'info', text: 'PerfLab: smoke PASS (1 threshold).' });
  });

  it('marks the saved baseline in the Runs view and the pickers', () => {
    const run = makeRunRecord();
    const now = Date.parse(run.startedAt) + 5 * 60_000;
    expect(runDescription(run, now, true)).toBe(`${runDescription(run, now)} · baseline`);
  });

  it('gives the pages the texts of the report', () => {
    const c = fixture(COMPARED).comparison!;
    const view = comparisonView(c, 'req/s');
    expect(view).toMatchObject({ pass: c.pass, regressions: c.regressions, verdict: comparisonVerdict(c), sides: comparisonSides(c), basis: comparisonBasis(c), warnings: c.warnings });
    expect(view.rows).toEqual(comparisonRows(c, 'req/s').map(({ source, regression: _, ...row }) => ({ ...row, kind: source.verdict })));
    // It crosses to the page by structured clone: plain data only.
    expect(structuredClone(view)).toEqual(view);
  });
});

describe('the extension bundle', () => {
  /** Modules that pull in the comparison engine (statistics, HDR histograms): the extension must only `await import('./engine')`. */
  const HEAVY = [/core\/compare\/(?:baseline|compare|statistics|samples)$/, /core\/report\/comparison$/, /views\/(?:engine|autoCompare|comparisonView|runMessage)$/, /runners\/runProfile$/];
  const LAZY_ONES = new Set(['engine.ts', 'autoCompare.ts', 'comparisonView.ts', 'runMessage.ts']);

  it('imports the comparison engine only lazily (esbuild.mjs bundles it into dist/run-profile.js)', () => {
    const files = ['src/extension.ts', ...readdirSync('src/views').filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !LAZY_ONES.has(f)).map((f) => `src/views/${f}`)];
    const offenders: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)';/gms)) {
        const [, typeOnly, what, from] = m as unknown as [string, string | undefined, string, string];
        const resolved = path.posix.join(path.posix.dirname(file), from!);
        const onlyTypes = !!typeOnly || /^\{[^}]*\}$/.test(what!.trim()) && what!.replace(/[{}]/g, '').split(',').every((s) => !s.trim() || s.trim().startsWith('type '));
        if (!onlyTypes && HEAVY.some((re) => re.test(resolved))) offenders.push(`${file}: ${from}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
