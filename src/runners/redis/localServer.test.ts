import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_INSTALL_HINT, findRedisServer, freePort, redisSearchDirs, startLocalRedis } from './localServer';

describe('findRedisServer', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'perflab-find-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('returns the first executable redis-server in search order', () => {
    const [empty, notExecutable, first, second] = [tempDir(), tempDir(), tempDir(), tempDir()];
    writeFileSync(join(notExecutable, 'redis-server'), '#!/bin/sh\n');
    chmodSync(join(notExecutable, 'redis-server'), 0o644);
    for (const dir of [first, second]) {
      writeFileSync(join(dir, 'redis-server'), '#!/bin/sh\n');
      chmodSync(join(dir, 'redis-server'), 0o755);
    }
    expect(findRedisServer([empty, notExecutable, first, second])).toBe(join(first, 'redis-server'));
  });

  it('ignores a directory named redis-server', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'redis-server'));
    expect(findRedisServer([dir])).toBeUndefined();
  });

  it('searches PATH first, then the usual install locations, without duplicates', () => {
    const dirs = redisSearchDirs(['/opt/a', '', '/usr/bin'].join(delimiter));
    expect(dirs.slice(0, 2)).toEqual(['/opt/a', '/usr/bin']);
    expect(dirs).toContain('/usr/sbin');
    expect(dirs).toContain('/usr/local/bin');
    expect(new Set(dirs).size).toBe(dirs.length);
  });
});

describe('startLocalRedis without a binary', () => {
  it('says how to install redis-server', async () => {
    await expect(startLocalRedis({ binary: join(tmpdir(), 'no-such-dir', 'redis-server') })).rejects.toThrow(
      REDIS_INSTALL_HINT,
    );
    expect(REDIS_INSTALL_HINT).toMatch(/sudo apt-get install redis-server/);
    expect(REDIS_INSTALL_HINT).toMatch(/brew install redis/);
  });
});

describe('freePort', () => {
  it('returns a usable loopback port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});
