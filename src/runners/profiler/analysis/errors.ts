/**
 * Why an analysis failed. `bad-file`: the file is not what it should be (truncated, wrong format,
 * impossible values); `io`: it could not be read; `cancelled`: the caller aborted; `internal`: a
 * bug or the worker died (out of memory).
 */
export type AnalysisFailure = 'bad-file' | 'io' | 'cancelled' | 'internal';

/**
 * An error the user can act on. The message is one line that names the file and what is wrong,
 * e.g. `cpu.cpuprofile: truncated: ends at byte 4096, expected ',' or ']' in "samples"`.
 */
export class AnalysisError extends Error {
  constructor(
    message: string,
    readonly reason: AnalysisFailure = 'bad-file',
    readonly file?: string,
  ) {
    super(message);
    this.name = 'AnalysisError';
  }
}

/** A bad-file error about `file`; `what` says what is wrong, without the file name. */
export function badFile(file: string, what: string): AnalysisError {
  return new AnalysisError(`${file}: ${what}`, 'bad-file', file);
}

/** Turns a failed read (ENOENT, EACCES, EISDIR…) into one line. */
export function ioError(file: string, err: unknown): AnalysisError {
  const e = err as NodeJS.ErrnoException;
  const what =
    e.code === 'ENOENT'
      ? 'no such file'
      : e.code === 'EACCES' || e.code === 'EPERM'
        ? 'permission denied'
        : e.code === 'EISDIR'
          ? 'is a directory, not a file'
          : (e.message ?? String(err));
  return new AnalysisError(`${file}: ${what}`, 'io', file);
}

/** Plain data that crosses the worker boundary. */
export interface SerializedAnalysisError {
  message: string;
  reason: AnalysisFailure;
  file?: string;
}

export function serializeError(err: unknown): SerializedAnalysisError {
  if (err instanceof AnalysisError) return { message: err.message, reason: err.reason, file: err.file };
  const e = err as Error;
  if (e instanceof RangeError && /Array buffer allocation failed|Invalid typed array length|Invalid array length/.test(e.message)) {
    return { message: `not enough memory for the analysis (${e.message})`, reason: 'internal' };
  }
  // One line still: the message and where it happened, for a bug report.
  const where = e?.stack?.split('\n').find((l) => /^\s+at /.test(l))?.trim();
  return { message: `internal error: ${e?.message ?? String(err)}${where ? ` (${where})` : ''}`, reason: 'internal' };
}

export function deserializeError(e: SerializedAnalysisError): AnalysisError {
  return new AnalysisError(e.message, e.reason, e.file);
}
