/** The findings of a run's diagnosis (src/core/diagnosis.ts) as the CLI prints them and as Markdown. */
import type { Diagnosis, Finding, Severity } from '../diagnosis';
import { formatDuration } from '../format';

const LABEL: Record<Severity, string> = { critical: 'CRITICAL', warning: 'WARNING', info: 'info' };

/** `12.3 s – 15 s into the run`, for a finding that has a window. */
export function findingWindow(f: Finding): string | undefined {
  if (!f.window) return undefined;
  const { fromS, toS } = f.window;
  return toS - fromS < 0.5 ? `at ${formatDuration(fromS * 1000)}` : `${formatDuration(fromS * 1000)} – ${formatDuration(toS * 1000)} into the run`;
}

/** The one line a summary shows when nothing was found, and what was read. */
export function noFindingsText(d: Diagnosis): string {
  return `nothing found in ${d.read.join(', ')}`;
}

/** `findings:` then each finding: its severity, id and title, then (above info) what it means, the evidence and the next step. */
export function diagnosisTextLines(d: Diagnosis): string[] {
  const lines: string[] = [];
  const shown = d.findings;
  lines.push(shown.length ? `findings (from ${d.read.join(', ')}):` : `findings: ${noFindingsText(d)}`);
  for (const f of shown) {
    lines.push(`  ${LABEL[f.severity]} ${f.id}: ${f.title}`);
    if (f.severity === 'info') continue;
    lines.push(`    ${f.explanation}`);
    const window = findingWindow(f);
    for (const e of [...f.evidence, ...(window ? [window] : [])]) lines.push(`    · ${e}`);
    lines.push(`    next: ${f.next}`);
  }
  for (const m of d.missing) lines.push(`  (${m})`);
  return lines;
}

/** A heading, one block per finding (its evidence as a list), and what was missing as a note. */
export function diagnosisMarkdown(d: Diagnosis, cell: (s: string) => string): string[] {
  const out = ['### Findings', ''];
  if (!d.findings.length) {
    out.push(`No findings: ${cell(noFindingsText(d))}.`, '');
  }
  for (const f of d.findings) {
    const icon = f.severity === 'critical' ? '🔴' : f.severity === 'warning' ? '🟠' : 'ℹ️';
    out.push(`${icon} **${cell(f.title)}** (\`${f.id}\`, ${f.severity})`, '');
    if (f.severity === 'info') continue;
    out.push(cell(f.explanation), '');
    const window = findingWindow(f);
    for (const e of [...f.evidence, ...(window ? [window] : [])]) out.push(`- ${cell(e)}`);
    out.push('', `Next: ${cell(f.next)}`, '');
  }
  for (const m of d.missing) out.push(`> ${cell(m)}`);
  if (d.missing.length) out.push('');
  return out;
}
