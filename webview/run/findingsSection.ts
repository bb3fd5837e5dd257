/**
 * The run page's "Findings" section: what the run's diagnosis says is wrong (record.diagnosis,
 * src/core/diagnosis.ts), most severe first, each with what it means, its evidence, when, the
 * functions it names (a link opens the source in the editor) and the next step. A run recorded
 * before diagnoses existed has none: the section says how to get one.
 */
import type { Finding, Severity } from '../../src/core/diagnosis';
import { findingWindow, noFindingsText } from '../../src/core/report/diagnosis';
import type { RunRecord } from '../../src/core/runRecord';
import { formatBytes, formatMs, formatPercent } from '../../src/core/format';
import { h, type Child } from '../shared/dom';
import { empty, section, type RenderContext } from './sections';

const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

export function findingsSection(record: RunRecord, ctx: RenderContext): HTMLElement | null {
  if (record.status === 'failed' || record.capacity) return null;
  const d = record.diagnosis;
  if (!d) return section('findings', 'Findings', ctx, [empty(`This run has no diagnosis (it was recorded before PerfLab diagnosed runs): perflab diagnose ${record.id} computes one from its folder.`)]);
  const error = h('p', { className: 'inline-error', attrs: { role: 'alert', 'data-testid': 'findings-error' } });
  error.hidden = true;
  const worst = d.findings[0]?.severity;
  const note = d.findings.length ? `${d.findings.length} · from ${d.read.join(', ')}` : undefined;
  return section('findings', 'Findings', ctx, [
    d.findings.length
      ? h('ol', { className: 'findings', attrs: { 'data-testid': 'findings', 'data-worst': worst } }, d.findings.map((f) => findingItem(f, ctx, error)))
      : h('p', { className: 'empty', text: `No findings: ${noFindingsText(d)}.`, attrs: { 'data-testid': 'findings' } }),
    error,
    d.missing.length ? h('ul', { className: 'findings-missing muted' }, d.missing.map((m) => h('li', { text: m }))) : null,
  ], note);
}

function findingItem(f: Finding, ctx: RenderContext, error: HTMLElement): HTMLElement {
  const window = findingWindow(f);
  const open = ctx.openSource;
  return h('li', { className: `finding finding-${f.severity}`, attrs: { 'data-finding': f.id, 'data-severity': f.severity } }, [
    h('div', { className: 'finding-head' }, [
      h('span', { className: `badge finding-badge finding-badge-${f.severity}`, text: SEVERITY_LABEL[f.severity] }),
      h('strong', { className: 'finding-title' }, withCode(f.title)),
      h('code', { className: 'finding-id muted', text: f.id }),
    ]),
    f.severity === 'info' ? null : h('p', { className: 'finding-explanation' }, withCode(f.explanation)),
    h('ul', { className: 'finding-evidence' }, [...f.evidence, ...(window ? [window] : [])].map((e) => h('li', {}, withCode(e)))),
    f.code?.length
      ? h('div', { className: 'finding-code' }, [
          h('span', { className: 'muted', text: 'Code: ' }),
          ...f.code.flatMap((c, i) => {
            const label = `${c.name || '(anonymous)'}${c.location ? ` (${c.location})` : ''}${codeFigure(c)}`;
            const canOpen = open && c.url && c.line;
            const node = canOpen
              ? h('button', { className: 'link-button', text: label, attrs: { type: 'button', title: `Open ${c.location}` } })
              : h('span', { text: label });
            if (canOpen) {
              node.addEventListener('click', () => void open(c.url!, c.line!).then((message) => {
                error.textContent = message ?? '';
                error.hidden = !message;
              }));
            }
            return i ? [', ', node] : [node];
          }),
        ])
      : null,
    h('p', { className: 'finding-next' }, [h('span', { className: 'muted', text: 'Next: ' }), ...withCode(f.next)]),
  ]);
}

/** The findings' sentences mark names as `code`: those parts in <code>, the rest as text (never parsed as markup). */
function withCode(text: string): Child[] {
  return text.split(/`([^`\n]*)`/).map((part, i) => (i % 2 ? h('code', { text: part }) : part));
}

/** What a named function accounts for: the longest call, its self time, or its bytes. */
function codeFigure(c: NonNullable<Finding['code']>[number]): string {
  if (c.bytes !== undefined) return ` · ${formatBytes(c.bytes)}${c.share !== undefined ? ` (${formatPercent(c.share)})` : ''}`;
  if (c.share !== undefined) return ` · ${formatPercent(c.share)}`;
  if (c.ms !== undefined) return ` · ${formatMs(c.ms)}`;
  return '';
}
