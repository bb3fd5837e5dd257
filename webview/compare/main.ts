/**
 * The comparison page (Compare Runs…): two runs, or repeated sets, of one profile, the change of
 * every metric with its interval and verdict. It shows what the host sends in a `comparison`
 * message, with the run page's table and style; the HTML shell holds no data.
 */
import './style.css';
import type { ComparisonView, ToWebview } from '../../src/protocol';
import { type ComparisonActions, comparisonBody, sideText } from '../run/comparison';
import { button, errorBanner, h } from '../shared/dom';
import { forwardUncaughtErrors, log, onMessage, post, request } from '../shared/messaging';

const app = document.getElementById('app') ?? document.body.appendChild(h('main', { attrs: { id: 'app' } }));

function side(label: string, s: ComparisonView['baseline']): HTMLElement {
  const id = s.runs[s.runs.length - 1]!;
  const open = button('Open', () => post({ type: 'openRun', id }), 'button button-secondary', id);
  open.setAttribute('aria-label', `Open the ${label.toLowerCase()} run`);
  return h('div', { className: 'meta-item' }, [
    h('dt', { text: label }),
    h('dd', { className: 'comparison-side' }, [h('span', { text: sideText(s), attrs: { title: s.runs.join('\n') } }), open]),
  ]);
}

const actions: ComparisonActions = {
  openSource: async ({ url, line }) => {
    try {
      await request('openSource', { url, line, column: 1 });
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  },
  openFlameDiff: () => post({ type: 'openFlameDiff' }),
};

function render(profile: string, kindLabel: string, c: ComparisonView): void {
  const badge = c.pass
    ? { label: 'NO REGRESSION', className: 'badge-pass' }
    : { label: `${c.regressions} REGRESSION${c.regressions === 1 ? '' : 'S'}`, className: 'badge-fail' };
  app.replaceChildren(
    h('header', { className: 'run-header' }, [
      h('div', { className: 'title-row' }, [
        h('h1', { className: 'profile-name', text: profile }),
        h('span', { className: `badge ${badge.className}`, text: badge.label, attrs: { 'data-testid': 'verdict' } }),
      ]),
      h('dl', { className: 'run-meta' }, [
        h('div', { className: 'meta-item' }, [h('dt', { text: 'Type' }), h('dd', { text: kindLabel })]),
        side('Baseline', c.baseline),
        side('Compared', c.current),
      ]),
    ]),
    h('section', { className: 'section-body', attrs: { id: 'section-comparison', 'aria-label': 'Comparison' } }, comparisonBody(c, actions)),
  );
  app.setAttribute('aria-busy', 'false');
}

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'comparison':
      render(message.profile, message.kindLabel, message.comparison);
      break;
    case 'error':
      app.replaceChildren(errorBanner('This comparison could not be shown', message.message));
      app.setAttribute('aria-busy', 'false');
      break;
    default:
      log('warn', `The comparison page got a "${message.type}" message, which it does not show`);
  }
}

app.replaceChildren(h('p', { className: 'empty loading', text: 'Comparing…' }));
app.setAttribute('aria-busy', 'true');
forwardUncaughtErrors();
onMessage(handle);
