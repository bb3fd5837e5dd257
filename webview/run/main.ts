/**
 * The run summary page. It renders whatever the host sends in a `run` message; the HTML shell
 * holds no data. Which sections are collapsed is kept in the webview state, so it survives the
 * panel being hidden and shown again.
 */
import './style.css';
import { unknownKind } from '../../src/core/kindDescription';
import type { ToWebview } from '../../src/protocol';
import { errorBanner, h } from '../shared/dom';
import { forwardUncaughtErrors, getState, inEditor, onMessage, post, request, serveLocally, setState } from '../shared/messaging';
import type { ProcessSeries } from '../../src/core/report/processSeries';
import type { StackSeries } from '../../src/core/report/stackSeries';
import { findingsSection } from './findingsSection';
import { artifacts, banners, capacitySection, comparisonSection, distribution, environment, header, operations, phases, processSection, summary, sweep, thresholds, timeline, type RenderContext, type SectionId } from './sections';
import { stackSection } from './stackSection';

/** What the page keeps across hide/show. */
interface RunViewState {
  collapsed: SectionId[];
  /** The run shown: after a window reload the editor reopens the page on it (src/views/runPanel.ts). */
  runId?: string;
}

function isRunViewState(value: unknown): value is RunViewState {
  const v = value as RunViewState | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.collapsed) && v.collapsed.every((s) => typeof s === 'string');
}

// Exported as HTML (perflab report --html), the process timeline is embedded in the page.
serveLocally((data) => ({
  'run.processTimeline': () => {
    if (data.process) return data.process as ProcessSeries;
    throw new Error(typeof data.processError === 'string' ? data.processError : 'it is not in this exported file');
  },
  'run.stackSeries': () => {
    if (data.stack) return data.stack as StackSeries;
    throw new Error(typeof data.stackError === 'string' ? data.stackError : 'it is not in this exported file');
  },
}));

const app = document.getElementById('app') ?? document.body.appendChild(h('main', { attrs: { id: 'app' } }));
const collapsed = new Set<SectionId>(getState(isRunViewState)?.collapsed ?? []);
let shownRunId: string | undefined;
const saveState = () => setState<RunViewState>({ collapsed: [...collapsed], ...(shownRunId !== undefined ? { runId: shownRunId } : {}) });

const page: Omit<RenderContext, 'kind'> = {
  isCollapsed: (id) => collapsed.has(id),
  onToggle(id, open) {
    if (open) collapsed.delete(id);
    else collapsed.add(id);
    saveState();
  },
  openFile: (file) => post({ type: 'openFile', file }),
  ...(inEditor()
    ? {
        openRun: (id: string) => post({ type: 'openRun', id }),
        openSource: (url: string, line: number) => request('openSource', { url, line, column: 1 }).then(() => undefined, (err: Error) => err.message),
      }
    : {}),
  processTimeline: (file) => request('run.processTimeline', { file }),
  stackSeries: (file) => request('run.stackSeries', { file }),
};

/** Replaces the page content, keeping the scroll position when the same run is shown again. */
function show(nodes: Node[], keepScroll: boolean): void {
  const y = window.scrollY;
  app.replaceChildren(...nodes);
  app.setAttribute('aria-busy', 'false');
  if (keepScroll) window.scrollTo(0, y);
}

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'run': {
      const { record, runDir } = message;
      const ctx: RenderContext = { ...page, kind: message.kind ?? unknownKind(String(record.type)) };
      let nodes: (Node | null)[];
      try {
        nodes = [
          header(record, ctx),
          ...banners(record),
          summary(record, ctx),
          thresholds(record, ctx),
          capacitySection(record, ctx),
          message.comparison ? comparisonSection(message.comparison, ctx) : null,
          // After the verdicts, what the evidence says is behind them.
          findingsSection(record, ctx),
          timeline(record, ctx),
          distribution(record, ctx),
          sweep(record, ctx),
          processSection(record, ctx),
          stackSection(record, ctx),
          phases(record, ctx),
          operations(record, ctx),
          environment(record, ctx),
          artifacts(record, runDir, ctx),
        ];
      } catch (err) {
        // A record this page does not understand (hand-edited, or from another version): say so
        // here, and let the messaging layer report the details to the host.
        showError(`run.json does not have the expected shape (${err instanceof Error ? err.message : String(err)}).`);
        throw err;
      }
      show(nodes.filter((n): n is Node => n !== null), shownRunId === record.id);
      shownRunId = record.id;
      saveState();
      break;
    }
    case 'error':
      showError(message.message);
      break;
  }
}

function showError(text: string): void {
  shownRunId = undefined;
  show([errorBanner('This run could not be shown', text)], false);
}

app.replaceChildren(h('p', { className: 'empty loading', text: 'Loading run…' }));
app.setAttribute('aria-busy', 'true');
forwardUncaughtErrors();
onMessage(handle);
