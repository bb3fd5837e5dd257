/** The plain-text report the CLI prints at the end of a run. */
import type { GeneratorHealth, OperationResult, RunRecord } from '../runRecord';
import { processLines, redisMemoryLine } from './process';
import { stackTextLines } from './stack';
import { latencyBasis, resultRows } from './results';
import { comparisonBasis, comparisonRows, comparisonSides, comparisonVerdict, growerRows } from './comparison';
import type { CapacityResult } from '../capacity';
import type { Comparison } from '../compare/compare';
import { capacityHeadline, capacityStepRows, capacityStopText, kneeText } from './capacity';
import { diagnosisTextLines } from './diagnosis';
import { agentTextLines } from './agents';
import { kindOf } from '../../runners/registry';
import { formatActual, formatCount, formatDuration, formatErrors, formatMs, formatRate, formatTally, textTable } from '../format';

export function textReport(record: RunRecord): string {
  const { rateUnit } = kindOf(record.type).words;
  const lines: string[] = [];
  const verdict = record.status === 'completed' ? (record.pass ? 'PASS' : 'FAIL') : record.status.toUpperCase();
  lines.push(`${record.profile} (${record.type}) ${verdict} in ${formatDuration(record.durationMs)} — run ${record.id}`);
  if (record.target) lines.push(`target: ${record.target}`);
  if (record.error) lines.push(`error: ${record.error}`);
  if (record.generator?.generatorBound) lines.push(`warning: ${record.generator.message ?? 'the load generator, not the target, was the limit'}`);

  if (record.capacity) lines.push('', ...capacityText(record.capacity, rateUnit));
  // A capacity search's phases are its steps (above); its figures are those of the capacity step.
  const rows: OperationResult[] = [
    ...(record.phases.length > 1 && !record.capacity ? record.phases.map((p) => ({ ...p, name: `phase ${p.name}` })) : []),
    ...resultRows(record),
  ];
  if (rows.length) {
    lines.push('');
    if (record.capacity?.rate !== undefined) lines.push(`at ${formatRate(record.capacity.rate, rateUnit)}:`);
    lines.push(
      textTable(
        ['', 'count', 'rate', 'errors', 'p50', 'p90', 'p95', 'p99', 'max'],
        rows.map((r) => [
          r.name,
          formatCount(r.count),
          formatRate(r.rate, rateUnit),
          formatErrors(r.errors, r.count),
          formatMs(r.latency.p50),
          formatMs(r.latency.p90),
          formatMs(r.latency.p95),
          formatMs(r.latency.p99),
          formatMs(r.latency.max),
        ]),
      ),
    );
    const basis = latencyBasis(record);
    const uncorrected = record.overall?.uncorrectedLatency;
    if (basis) {
      lines.push(uncorrected && basis.uncorrectedFrom
        ? `${basis.text}; from ${basis.uncorrectedFrom}: p50 ${formatMs(uncorrected.p50)}, p90 ${formatMs(uncorrected.p90)}, p99 ${formatMs(uncorrected.p99)}`
        : basis.text);
    }
    const kinds = record.overall?.errorsByKind ?? {};
    if (Object.keys(kinds).length) lines.push(`errors by kind: ${formatTally(kinds)}`);
    if (record.generator) lines.push(generatorLine(record.generator));
  }
  if (record.distributed) lines.push('', ...agentTextLines(record.distributed, rateUnit));
  if (record.redisMemory) lines.push(redisMemoryLine(record.redisMemory));
  if (record.stack) lines.push('', ...stackTextLines(record.stack, { memory: !record.redisMemory }));
  if (record.process) {
    lines.push('', `process: ${record.process.description}${record.process.complete ? '' : ' (went away during the run: figures up to then, not checked against thresholds)'}`);
    lines.push(...processLines(record.process, record.process.resolutionMs).map((l) => `  ${l}`));
  }
  if (record.thresholds.length) {
    lines.push('');
    lines.push(textTable(['threshold', 'limit', 'actual', ''], record.thresholds.map((t) => [t.metric, t.limit, formatActual(t, rateUnit), t.pass ? 'pass' : 'FAIL'])));
  }
  if (record.comparison) lines.push('', comparisonText(record.comparison, rateUnit));
  if (record.diagnosis) lines.push('', ...diagnosisTextLines(record.diagnosis));
  return lines.join('\n');
}

/** A capacity search: what it found, why it stopped, the knee and its steps. */
export function capacityText(c: CapacityResult, rateUnit: string): string[] {
  const lines = [capacityHeadline(c, rateUnit)];
  if (c.firstFailing) lines.push(`at ${formatRate(c.firstFailing.rate, rateUnit)}: ${c.firstFailing.failed.join('; ')}`);
  lines.push(capacityStopText(c, rateUnit));
  const knee = kneeText(c, rateUnit);
  if (knee) lines.push(knee);
  const rows = capacityStepRows(c, rateUnit);
  if (rows.length) {
    lines.push('', textTable(['step', 'offered', 'achieved', 'errors', 'p50', 'p95', 'p99', 'result', 'why'], rows.map((r) => [r.step, r.offered, r.achieved, r.errors, r.p50, r.p95, r.p99, r.verdict, r.why]), { labels: 'last', maxRule: 40 }));
  }
  return lines;
}

/** A comparison with a baseline: what was compared, the verdict line, the table, the warnings. */
export function comparisonText(c: Comparison, rateUnit: string): string {
  const lines = [`${comparisonSides(c)}: ${comparisonVerdict(c)}`];
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  const rows = comparisonRows(c, rateUnit);
  if (rows.length) {
    lines.push('', textTable(['metric', 'baseline', 'now', 'change (interval)', 'verdict'], rows.map((r) => [r.metric, r.baseline, r.current, r.change, r.regression ? 'REGRESSION' : r.verdict])));
    lines.push(comparisonBasis(c));
  }
  const growers = growerRows(c);
  if (growers.length) {
    lines.push('', 'functions whose share of self time grew most (CPU profiles of the last run of each side):');
    lines.push(textTable(['function', 'baseline', 'now', 'change', 'where'], growers.map((g) => [g.name, g.before, g.after, g.change, g.where]), { labels: 'first' }));
  }
  return lines.join('\n');
}

/** `generator: lag p99 1.20 ms, 7 sent late (worst 9.10 ms), connection wait p99 190 ms, max 201 ms`. */
function generatorLine(g: GeneratorHealth): string {
  const wait = g.connectionWait ? `, connection wait p99 ${formatMs(g.connectionWait.p99)}, max ${formatMs(g.connectionWait.max)}` : '';
  return `generator: lag p99 ${formatMs(g.lagP99Ms)}, ${formatCount(g.lateSends)} sent late (worst ${formatMs(g.lateSendMaxMs)})${wait}`;
}
