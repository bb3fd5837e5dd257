/**
 * How PerfLab tells an error that no code path expected (a bug, or an input that got past
 * validation): one line, like every other message, with the error's name, code and message and
 * the place in PerfLab's code it came from, enough for a bug report; the whole stack only with
 * PERFLAB_DEBUG=1. Runners put it in the run's `error`, the CLI prints it for its own failures.
 */

/** Set (to anything) in the environment, errors nobody expected carry their whole stack. */
export const DEBUG_ENV = 'PERFLAB_DEBUG';

/** `RangeError [ERR_OUT_OF_RANGE]: The value … (at makeValue (…/operations.ts:47:17))`, or the stack when debugging. */
export function describeUnexpected(err: unknown, env: Record<string, string | undefined> = process.env): string {
  const e = err instanceof Error ? err : new Error(String(err));
  if (env[DEBUG_ENV]) return e.stack ?? String(e);
  // Node's own errors print as `Name [CODE]: message`; a message may span lines.
  const title = String(e).replace(/\s*\n\s*/g, ' ');
  const frames = e.stack?.split('\n').filter((l) => /^\s+at /.test(l)).map((l) => l.trim()) ?? [];
  // The first frame outside Node's internals is where PerfLab called into what threw.
  const where = frames.find((f) => !/\(?node:/.test(f)) ?? frames[0];
  return `${title}${where ? ` (${where})` : ''}`;
}

/**
 * Errors of JavaScript itself (a wrong type, a value out of range, an undefined name): a bug, or
 * an input no check refused, never an answer from a server. A run stops on the first one instead
 * of counting it as a failed operation thousands of times.
 */
export function isProgrammingError(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || err instanceof SyntaxError || err instanceof EvalError;
}

/** What a run's `error` says of `err`: the message of an error the code expected, one line of {@link describeUnexpected} for any other. */
export function describeFailure(err: unknown, env: Record<string, string | undefined> = process.env): string {
  return err instanceof Error && !isProgrammingError(err) ? err.message : describeUnexpected(err, env);
}
