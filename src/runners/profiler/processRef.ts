/**
 * From a config's `process` (pid, inspector address, or a command-line match) to how to attach.
 * A match must find exactly one local Node process: none or several is an error that lists what
 * runs, so the user can make the match precise or name a pid.
 */
import type { ProcessRef } from '../../core/config';
import { RunnerError } from '../types';
import type { AttachSpec } from './attach';
import { listNodeProcesses, type NodeProcessInfo } from './discovery';
import { parseInspectorAddress } from './endpoint';

/** How to attach to the process a config names. */
export async function attachSpecFor(ref: ProcessRef): Promise<AttachSpec> {
  if ('pid' in ref) return { kind: 'pid', pid: ref.pid };
  // Written in the config: the user named the host, so a non-loopback one is allowed.
  if ('inspect' in ref) return { kind: 'address', address: parseInspectorAddress(ref.inspect), namedByUser: true };
  const found = await findProcess(ref.match);
  return { kind: 'pid', pid: found.pid };
}

/** `"match": "server.js"`, `"match": "/server\\.js$/"`, `"pid": 1234`, `"inspect": "127.0.0.1:9229"`. */
export function describeProcessRef(ref: ProcessRef): string {
  if ('pid' in ref) return `pid ${ref.pid}`;
  if ('inspect' in ref) return `the inspector at ${ref.inspect}`;
  return `the Node process matching "${ref.match}"`;
}

/** The one local Node process whose command line matches (a substring, or a `/regex/flags`). */
export async function findProcess(match: string): Promise<NodeProcessInfo> {
  const test = matcher(match);
  // Without probing: only the command line matters here, and attach finds the inspector itself.
  const all = await listNodeProcesses({ probe: false });
  const hits = all.filter((p) => test(p.command));
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0) {
    throw new RunnerError(
      `no local Node process matches "${match}" (process.match); ${all.length ? `Node processes running: ${candidates(all)}` : 'no Node process of this user is running'}. Start it, or change "match"`,
      'unreachable',
    );
  }
  throw new RunnerError(
    `${hits.length} Node processes match "${match}" (process.match): ${candidates(hits)}. Make "match" more precise (a regular expression such as "/server\\\\.js$/" works too), or name the process by "pid", or run with --attach PID`,
    'config',
  );
}

function matcher(match: string): (command: string) => boolean {
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(match);
  if (!regex) return (command) => command.includes(match);
  // Tested once per process: a global or sticky flag would carry state from one test to the next.
  const re = new RegExp(regex[1]!, regex[2]!.replace(/[gy]/g, ''));
  return (command) => re.test(command);
}

function candidates(list: readonly NodeProcessInfo[]): string {
  const shown = list.slice(0, 10).map((p) => `pid ${p.pid} (${p.command.length > 80 ? `${p.command.slice(0, 77)}...` : p.command})`);
  return `${shown.join(', ')}${list.length > shown.length ? ` and ${list.length - shown.length} more` : ''}`;
}
