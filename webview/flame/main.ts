/**
 * The flame graph of a CPU profile. The host keeps the call tree (src/views/flamePanel.ts) and
 * this page asks for the slice it draws (`flame.slice`): the focused subtree, cut at a pixel of
 * the current zoom and to the visible range. Click focuses a node, Ctrl/Cmd-click opens its
 * source, Ctrl/Cmd-wheel zooms, dragging pans; the search highlights matches and counts them over
 * the whole profile (`flame.search`). Zoom, focus, search and the pseudo-frames' toggle are kept
 * in the webview state.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './style.css';
import { type FlameInfo, FlameModel, type FlameSlice, type FlameSliceNode, type FlameTreeData } from '../../src/core/flame';
import { formatDuration, formatMs, formatPercent, formatShare } from '../../src/core/format';
import type { ToWebview } from '../../src/protocol';
import { h } from '../shared/dom';
import { forwardUncaughtErrors, getState, log, onMessage, request, serveLocally, setState } from '../shared/messaging';
import { categoryOf, depthOf, draw, nodeAt, ROW_HEIGHT, type Viewport } from './draw';

forwardUncaughtErrors();

// Exported as HTML (perflab report --html), the page holds the tree and answers itself.
serveLocally((data) => {
  const flame = data.flame as { tree: FlameTreeData; metaFrames: number[]; delta?: number[] };
  const meta = new Set(flame.metaFrames);
  const model = new FlameModel(flame.tree, (_name, _url, f) => meta.has(f), flame.delta);
  return {
    'flame.slice': (p) => model.slice(p),
    'flame.search': (p) => model.search(p.query, p.hideMeta),
    openSource: (p) => {
      throw new Error(`${p.url}: sources open from the editor, not from an exported page`);
    },
  };
});

interface FlameViewState {
  root: number;
  query: string;
  hideMeta: boolean;
  view?: Viewport;
}

function isFlameViewState(v: unknown): v is FlameViewState {
  const s = v as Partial<FlameViewState> | null;
  return typeof s === 'object' && s !== null && typeof s.root === 'number' && typeof s.query === 'string' && typeof s.hideMeta === 'boolean';
}

const state: FlameViewState = getState(isFlameViewState) ?? { root: 0, query: '', hideMeta: false };
const save = () => setState<FlameViewState>({ ...state });

// ---- the page ----
const app = document.getElementById('app') ?? document.body.appendChild(h('main', { attrs: { id: 'app' } }));
const title = h('h1', { className: 'file', text: 'CPU profile' });
const facts = h('span', { className: 'muted facts' });
const search = document.createElement('vscode-textfield');
search.setAttribute('placeholder', 'Search functions and files');
search.setAttribute('aria-label', 'Search functions and files');
search.value = state.query;
const matchCount = h('span', { className: 'muted match-count', attrs: { 'data-testid': 'match-count', 'aria-live': 'polite' } });
const meta = document.createElement('vscode-checkbox');
meta.setAttribute('label', 'V8 pseudo-frames (idle, program, GC)');
meta.checked = !state.hideMeta;
const zoomIn = toolbarButton('Zoom in', () => zoom(0.5, width() / 2));
const zoomOut = toolbarButton('Zoom out', () => zoom(2, width() / 2));
const reset = toolbarButton('Reset', () => focus(0));
const crumbs = h('nav', { className: 'crumbs', attrs: { 'aria-label': 'Focused call path' } });
const banner = h('div', { className: 'banner banner-error', attrs: { role: 'alert', hidden: '' } });
const canvas = h('canvas', { className: 'flame', attrs: { 'data-testid': 'flame', role: 'img', 'aria-label': 'Flame graph' } });
const tooltip = h('div', { className: 'tooltip', attrs: { role: 'tooltip', hidden: '' } });
const scroller = h('div', { className: 'scroller' }, [canvas, tooltip]);
const hint = h('p', { className: 'muted footnote', text: 'Click a function to focus it, Ctrl/Cmd-click to open its source. Ctrl/Cmd-wheel zooms, drag pans.' });
/** In a comparison: what the colours mean, and the functions whose share of self time changed most. */
const diffNote = h('p', { className: 'diff-note', attrs: { hidden: '' } });
const growers = h('section', { className: 'growers', attrs: { hidden: '', 'aria-label': 'Functions whose share of self time changed most' } });

app.replaceChildren(
  h('header', { className: 'flame-header' }, [title, facts]),
  diffNote,
  h('div', { className: 'toolbar' }, [search, matchCount, meta, h('span', { className: 'spacer' }), zoomIn, zoomOut, reset]),
  crumbs,
  banner,
  scroller,
  hint,
  growers,
);
app.setAttribute('aria-busy', 'true');

function toolbarButton(label: string, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.setAttribute('secondary', '');
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

// ---- data ----
let info: FlameInfo | undefined;
let slice: FlameSlice | undefined;
let view: Viewport = state.view ?? { fromMs: 0, toMs: 1 };
let hover: number | undefined;
/** Each new slice request supersedes the one before; a late answer to an old one is dropped. */
let generation = 0;

const width = () => scroller.clientWidth || 800;

async function load(params: { root: number; keepView?: boolean }): Promise<void> {
  const mine = ++generation;
  const rootChanged = !slice || slice.params.root !== params.root;
  const span = params.keepView && slice && !rootChanged ? view : undefined;
  try {
    const next = await request('flame.slice', {
      root: params.root,
      hideMeta: state.hideMeta,
      ...(span ? { minMs: (span.toMs - span.fromMs) / width(), fromMs: span.fromMs, toMs: span.toMs } : { minShare: 1 / width() }),
    });
    if (mine !== generation) return;
    show(next, span);
  } catch (err) {
    if (mine === generation) showError((err as Error).message);
  }
}

function show(next: FlameSlice, span: Viewport | undefined): void {
  slice = next;
  view = span ?? (state.view && state.root === next.params.root ? state.view : { fromMs: 0, toMs: next.rootMs });
  state.view = undefined;
  state.root = next.params.root;
  hideError();
  renderCrumbs();
  render();
  app.setAttribute('aria-busy', 'false');
  save();
  checkDetail();
}

function focus(root: number): void {
  state.view = undefined;
  void load({ root });
}

let searchTimer: ReturnType<typeof setTimeout> | undefined;
async function runSearch(): Promise<void> {
  const query = state.query;
  if (!query) {
    matchCount.textContent = '';
    render();
    return;
  }
  try {
    const found = await request('flame.search', { query, hideMeta: state.hideMeta });
    if (found.query !== state.query) return;
    matchCount.textContent = found.nodes === 0
      ? 'No matches'
      : `${found.nodes} ${found.nodes === 1 ? 'match' : 'matches'} in ${found.functions} ${found.functions === 1 ? 'function' : 'functions'} · ${formatShare(found.totalMs, found.profileMs)} of the time`;
  } catch (err) {
    showError((err as Error).message);
  }
  render();
}

search.addEventListener('input', () => {
  state.query = search.value.trim();
  save();
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void runSearch(), 150);
});

meta.addEventListener('change', () => {
  state.hideMeta = !meta.checked;
  save();
  void load({ root: state.root });
  void runSearch();
});

// ---- drawing ----
function palette() {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    background: v('--pl-bg', '#ffffff'),
    foreground: v('--pl-fg', '#3b3b3b'),
    focus: v('--pl-focus', '#005fb8'),
    font: `12px ${v('--pl-mono', 'monospace')}`,
  };
}

function isDark(): boolean {
  return document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast')
    || matchMedia('(prefers-color-scheme: dark)').matches;
}

function render(): void {
  if (!slice) return;
  const w = width();
  const rows = depthOf(slice);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * ratio);
  canvas.height = Math.round(rows * ROW_HEIGHT * ratio);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${rows * ROW_HEIGHT}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  const drawn = draw(ctx, { slice, view, width: w, palette: palette(), dark: isDark(), query: state.query, hover });
  canvas.setAttribute('data-drawn', String(drawn));
  canvas.setAttribute('data-root', String(slice.params.root));
  canvas.setAttribute('data-view', `${view.fromMs.toFixed(3)}-${view.toMs.toFixed(3)}`);
}

function renderCrumbs(): void {
  if (!slice) return;
  crumbs.replaceChildren(...slice.path.flatMap((step, i) => {
    const last = i === slice!.path.length - 1;
    const el = last
      ? h('span', { className: 'crumb current', text: step.name, attrs: { 'aria-current': 'true' } })
      : h('button', { className: 'crumb', text: step.name, attrs: { type: 'button' } });
    if (!last) el.addEventListener('click', () => focus(step.id));
    return i === 0 ? [el] : [h('span', { className: 'muted', text: ' › ' }), el];
  }));
}

// ---- zoom and pan ----
function zoom(factor: number, atPx: number): void {
  if (!slice) return;
  const span = view.toMs - view.fromMs;
  const at = view.fromMs + (atPx / width()) * span;
  const next = Math.min(Math.max(span * factor, slice.rootMs / 1e6), slice.rootMs);
  let fromMs = at - ((at - view.fromMs) / span) * next;
  fromMs = Math.min(Math.max(fromMs, 0), slice.rootMs - next);
  setView({ fromMs, toMs: fromMs + next });
}

let refineTimer: ReturnType<typeof setTimeout> | undefined;
function setView(next: Viewport): void {
  view = next;
  state.view = next;
  save();
  render();
  checkDetail();
}

/** Zoomed in past the slice's detail, or out of its range: ask for the part now in view. */
function checkDetail(): void {
  if (!slice) return;
  const p = slice.params;
  const pixel = (view.toMs - view.fromMs) / width();
  const coarse = (p.minMs ?? (p.minShare ?? 0) * slice.rootMs) > pixel * 2;
  const outside = (p.fromMs !== undefined && view.fromMs < p.fromMs) || (p.toMs !== undefined && view.toMs > p.toMs);
  if (coarse || outside) {
    clearTimeout(refineTimer);
    refineTimer = setTimeout(() => void load({ root: p.root, keepView: true }), 80);
  }
}

canvas.addEventListener('wheel', (e) => {
  if (!(e.ctrlKey || e.metaKey) && Math.abs(e.deltaX) <= Math.abs(e.deltaY)) return; // plain wheel scrolls the page
  e.preventDefault();
  if (e.ctrlKey || e.metaKey) zoom(e.deltaY > 0 ? 1.25 : 0.8, e.offsetX);
  else pan(e.deltaX);
}, { passive: false });

function pan(dxPx: number): void {
  if (!slice) return;
  const span = view.toMs - view.fromMs;
  const fromMs = Math.min(Math.max(view.fromMs + (dxPx / width()) * span, 0), slice.rootMs - span);
  setView({ fromMs, toMs: fromMs + span });
}

let drag: { x: number; moved: boolean } | undefined;
canvas.addEventListener('mousedown', (e) => (drag = { x: e.clientX, moved: false }));
window.addEventListener('mouseup', () => setTimeout(() => (drag = undefined)));
canvas.addEventListener('mousemove', (e) => {
  if (drag && e.buttons === 1) {
    const dx = drag.x - e.clientX;
    if (Math.abs(dx) > 2 || drag.moved) {
      drag.moved = true;
      drag.x = e.clientX;
      pan(dx);
      return;
    }
  }
  if (!slice) return;
  const node = nodeAt(slice, view, width(), e.offsetX, e.offsetY);
  if (node?.id !== hover) {
    hover = node?.id;
    render();
  }
  showTooltip(node, e.offsetX, e.offsetY);
});
canvas.addEventListener('mouseleave', () => {
  hover = undefined;
  tooltip.hidden = true;
  render();
});

canvas.addEventListener('click', (e) => {
  if (!slice || drag?.moved) return;
  const node = nodeAt(slice, view, width(), e.offsetX, e.offsetY);
  if (!node) return;
  const frame = slice.frames[node.frame]!;
  if (e.ctrlKey || e.metaKey) void openSource(frame.url, frame.line, frame.column);
  else focus(node.id);
});

async function openSource(url: string, line: number, column: number): Promise<void> {
  if (!url) return showError('This function has no source file (V8 or native code).');
  try {
    await request('openSource', { url, line, column });
    hideError();
  } catch (err) {
    showError((err as Error).message);
  }
}

function showTooltip(node: FlameSliceNode | undefined, px: number, py: number): void {
  if (!node || !slice) {
    tooltip.hidden = true;
    return;
  }
  const frame = slice.frames[node.frame]!;
  const where = frame.url ? `${frame.url}${frame.line ? `:${frame.line}` : ''}` : categoryOf(frame) === 'meta' ? 'V8 pseudo-frame' : 'native';
  tooltip.replaceChildren(
    h('div', { className: 'tip-name', text: frame.name }),
    h('div', { className: 'muted tip-where', text: where }),
    h('div', { text: `total ${formatMs(node.totalMs)} · ${formatShare(node.totalMs, slice.profileMs)}` }),
    h('div', { text: `self ${formatMs(node.selfMs)} · ${formatShare(node.selfMs, slice.profileMs)}` }),
  );
  if (node.delta !== undefined) tooltip.append(h('div', { className: 'tip-delta', text: `share of self time ${points(node.delta)}` }));
  tooltip.hidden = false;
  const left = Math.min(px + 14, width() - tooltip.offsetWidth - 4);
  tooltip.style.left = `${Math.max(left, 0)}px`;
  tooltip.style.top = `${py + 16}px`;
}

/** A change of share in percentage points: `+3.2 pts`, `−0.4 pts`. */
function points(delta: number): string {
  const pts = delta * 100;
  return `${pts > 0 ? '+' : pts < 0 ? '−' : '±'}${Math.abs(pts).toFixed(Math.abs(pts) < 10 ? 1 : 0)} pts`;
}

function showDiff(diff: NonNullable<FlameInfo['diff']>, file: string): void {
  diffNote.hidden = false;
  diffNote.replaceChildren(
    h('strong', { text: file }),
    ` compared with `,
    h('strong', { text: diff.before }),
    ': the shape is the second profile; ',
    h('span', { className: 'grew', text: 'red' }),
    ' grew and ',
    h('span', { className: 'shrank', text: 'blue' }),
    ' shrank in share of self time.',
  );
  const row = (g: (typeof diff.growers)[number]) => h('tr', { className: g.after >= g.before ? 'grew-row' : 'shrank-row' }, [
    h('td', {}, [h('code', { text: g.name })]),
    h('td', { className: 'muted', text: g.url ? `${g.url}${g.line ? `:${g.line}` : ''}` : '' }),
    h('td', { className: 'num', text: formatPercent(g.before) }),
    h('td', { className: 'num', text: formatPercent(g.after) }),
    h('td', { className: 'num', text: points(g.after - g.before) }),
  ]);
  const changed = diff.growers.filter((g) => Math.abs(g.after - g.before) >= 0.0005);
  growers.hidden = false;
  growers.replaceChildren(
    h('h2', { text: 'Largest changes in self time' }),
    h('table', { className: 'growers-table' }, [
      h('thead', {}, [h('tr', {}, ['Function', 'File', diff.before, file, 'Change'].map((t, i) => h('th', { className: i >= 2 ? 'num' : undefined, text: t })))]),
      h('tbody', {}, changed.length ? changed.map(row) : [h('tr', {}, [h('td', { text: 'No function changed its share of self time by 0.05 points or more.', attrs: { colspan: '5' } })])]),
    ]),
  );
}

function showError(message: string): void {
  banner.textContent = message;
  banner.hidden = false;
}

function hideError(): void {
  banner.hidden = true;
}

new ResizeObserver(() => render()).observe(scroller);

onMessage((message: ToWebview) => {
  switch (message.type) {
    case 'flame':
      info = message.info;
      title.textContent = info.file;
      facts.textContent = `${formatDuration(info.durationMs)} sampled · ${info.functions.toLocaleString('en-US')} functions · ${info.nodes.toLocaleString('en-US')} nodes`;
      if (info.diff) showDiff(info.diff, info.file);
      void load({ root: state.root, keepView: false });
      if (state.query) void runSearch();
      return;
    case 'error':
      showError(message.message);
      app.setAttribute('aria-busy', 'false');
      return;
    default:
      log('warn', `The flame view got a "${message.type}" message it does not use`);
  }
});
