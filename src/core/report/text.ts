/** The plain-text report the CLI prints at the end of a run. */
import type { GeneratorHealth, OperationResult, RunRecord } from '../runRecord';
import { errorRate } from '../stats';
import { processLines, redisMemoryLine } from './process';
import { latencyBasis, resultRows } from './results';
import { formatActual, ms, percent, rate } from './values';

export function textReport(record: RunRecord): string {
  const lines: string[] = [];
  const verdict = record.status === 'completed' ? (record.pass ? 'PASS' : 'FAIL') : record.status.toUpperCase();
  lines.push(`${record.profile} (${record.type}) ${verdict} in ${(record.durationMs / 1000).toFixed(1)} s — run ${record.id}`);
  if (record.target) lines.push(`target: ${record.target}`);
  if (record.error) lines.push(`error: ${record.error}`);
  if (record.generator?.generatorBound) lines.push(`warning: ${record.generator.message ?? 'the load generator, not the target, was the limit'}`);

  const rows: OperationResult[] = [
    ...(record.phases.length > 1 ? record.phases.map((p) => ({ ...p, name: `phase ${p.name}` })) : []),
    ...resultRows(record),
  ];
  if (rows.length) {
    lines.push('');
    lines.push(
      table(
        ['', 'count', 'rate/s', 'errors', 'p50 ms', 'p90 ms', 'p95 ms', 'p99 ms', 'max ms'],
        rows.map((r) => [
          r.name,
          r.count.toLocaleString('en-US'),
          rate(r.rate),
          r.errors ? `${r.errors} (${percent(errorRate(r))})` : '0',
          ms(r.latency.p50),
          ms(r.latency.p90),
          ms(r.latency.p95),
          ms(r.latency.p99),
          ms(r.latency.max),
        ]),
      ),
    );
    const basis = latencyBasis(record);
    const uncorrected = record.overall?.uncorrectedLatency;
    if (basis) {
      lines.push(uncorrected && basis.uncorrectedFrom
        ? `${basis.text}; from ${basis.uncorrectedFrom}: p50 ${ms(uncorrected.p50)} ms, p90 ${ms(uncorrected.p90)} ms, p99 ${ms(uncorrected.p99)} ms`
        : basis.text);
    }
    const kinds = Object.entries(record.overall?.errorsByKind ?? {});
    if (kinds.length) lines.push(`errors by kind: ${kinds.map(([k, n]) => `${k} × ${n}`).join(', ')}`);
    if (record.generator) lines.push(generatorLine(record.generator));
  }
  if (record.redisMemory) lines.push(redisMemoryLine(record.redisMemory));
  if (record.process) {
    lines.push('', `process: ${record.process.description}${record.process.complete ? '' : ' (went away during the run: figures up to then, not checked against thresholds)'}`);
    lines.push(...processLines(record.process, record.process.resolutionMs).map((l) => `  ${l}`));
  }
  if (record.thresholds.length) {
    lines.push('');
    lines.push(table(['threshold', 'limit', 'actual', ''], record.thresholds.map((t) => [t.metric, t.limit, formatActual(t), t.pass ? 'pass' : 'FAIL'])));
  }
  return lines.join('\n');
}

/** `generator: lag p99 1.20 ms, 7 sent late (worst 9.10 ms), connection wait p99 190 ms, max 201 ms`. */
function generatorLine(g: GeneratorHealth): string {
  const wait = g.connectionWait ? `, connection wait p99 ${ms(g.connectionWait.p99)} ms, max ${ms(g.connectionWait.max)} ms` : '';
  return `generator: lag p99 ${ms(g.lagP99Ms)} ms, ${g.lateSends} sent late (worst ${ms(g.lateSendMaxMs)} ms)${wait}`;
}

/** Left-aligned first column, right-aligned numbers. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
