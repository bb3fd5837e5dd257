/**
 * Checks before any load is sent: the target exists, load may go to its host, the custom
 * generator may run, and something answers on the target's port. Each failure is a RunnerError
 * whose message says what to fix.
 */
import { connect } from 'node:net';
import { quoted } from '../../core/config/echo';
import { resolveGeneratorPath } from '../../core/config/generatorPath';
import { isUrlAllowed } from '../../core/config/hosts';
import type { HttpProfile, TargetConfig } from '../../core/config/types';
import { configLabel, RunnerError, type RunnerContext } from '../types';
import { httpKind } from './kind';

/** How long the reachability check waits for a TCP connection. */
export const REACH_TIMEOUT_MS = 2_000;

export interface ResolvedTarget {
  target: TargetConfig;
  url: URL;
  /** The URL without credentials, for messages and the run record. */
  display: string;
}

/** The profile's target, refused unless its host is loopback or in `allowHosts`. */
export function resolveTarget(profile: HttpProfile, ctx: RunnerContext): ResolvedTarget {
  const target = Object.hasOwn(ctx.config.targets, profile.target) ? ctx.config.targets[profile.target] : undefined;
  if (!target) {
    const names = Object.keys(ctx.config.targets);
    throw new RunnerError(
      `profile "${profile.name}" uses target "${profile.target}", which is not in "targets"` +
        (names.length ? ` (targets: ${names.join(', ')})` : `; add it under "targets" in ${configLabel(ctx)}`),
      'config',
    );
  }
  let url: URL;
  try {
    url = new URL(target.baseUrl);
  } catch {
    throw new RunnerError(`targets.${target.name}.baseUrl "${target.baseUrl}" is not a URL; write e.g. "http://127.0.0.1:3000"`, 'config');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RunnerError(`targets.${target.name}.baseUrl "${target.baseUrl}" must start with http:// or https://`, 'config');
  }
  const clean = new URL(url.href);
  clean.username = '';
  clean.password = '';
  const display = clean.href.replace(/\/$/, '');
  if (!isUrlAllowed(url, [...ctx.config.allowHosts, ...target.allowHosts])) {
    const entry = url.port ? `${url.hostname}:${url.port}` : url.hostname;
    throw new RunnerError(
      `refusing to send load to ${display}: PerfLab only loads loopback hosts (127.0.0.1, localhost, ::1) unless allowed. ` +
        `If this host is yours to load, add "${entry}" to "allowHosts" in ${configLabel(ctx)} (top level, or targets.${target.name}.allowHosts)`,
      'refused',
    );
  }
  return { target, url, display };
}

/** Absolute path of the custom generator module, or undefined when the profile has none. */
export function resolveGenerator(profile: HttpProfile, ctx: RunnerContext): string | undefined {
  if (profile.generator === undefined) return undefined;
  const untrusted = ctx.trusted ? undefined : httpKind.untrusted?.(profile);
  if (untrusted) throw new RunnerError(untrusted, 'config');
  const resolved = resolveGeneratorPath(ctx.configDir, profile.generator);
  if (!resolved.ok) throw new RunnerError(`profile ${quoted(profile.name)}: ${resolved.message}; ${resolved.hint}`, 'config');
  return resolved.file;
}

/** Resolves once a TCP connection to the target succeeds; else a RunnerError('unreachable'). */
export function checkReachable(t: ResolvedTarget, ctx: Pick<RunnerContext, 'configName'>, signal?: AbortSignal, timeoutMs = REACH_TIMEOUT_MS): Promise<void> {
  const host = t.url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(t.url.port) || (t.url.protocol === 'https:' ? 443 : 80);
  const where = `Is the server running, and listening on ${host} port ${port}? Check targets.${t.target.name}.baseUrl in ${configLabel(ctx)}`;
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host, port });
    const done = (err?: RunnerError) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolvePromise();
    };
    const onAbort = () => done();
    const timer = setTimeout(
      () => done(new RunnerError(`cannot reach ${t.display}: no connection within ${timeoutMs / 1000} s. ${where}`, 'unreachable')),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done());
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ECONNREFUSED' ? 'connection refused (ECONNREFUSED)'
        : err.code === 'ENOTFOUND' ? `host ${host} not found (ENOTFOUND)`
          : `${err.code ?? 'error'}: ${err.message}`;
      done(new RunnerError(`cannot reach ${t.display}: ${why}. ${where}`, 'unreachable'));
    });
  });
}
