import { describeKind } from '../core/kindDescription';
import type { RunRecord } from '../core/runRecord';
import type { ToWebview } from '../protocol';
import { kindOf } from '../runners/registry';

/** The `run` message of the run page: the record, where it is, and what the page shows of its kind. */
export function runMessage(record: RunRecord, runDir: string): ToWebview {
  return { type: 'run', record, runDir, kind: describeKind(kindOf(record.type)) };
}
