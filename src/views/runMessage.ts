/**
 * The run page's host side that needs no VS Code: its `run` message and the answers to its
 * requests. runPanel.ts sends and answers with these; the webview tier answers the page with the
 * same code.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describeKind } from '../core/kindDescription';
import { processSeries } from '../core/report/processSeries';
import type { RunRecord } from '../core/runRecord';
import type { ToWebview } from '../protocol';
import { kindOf } from '../runners/registry';
import type { RequestHandlers } from './requests';

/** The `run` message of the run page: the record, where it is, and what the page shows of its kind. */
export function runMessage(record: RunRecord, runDir: string): ToWebview {
  return { type: 'run', record, runDir, kind: describeKind(kindOf(record.type)) };
}

/** A file of the run by the name the page gives, or nothing when the name leads out of the run's folder. */
export function runFile(runDir: string, file: string): string | undefined {
  if (!runDir) return undefined;
  const target = path.resolve(runDir, file);
  return path.dirname(target) === path.resolve(runDir) ? target : undefined;
}

export function runRequests(runDir: string): RequestHandlers {
  return {
    'run.processTimeline': async ({ file }) => {
      const target = typeof file === 'string' ? runFile(runDir, file) : undefined;
      if (!target) throw new Error(`${String(file)} is not a file of this run`);
      let text: string;
      try {
        text = await readFile(target, 'utf8');
      } catch (err) {
        throw new Error((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file is missing from the run folder' : (err as Error).message);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`it is not valid JSON (${text.length ? 'truncated or damaged' : 'empty'})`);
      }
      return processSeries(json);
    },
  };
}
