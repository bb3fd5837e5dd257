import { describe, expect, it } from 'vitest';
import { allowHostMatches, isLoopbackHost, isUrlAllowed } from './hosts';

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
