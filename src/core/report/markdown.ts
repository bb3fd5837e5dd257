/** A Markdown summary, e.g. for a CI job summary or a pull request comment. */
import type { RunRecord } from '../runRecord';
import { errorRate } from '../stats';
import { latencyBasis, resultRows } from './results';
import { formatActual, ms, percent, rate } from './values';

export function markdownReport(record: RunRecord): string {
  const verdict = record.status === 'completed' ? (record.pass ? '✅ PASS' : '❌ FAIL') : `⚠️ ${record.status.toUpperCase()}`;
  const out: string[] = [`## PerfLab: ${cell(record.profile)} — ${verdict}`, ''];
  out.push(`Run ${code(record.id)}, ${record.type}, ${(record.durationMs / 1000).toFixed(1)} s${record.target ? `, target ${code(record.target)}` : ''}.`, '');
  if (record.error) out.push(`> ${cell(record.error)}`, '');
  if (record.thresholds.length) {
    out.push('| Threshold | Limit | Actual | Result |', '| --- | --- | ---: | --- |');
    for (const t of record.thresholds) out.push(`| ${code(t.metric)} | ${code(t.limit)} | ${formatActual(t)} | ${t.pass ? 'pass' : '**FAIL**'} |`);
    out.push('');
  }
  const rows = resultRows(record);
  if (rows.length) {
    out.push('| | Count | Rate/s | Errors | p50 ms | p95 ms | p99 ms | Max ms |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) {
      out.push(`| ${cell(r.name)} | ${r.count} | ${rate(r.rate)} | ${r.errors ? `${r.errors} (${percent(errorRate(r))})` : 0} | ${ms(r.latency.p50)} | ${ms(r.latency.p95)} | ${ms(r.latency.p99)} | ${ms(r.latency.max)} |`);
    }
    out.push('');
    const basis = latencyBasis(record);
    if (basis) out.push(`${cell(basis.text)}.`, '');
  }
  return out.join('\n');
}

/** Names come from config files: keep them from breaking the table or adding markup. */
function cell(text: string): string {
  return text.replace(/[|\\`*_<>[\]]/g, '\\$&').replace(/\n/g, ' ');
}

/** A code span in a table cell: only the pipe (a table delimiter) and backticks need care. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
}
