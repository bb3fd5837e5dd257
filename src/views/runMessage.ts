/**
 * The run page's complete `run` message, its comparison with a baseline formatted for the page:
 * what `perflab report --html` embeds and what the webview tier renders. It pulls in the
 * comparison engine (statistics, histograms), so the extension loads it lazily, with the engine
 * (src/views/engine.ts), and only for a record that holds a comparison.
 */
import type { RunRecord } from '../core/runRecord';
import type { ToWebview } from '../protocol';
import { kindOf } from '../runners/registry';
import { comparisonView } from './comparisonView';
import { runPageMessage } from './runPage';

export { runFile, runRequests } from './runPage';

/** The `run` message of the run page, with the record's comparison as the page shows it. */
export function runMessage(record: RunRecord, runDir: string): ToWebview {
  return runPageMessage(record, runDir, record.comparison && comparisonView(record.comparison, kindOf(record.type).words.rateUnit));
}
