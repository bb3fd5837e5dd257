/**
 * Where load may go. PerfLab sends load only to loopback unless the config names the host in
 * `allowHosts` (top level or on the target). The loader reports violations; runners enforce the
 * same rule with {@link isUrlAllowed} before the first request.
 */
import type { PerfLabConfig, Profile } from './types';

/** `localhost`, `*.localhost`, `127.0.0.0/8` and `::1` (with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const h = stripBrackets(host.toLowerCase()).replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127(?:\.\d{1,3}){3}$/.test(h)) return true;
  return h === '::1' || h === '0:0:0:0:0:0:0:1' || h === '::ffff:127.0.0.1';
}

/**
 * Whether an `allowHosts` entry admits a host: `example.com` (any port), `example.com:8443`
 * (that port only), `*.example.com` (any subdomain, not the bare domain). Case-insensitive.
 */
export function allowHostMatches(entry: string, hostname: string, port: string): boolean {
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(entry.trim().toLowerCase());
  if (!m) return false;
  const pattern = stripBrackets(m[1]!);
  if (m[2] !== undefined && m[2] !== port) return false;
  const host = stripBrackets(hostname.toLowerCase());
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

/** Whether a URL's host is loopback or admitted by one of the `allowHosts` entries. */
export function isUrlAllowed(url: string | URL, allowHosts: readonly string[]): boolean {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  if (isLoopbackHost(u.hostname)) return true;
  const port = u.port || defaultPort(u.protocol);
  return allowHosts.some((entry) => allowHostMatches(entry, u.hostname, port));
}

/**
 * The hosts other than this machine that a run of `profile` loads: its target's (a profile with a
 * `target`) and, for a kind that uses Redis, `stack.redis.url`'s. The editor asks once per host
 * before it sends load there.
 */
export function remoteHostsOf(config: Pick<PerfLabConfig, 'targets' | 'stack'>, profile: Profile, usesRedis: boolean): string[] {
  const urls: string[] = [];
  const target = (profile as { target?: unknown }).target;
  if (typeof target === 'string' && config.targets[target]) urls.push(config.targets[target].baseUrl);
  if (usesRedis && config.stack.redis?.url) urls.push(config.stack.redis.url);
  const hosts = new Set<string>();
  for (const url of urls) {
    try {
      const u = new URL(url);
      if (!isLoopbackHost(u.hostname)) hosts.add(u.host);
    } catch {
      // a URL the loader let through cannot be malformed; nothing to ask about if it were
    }
  }
  return [...hosts];
}

function defaultPort(protocol: string): string {
  switch (protocol) {
    case 'http:': return '80';
    case 'https:': return '443';
    case 'redis:':
    case 'rediss:': return '6379';
    default: return '';
  }
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}
