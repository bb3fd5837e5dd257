import { describe, expect, it } from 'vitest';
import { allowHostMatches, isLoopbackHost, isUrlAllowed, remoteHostsOf } from './hosts';
import type { Profile } from './types';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', 'api.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(['example.com', '10.0.0.1', '0.0.0.0', '128.0.0.1', 'localhost.example.com', '[::2]'])('%s is not', (h) => {
    expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('isUrlAllowed', () => {
  it('allows loopback without any entry', () => {
    expect(isUrlAllowed('http://127.0.0.1:3000', [])).toBe(true);
    expect(isUrlAllowed('http://[::1]:3000/x', [])).toBe(true);
    expect(isUrlAllowed('redis://localhost:6379', [])).toBe(true);
  });

  it('refuses other hosts unless listed', () => {
    expect(isUrlAllowed('https://staging.example.com', [])).toBe(false);
    expect(isUrlAllowed('https://staging.example.com', ['staging.example.com'])).toBe(true);
    expect(isUrlAllowed('https://STAGING.example.com/x', ['staging.example.com'])).toBe(true);
  });

  it('honours ports and wildcards', () => {
    expect(isUrlAllowed('https://staging.example.com', ['staging.example.com:443'])).toBe(true);
    expect(isUrlAllowed('https://staging.example.com:8443', ['staging.example.com:443'])).toBe(false);
    expect(isUrlAllowed('http://a.b.example.com', ['*.example.com'])).toBe(true);
    expect(isUrlAllowed('http://example.com', ['*.example.com'])).toBe(false);
    expect(isUrlAllowed('http://evilexample.com', ['*.example.com'])).toBe(false);
  });

  it('refuses what does not parse', () => {
    expect(isUrlAllowed('not a url', ['not a url'])).toBe(false);
  });

  it('matches entries directly', () => {
    expect(allowHostMatches('[2001:db8::1]:8080', '[2001:db8::1]', '8080')).toBe(true);
    expect(allowHostMatches('host', 'other', '80')).toBe(false);
  });
});

describe('remoteHostsOf', () => {
  const config = {
    targets: { local: { name: 'local', baseUrl: 'http://127.0.0.1:3000', headers: {}, allowHosts: [] }, staging: { name: 'staging', baseUrl: 'https://api.staging.example:8443/v1', headers: {}, allowHosts: [] } },
    stack: { redis: { url: 'redis://10.0.0.5:6379/3' }, queues: [] },
  };
  const profile = (extra: Record<string, unknown>) => ({ name: 'p', type: 'http', thresholds: [], source: { line: 1, column: 1 }, ...extra }) as unknown as Profile;

  it("names a target's host and port when it is not this machine", () => {
    expect(remoteHostsOf(config, profile({ target: 'staging' }), false)).toEqual(['api.staging.example:8443']);
    expect(remoteHostsOf(config, profile({ target: 'local' }), false)).toEqual([]);
  });

  it("names the Redis host for a kind that uses Redis, and only then", () => {
    expect(remoteHostsOf(config, profile({ type: 'bullmq' }), true)).toEqual(['10.0.0.5:6379']);
    expect(remoteHostsOf(config, profile({ target: 'local' }), false)).toEqual([]);
  });
});
