import { describe, expect, it } from 'vitest';
import type { PerfLabConfig } from '../../core/config';
import { RunnerError } from '../types';
import { connectError, parseRedisUrl, resolveRedisTarget } from './target';

function ctx(url: string | undefined, env: Record<string, string> = {}, allowHosts: string[] = []) {
  const config: PerfLabConfig = { stack: { ...(url ? { redis: { url } } : {}), queues: [] }, targets: {}, allowHosts, profiles: {} };
  return { config, env };
}

describe('parseRedisUrl', () => {
  it('reads host, port and database, with defaults', () => {
    expect(parseRedisUrl('redis://127.0.0.1', undefined)).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0, tls: false, label: 'redis://127.0.0.1:6379/0', loopback: true });
    expect(parseRedisUrl('redis://localhost:6380/3', undefined)).toMatchObject({ port: 6380, db: 3, label: 'redis://localhost:6380/3', address: 'localhost:6380' });
    expect(parseRedisUrl('rediss://cache.example.com:6390', undefined)).toMatchObject({ tls: true, loopback: false, label: 'rediss://cache.example.com:6390/0' });
    expect(parseRedisUrl('redis://[::1]:6379', undefined)).toMatchObject({ host: '::1', address: '[::1]:6379', loopback: true });
  });

  it('takes the password from the environment only, and never shows it', () => {
    const t = parseRedisUrl('redis://app:inline@127.0.0.1:6379/1', 'from-env');
    expect(t.password).toBe('from-env');
    expect(t.username).toBe('app');
    expect(t.urlHadPassword).toBe(true);
    expect(t.label).toBe('redis://127.0.0.1:6379/1');
    expect(JSON.stringify({ label: t.label, address: t.address })).not.toMatch(/inline|from-env/);
    expect(parseRedisUrl('redis://127.0.0.1', undefined).password).toBeUndefined();
  });

  it('rejects what is not a Redis URL, saying what to write', () => {
    expect(() => parseRedisUrl('127.0.0.1:6379', undefined)).toThrow(/redis:\/\//);
    expect(() => parseRedisUrl('http://127.0.0.1:6379', undefined)).toThrow(/must start with redis:\/\//);
    expect(() => parseRedisUrl('redis://127.0.0.1:6379/x', undefined)).toThrow(/not a database number/);
  });
});

describe('resolveRedisTarget', () => {
  it('reads PERFLAB_REDIS_PASSWORD from the context environment', () => {
    expect(resolveRedisTarget(ctx('redis://127.0.0.1:6379', { PERFLAB_REDIS_PASSWORD: 's' })).password).toBe('s');
  });

  it('refuses a host that is neither loopback nor allowed, and accepts it once allowed', () => {
    expect(() => resolveRedisTarget(ctx('redis://10.0.0.5:6379'))).toThrow(expect.objectContaining({ code: 'refused' }));
    expect(() => resolveRedisTarget(ctx('redis://10.0.0.5:6379'))).toThrow(/allowHosts.*"10\.0\.0\.5"/);
    expect(resolveRedisTarget(ctx('redis://10.0.0.5:6379', {}, ['10.0.0.5'])).loopback).toBe(false);
  });

  it('a config without stack.redis is a config error that shows what to add', () => {
    expect(() => resolveRedisTarget(ctx(undefined))).toThrow(expect.objectContaining({ code: 'config', message: expect.stringMatching(/"stack": \{ "redis"/) }));
  });
});

describe('connectError', () => {
  const target = parseRedisUrl('redis://127.0.0.1:6390', undefined);

  it('connection refused: names host:port and the three things to check', () => {
    const err = connectError(target, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' }));
    expect(err).toBeInstanceOf(RunnerError);
    expect(err.code).toBe('redis');
    expect(err.message).toMatch(/^cannot connect to Redis at 127\.0\.0\.1:6390 \(connection refused\)/);
    expect(err.message).toMatch(/redis-server is running/);
    expect(err.message).toMatch(/stack\.redis\.url .*redis:\/\/127\.0\.0\.1:6390\/0/);
    expect(err.message).toMatch(/PERFLAB_REDIS_PASSWORD/);
  });

  it('authentication: set the variable, or check it', () => {
    expect(connectError(target, new Error('NOAUTH Authentication required.')).message).toMatch(/requires a password: set PERFLAB_REDIS_PASSWORD in the environment \(in VS Code: "PerfLab: Set Redis Password"\)/);
    const withPassword = parseRedisUrl('redis://u@127.0.0.1:6390', 'bad');
    expect(connectError(withPassword, new Error('WRONGPASS invalid username-password pair')).message).toMatch(/PERFLAB_REDIS_PASSWORD \(or the one stored with "PerfLab: Set Redis Password"\) was refused: check it and the user "u"/);
  });
});
