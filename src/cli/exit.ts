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

/** An error the CLI reports as one clear message (no stack) with the given exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
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
