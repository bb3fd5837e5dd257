/**
 * `perflab profile cpu|heap|snapshot|leaks|monitor|list`: attach to a Node process (by pid, by
 * inspector address, or by launching a command), capture, save the file, print a short summary.
 * Progress goes to stderr, the summary to stdout. Ctrl-C stops the capture, saves what was
 * captured, detaches and exits 130; a second Ctrl-C quits at once.
 *
 * The arguments are read in profile/args.ts, each capture is in profile/captures.ts.
 */
import { attach, type AttachedTarget } from '../runners/profiler/attach';
import type { CaptureHandle } from '../runners/profiler/types';
import { type CliIO, ExitCode, toCliError } from './exit';
import { LiveLine } from './liveLine';
import { parseProfileArgs, PROFILE_USAGE, type ProfileRequest } from './profile/args';
import * as captures from './profile/captures';
import { listCommand } from './profileOutput';


export async function profileCommand(io: CliIO, args: string[]): Promise<number> {
  const parsed = await parseProfileArgs(io, args);
  if ('help' in parsed) {
    io.out(PROFILE_USAGE);
    return ExitCode.pass;
  }
  if ('list' in parsed) return listCommand(io, parsed.json);
  return capture(io, parsed);
}

async function capture(io: CliIO, req: ProfileRequest): Promise<number> {
  const line = new LiveLine(io);
  let target: AttachedTarget;
  try {
    target = await attach(req.spec, { log: (level, message) => line.log(level, message) });
  } catch (err) {
    throw toCliError(err) ?? err;
  }
  line.log('info', `attached to ${target.description}`);

  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(ExitCode.cancelled);
    line.log('info', 'Stopping: saving what was captured (Ctrl-C again to quit at once)…');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  const watch = <T>(handle: CaptureHandle<T>, live = true): Promise<T> => {
    const cancel = () => handle.cancel();
    if (stop.signal.aborted) cancel();
    else stop.signal.addEventListener('abort', cancel, { once: true });
    handle.on('log', (l) => line.log(l.level, l.message));
    if (live) handle.on('progress', (p) => line.progress(p.phase ?? req.kind, p.fraction, p.elapsedMs, p.totalMs, p.message));
    return handle.result.finally(() => {
      stop.signal.removeEventListener('abort', cancel);
      line.clear();
    });
  };
  const ctx: captures.CaptureContext = { io, req, target, line, signal: stop.signal, watch };
  try {
    if (req.under && req.kind !== 'leaks') return await captures.underLoad(ctx);
    return await captures[req.kind](ctx);
  } catch (err) {
    line.clear();
    const known = toCliError(err);
    // Stopped with Ctrl-C: what the capture says about it (what was saved), and 130.
    if (stop.signal.aborted && known) {
      io.err(`perflab profile ${req.kind}: ${known.message}`);
      return ExitCode.cancelled;
    }
    throw known ?? err;
  } finally {
    process.off('SIGINT', onSigint);
    await target.close();
  }
}
