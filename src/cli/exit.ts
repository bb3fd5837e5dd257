import type { RunRecord } from '../core/runRecord';
import { AnalysisError } from '../runners/profiler/analysis/errors';
import { RunnerError } from '../runners/types';

/** The CLI's exit codes, as documented in the README. */
export const ExitCode = {
  pass: 0,
  /** A threshold or a baseline comparison failed. */
  failed: 1,
  /** Bad usage or an invalid config. */
  usage: 2,
  /** Something went wrong at run time (target unreachable, Redis down, I/O error). */
  runtime: 3,
  /** Stopped with Ctrl-C (128 + SIGINT, as shells expect); what was measured is saved. */
  cancelled: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * How a recorded load run ends a command (`perflab run`, `perflab profile … --under`): 130
 * cancelled; a failed run 2 when its config or target was refused, else 3; a completed one 1 when
 * a threshold failed, else 0.
 */
export function runExitCode(record: Pick<RunRecord, 'status' | 'pass'>, errorCode?: RunnerError['code']): ExitCode {
  if (record.status === 'cancelled') return ExitCode.cancelled;
  if (record.status === 'failed') return errorCode === 'config' || errorCode === 'refused' ? ExitCode.usage : ExitCode.runtime;
  return record.pass ? ExitCode.pass : ExitCode.failed;
}

/** An error the CLI reports as one clear message (no stack) with the given exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/**
 * The one mapping from an error a command cannot go on after to what the user sees and the exit
 * code, for every command: a refused config or target 2 (as {@link runExitCode}), a bad file 2
 * (the same from `analyze` and `profile`), anything else the user can act on 3. Undefined for an
 * error that is none of these: a bug, reported as such by the CLI's entry point.
 */
export function toCliError(err: unknown): CliError | undefined {
  if (err instanceof CliError) return err;
  if (err instanceof AnalysisError) {
    return new CliError(err.message, err.reason === 'bad-file' ? ExitCode.usage : err.reason === 'cancelled' ? ExitCode.cancelled : ExitCode.runtime);
  }
  if (err instanceof RunnerError) return new CliError(err.message, err.code === 'config' || err.code === 'refused' ? ExitCode.usage : ExitCode.runtime);
  return undefined;
}

/** Where CLI commands write; tests pass their own. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Raw write to stderr without a newline, for redrawing a live line on a terminal. */
  writeErr?: (text: string) => void;
  cwd: string;
  /** Colour and live lines only on a terminal. */
  isTTY: boolean;
}
