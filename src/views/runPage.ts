/**
 * The run page's host side that needs neither VS Code nor the comparison engine: its `run`
 * message, the files it may open and the answers to its requests. The extension sends this
 * message as it is for a run without a comparison; one with a comparison goes through
 * runMessage.ts, which formats the comparison and loads with the engine (src/views/engine.ts).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describeKind } from '../core/kindDescription';
import { processSeries } from '../core/report/processSeries';
import { stackSeries } from '../core/report/stackSeries';
import type { RunRecord } from '../core/runRecord';
import type { ComparisonView, ToWebview } from '../protocol';
import { kindOf } from '../runners/registry';
import type { RequestHandlers } from './requests';

/** The `run` message of the run page: the record, where it is, what the page shows of its kind, and its comparison as shown. */
export function runPageMessage(record: RunRecord, runDir: string, comparison?: ComparisonView): ToWebview {
  return { type: 'run', record, runDir, kind: describeKind(kindOf(record.type)), ...(comparison ? { comparison } : {}) };
}

/** A file of the run by the name the page gives, or nothing when the name leads out of the run's folder. */
export function runFile(runDir: string, file: string): string | undefined {
  if (!runDir) return undefined;
  const target = path.resolve(runDir, file);
  return path.dirname(target) === path.resolve(runDir) ? target : undefined;
}

export function runRequests(runDir: string): RequestHandlers {
  return {
    'run.processTimeline': async ({ file }) => processSeries(await readRunJson(runDir, file)),
    'run.stackSeries': async ({ file }) => stackSeries(await readRunJson(runDir, file)),
  };
}

/** A JSON file of the run, by the name the page gives; the error says what is wrong in words the page shows. */
async function readRunJson(runDir: string, file: unknown): Promise<unknown> {
  const target = typeof file === 'string' ? runFile(runDir, file) : undefined;
  if (!target) throw new Error(`${String(file)} is not a file of this run`);
  let text: string;
  try {
    text = await readFile(target, 'utf8');
  } catch (err) {
    throw new Error((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file is missing from the run folder' : (err as Error).message);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`it is not valid JSON (${text.length ? 'truncated or damaged' : 'empty'})`);
  }
}
