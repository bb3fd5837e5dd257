/** A Markdown summary, e.g. for a CI job summary or a pull request comment. */
import type { RunRecord } from '../runRecord';
import { latencyBasis, resultRows } from './results';
import { kindOf } from '../../runners/registry';
import { formatActual, formatCount, formatDuration, formatErrors, formatMs, formatRate } from '../format';

export function markdownReport(record: RunRecord): string {
  const { rateUnit } = kindOf(record.type).words;
  const verdict = record.status === 'completed' ? (record.pass ? '✅ PASS' : '❌ FAIL') : `⚠️ ${record.status.toUpperCase()}`;
  const out: string[] = [`## PerfLab: ${cell(record.profile)} — ${verdict}`, ''];
  out.push(`Run ${code(record.id)}, ${record.type}, ${formatDuration(record.durationMs)}${record.target ? `, target ${code(record.target)}` : ''}.`, '');
  if (record.error) out.push(`> ${cell(record.error)}`, '');
  if (record.thresholds.length) {
    out.push('| Threshold | Limit | Actual | Result |', '| --- | --- | ---: | --- |');
    for (const t of record.thresholds) out.push(`| ${code(t.metric)} | ${code(t.limit)} | ${formatActual(t, rateUnit)} | ${t.pass ? 'pass' : '**FAIL**'} |`);
    out.push('');
  }
  const rows = resultRows(record);
  if (rows.length) {
    out.push('| | Count | Rate | Errors | p50 | p95 | p99 | Max |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) {
      out.push(`| ${cell(r.name)} | ${formatCount(r.count)} | ${formatRate(r.rate, rateUnit)} | ${formatErrors(r.errors, r.count)} | ${formatMs(r.latency.p50)} | ${formatMs(r.latency.p95)} | ${formatMs(r.latency.p99)} | ${formatMs(r.latency.max)} |`);
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
