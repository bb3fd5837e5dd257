import { describe, expect, it } from 'vitest';
import { loopbackFor, parseInspectFlags } from './discovery';
import { assertHostAllowed, parseInspectorAddress } from './endpoint';

describe('parseInspectFlags', () => {
  it('reads the inspector flags of a node command line', () => {
    expect(parseInspectFlags(['node', 'app.js'])).toEqual({ host: '127.0.0.1', port: 9229 });
    expect(parseInspectFlags(['node', '--inspect', 'app.js'])).toEqual({ host: '127.0.0.1', port: 9229 });
    expect(parseInspectFlags(['node', '--inspect=0', 'app.js'])).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseInspectFlags(['node', '--inspect-brk=0.0.0.0:9333', 'app.js'])).toEqual({ host: '0.0.0.0', port: 9333 });
    expect(parseInspectFlags(['node', '--inspect=[::1]:9444', 'app.js'])).toEqual({ host: '::1', port: 9444 });
    // --inspect-port sets where SIGUSR1 will open it, host included.
    expect(parseInspectFlags(['node', '--inspect-port=0', 'app.js'])).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseInspectFlags(['node', '--inspect-port=0.0.0.0:9230', 'app.js'])).toEqual({ host: '0.0.0.0', port: 9230 });
  });

  it('takes NODE_OPTIONS into account and ignores the script’s own arguments', () => {
    expect(parseInspectFlags(['node', 'app.js'], '--inspect-port=7000')).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(parseInspectFlags(['node', 'app.js'], '--inspect-port=0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parseInspectFlags(['node', 'app.js', '--inspect=1234'])).toEqual({ host: '127.0.0.1', port: 9229 });
    expect(parseInspectFlags(['node', '-r', 'ts-node/register', '--inspect=5555', 'app.ts'])).toEqual({ host: '127.0.0.1', port: 5555 });
  });
});

describe('inspector addresses', () => {
  it('parses HOST:PORT, [IPv6]:PORT and a bare port', () => {
    expect(parseInspectorAddress('127.0.0.1:9229')).toEqual({ host: '127.0.0.1', port: 9229 });
    expect(parseInspectorAddress('[::1]:9230')).toEqual({ host: '::1', port: 9230 });
    expect(parseInspectorAddress('9231')).toEqual({ host: '127.0.0.1', port: 9231 });
    expect(() => parseInspectorAddress('localhost')).toThrow(/HOST:PORT/);
    expect(() => parseInspectorAddress('localhost:70000')).toThrow(/not a port number/);
  });

  it('allows a remote host only when the user named it', () => {
    expect(() => assertHostAllowed('10.0.0.5', false)).toThrow(/only attached on loopback/);
    expect(() => assertHostAllowed('10.0.0.5', true)).not.toThrow();
    expect(() => assertHostAllowed('localhost', false)).not.toThrow();
  });

  it('reaches any-address binds through loopback', () => {
    expect(loopbackFor('0.0.0.0')).toBe('127.0.0.1');
    expect(loopbackFor('::')).toBe('::1');
    expect(loopbackFor('127.0.0.1')).toBe('127.0.0.1');
  });
});
