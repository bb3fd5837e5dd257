/**
 * JUnit XML for CI systems: one test case per threshold (a failure names metric, limit and
 * actual), one per regression check of a comparison with a baseline, and one for the run itself,
 * which fails when the run did not complete.
 */
import type { RunRecord } from '../runRecord';
import { formatActual, formatMiss } from '../format';
import { kindOf } from '../../runners/registry';
import { comparisonRows } from './comparison';

export function junitReport(record: RunRecord): string {
  const cases: string[] = [];
  const suite = `perflab.${record.profile}`;
  // JUnit wants seconds as a plain number, not a figure for people.
  const seconds = (record.durationMs / 1000).toFixed(3);
  const runFailed = record.status !== 'completed';
  cases.push(
    testCase(suite, 'run completed', seconds, runFailed ? { message: `run ${record.status}`, body: record.error ?? `the run was ${record.status}` } : undefined),
  );
  for (const t of record.thresholds) {
    const actual = formatActual(t, kindOf(record.type).words.rateUnit);
    cases.push(
      testCase(suite, `${t.metric} ${t.limit}`, '0', t.pass ? undefined : { message: formatMiss(t, kindOf(record.type).words.rateUnit), body: `metric: ${t.metric}\nlimit: ${t.limit}\nactual: ${actual}` }),
    );
  }
  let regressions = 0;
  if (record.comparison) {
    for (const r of comparisonRows(record.comparison, kindOf(record.type).words.rateUnit)) {
      if (r.regression) regressions++;
      const body = `metric: ${r.metric}\nbaseline: ${r.baseline}\nnow: ${r.current}\nchange: ${r.change}\nrule: ${r.rule}`;
      cases.push(testCase(suite, `regression ${r.metric} ${r.source.rule.expression}`, '0', r.regression ? { message: `${r.metric}: ${r.change}, beyond ${r.source.rule.expression}`, body, type: 'regression' } : undefined));
    }
  }
  const failures = (runFailed ? 1 : 0) + record.thresholds.filter((t) => !t.pass).length + regressions;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="perflab" tests="${cases.length}" failures="${failures}" time="${seconds}">`,
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="0" time="${seconds}" timestamp="${xml(record.startedAt)}">`,
    `    <properties><property name="run" value="${xml(record.id)}"/><property name="target" value="${xml(record.target ?? '')}"/></properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testCase(suite: string, name: string, time: string, failure?: { message: string; body: string; type?: string }): string {
  const open = `    <testcase classname="${xml(suite)}" name="${xml(name)}" time="${time}"`;
  if (!failure) return `${open}/>`;
  return `${open}>\n      <failure message="${xml(failure.message)}" type="${failure.type ?? 'threshold'}">${xml(failure.body)}</failure>\n    </testcase>`;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
