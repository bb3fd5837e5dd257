/** A Markdown summary, e.g. for a CI job summary or a pull request comment. */
import type { RunRecord } from '../runRecord';
import { latencyBasis, resultRows } from './results';
import { comparisonBasis, comparisonRows, comparisonSides, comparisonVerdict, growerRows } from './comparison';
import type { CapacityResult } from '../capacity';
import type { Comparison } from '../compare/compare';
import { capacityHeadline, capacityStepRows, capacityStopText, kneeText } from './capacity';
import type { StackEvidence } from '../stackEvidence';
import { commandRows, commandTotalsText, gaugeText, HISTOGRAM_HEADING, histogramTexts, latencyText, queueRow, readingsText, slowlogRow, slowlogText } from './stack';
import { diagnosisMarkdown } from './diagnosis';
import { AGENT_COLUMNS, agentRows } from './agents';
import { kindOf } from '../../runners/registry';
import { formatActual, formatCount, formatDuration, formatErrors, formatMs, formatRate } from '../format';

export function markdownReport(record: RunRecord): string {
  const { rateUnit } = kindOf(record.type).words;
  const verdict = record.status === 'completed' ? (record.pass ? '✅ PASS' : '❌ FAIL') : `⚠️ ${record.status.toUpperCase()}`;
  const compared = record.comparison ? ` — ${record.comparison.regressions ? `${record.comparison.regressions} regression${record.comparison.regressions === 1 ? '' : 's'}` : 'no regression'}` : '';
  const out: string[] = [`## PerfLab: ${cell(record.profile)} — ${verdict}${compared}`, ''];
  out.push(`Run ${code(record.id)}, ${record.type}, ${formatDuration(record.durationMs)}${record.target ? `, target ${code(record.target)}` : ''}.`, '');
  if (record.error) out.push(`> ${cell(record.error)}`, '');
  if (record.capacity) out.push(...markdownCapacity(record.capacity, rateUnit));
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
  if (record.distributed) {
    const d = record.distributed;
    out.push(`Load from ${d.agents.length} of ${d.requested} agents${d.partial ? ` (**partial**: missing ${d.missing.map(code).join(', ')})` : ''}; the figures above merge their histograms.`, '');
    out.push(`| ${AGENT_COLUMNS.map(upperFirst).join(' | ')} |`, `| --- | --- | --- | ${AGENT_COLUMNS.slice(3).map(() => '---:').join(' | ')} |`);
    for (const row of agentRows(d, rateUnit)) out.push(`| ${row.map(cell).join(' | ')} |`);
    out.push('');
  }
  if (record.diagnosis) out.push(...diagnosisMarkdown(record.diagnosis, markdownProse));
  if (record.stack) out.push(...markdownStack(record.stack));
  if (record.comparison) out.push(...markdownComparison(record.comparison, rateUnit));
  return out.join('\n');
}

/** A capacity search: the headline in bold, why it stopped, the knee, the table of steps. */
function markdownCapacity(c: CapacityResult, rateUnit: string): string[] {
  const out = [`**${cell(capacityHeadline(c, rateUnit))}.**${c.firstFailing ? ` At ${formatRate(c.firstFailing.rate, rateUnit)}: ${cell(c.firstFailing.failed.join('; '))}.` : ''}`, ''];
  const knee = kneeText(c, rateUnit);
  out.push(`${cell(upperFirst(capacityStopText(c, rateUnit)))}.${knee ? ` ${cell(upperFirst(knee))}.` : ''}`, '');
  const rows = capacityStepRows(c, rateUnit);
  if (rows.length) {
    out.push('| Step | Offered | Achieved | Errors | p50 | p95 | p99 | Result |', '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of rows) out.push(`| ${r.step} | ${r.offered} | ${r.achieved} | ${r.errors} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.pass ? 'pass' : `**${r.verdict}**${r.why ? `: ${cell(r.why)}` : ''}`} |`);
    out.push('');
  }
  return out;
}

/** The comparison with the baseline: a sentence, the warnings as a quote, the table of changes. */
export function markdownComparison(c: Comparison, rateUnit: string): string[] {
  const out = [`**Compared with the baseline:** ${cell(comparisonVerdict(c))} (${cell(comparisonSides(c))}).`, ''];
  if (c.warnings.length) out.push(...c.warnings.map((w) => `> ⚠️ ${cell(w)}`), '');
  const rows = comparisonRows(c, rateUnit);
  if (rows.length) {
    out.push('| Metric | Baseline | Now | Change (interval) | Verdict |', '| --- | ---: | ---: | ---: | --- |');
    for (const r of rows) out.push(`| ${code(r.metric)} | ${r.baseline} | ${r.current} | ${r.change} | ${r.regression ? '**regression**' : r.verdict} |`);
    out.push('', `${cell(comparisonBasis(c))}.`, '');
  }
  const growers = growerRows(c);
  if (growers.length) {
    out.push('**Functions whose share of self time grew most:**', '', '| Function | Baseline | Now | Change | Where |', '| --- | ---: | ---: | ---: | --- |');
    for (const g of growers) out.push(`| ${code(g.name)} | ${g.before} | ${g.after} | ${g.change} | ${g.where ? code(g.where) : ''} |`);
    out.push('');
  }
  return out;
}

/** The run's stack: its Redis's top commands, slow log, latency, memory and clients, and its queues. */
function markdownStack(e: StackEvidence): string[] {
  const out = [`**Redis** ${code(e.target)}${e.version ? ` (Redis ${cell(e.version)})` : ''}, ${cell(readingsText(e))}.`, ''];
  const rows = commandRows(e);
  if (rows.length) {
    out.push('| Command | Calls | Time | Per call | Share |', '| --- | ---: | ---: | ---: | ---: |');
    for (const r of rows) out.push(`| ${code(r.command)} | ${r.calls} | ${r.time} | ${r.perCall} | ${r.share} |`);
    out.push('');
  }
  const bullet = (t: string | undefined) => (t !== undefined ? [`- ${cell(upperFirst(t))}`] : []);
  const notes = [
    ...bullet(commandTotalsText(e)),
    ...bullet(slowlogText(e)),
    ...(e.slowlog?.entries ?? []).map(slowlogRow).map((r) => `  - ${r.at}, ${r.duration}: ${code(r.command)}${r.client ? ` from ${code(r.client)}` : ''}`),
    ...bullet(latencyText(e)),
    ...(histogramTexts(e).length ? [`- ${cell(upperFirst(HISTOGRAM_HEADING))}:`, ...histogramTexts(e).map((t) => `  - ${cell(t)}`)] : []),
    ...bullet(gaugeText(e)),
    ...e.unavailable.map((u) => `- Not read: ${cell(u)}`),
  ];
  if (notes.length) out.push(...notes, '');
  if (e.queues.length) {
    out.push('| Queue | Waiting max | Active max | Delayed max | Failed max | Waiting | Trend | Completed | Failed | |', '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |');
    for (const q of e.queues.map(queueRow)) {
      out.push(`| ${code(q.name)} | ${q.waitingMax} | ${q.activeMax} | ${q.delayedMax} | ${q.failedMax} | ${q.waiting} | ${q.trend} | ${q.completed} | ${q.failed} | ${cell(q.note)} |`);
    }
    out.push('');
  }
  return out;
}

const upperFirst = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}`;

/** Names come from config files: keep them from breaking the table or adding markup. */
function cell(text: string): string {
  return text.replace(/[|\\`*_<>[\]]/g, '\\$&').replace(/\n/g, ' ');
}

/** Our own sentences with names in code spans: the text outside the spans escaped as a cell, the spans kept. */
export function markdownProse(text: string): string {
  return text.split(/(`[^`\n]*`)/).map((part, i) => (i % 2 ? part : cell(part))).join('');
}

/** A code span in a table cell: only the pipe (a table delimiter) and backticks need care. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
}
