import { describe, expect, it } from 'vitest';
import { assertRunPrefix, cleanupCommand, cleanupHint, removeUnder } from './cleanup';
import { parseRedisUrl } from './target';

describe('run prefixes', () => {
  it('only a whole run prefix of either runner may be removed or expired', async () => {
    for (const ok of ['perflab:bench:lq3x9a1b2c3d4e5f6:', 'perflab-bench-lq3x9a1b2c3d:', 'perflab-bench-lq3x9a1b2c3d:messages-c4:']) {
      expect(() => assertRunPrefix(ok)).not.toThrow();
    }
    for (const bad of ['', '*', 'bull:', 'perflab:bench:', 'perflab:bench:*:', 'perflab-bench-', 'perflab-bench-x', 'perflab-bench-*:', 'perflab-bench-abc:q*:', 'app:perflab-bench-abc:']) {
      expect(() => assertRunPrefix(bad), bad).toThrow(/refusing/);
    }
    await expect(removeUnder({ prefix: 'bull:', connect: () => Promise.reject(new Error('never')) })).rejects.toThrow(/refusing/);
  });
});

describe('the manual cleanup command', () => {
  it('scans the run prefix in the run\'s database and unlinks what it finds, never KEYS or FLUSH', () => {
    expect(cleanupCommand(parseRedisUrl('redis://127.0.0.1:6380/3', undefined), 'perflab-bench-abc:')).toBe(
      "redis-cli -h 127.0.0.1 -p 6380 -n 3 --scan --pattern 'perflab-bench-abc:*' | xargs -r redis-cli -h 127.0.0.1 -p 6380 -n 3 unlink",
    );
    expect(cleanupCommand(parseRedisUrl('redis://127.0.0.1:6380', undefined), 'perflab:bench:abc:')).toBe(
      "redis-cli -h 127.0.0.1 -p 6380 --scan --pattern 'perflab:bench:abc:*' | xargs -r redis-cli -h 127.0.0.1 -p 6380 unlink",
    );
  });

  it('names the user and TLS, quotes what the shell would read otherwise, and never holds the password', () => {
    const target = parseRedisUrl("rediss://o'neil@[::1]:6390/2", 's3cret!');
    const hint = cleanupHint(target, 'perflab-bench-abc:');
    expect(hint).toContain(`redis-cli -h ::1 -p 6390 -n 2 --user 'o'\\''neil' --tls --sni ::1 --scan --pattern 'perflab-bench-abc:*'`);
    expect(hint).not.toContain('s3cret');
    expect(hint).toMatch(/REDISCLI_AUTH/);
    expect(cleanupHint(parseRedisUrl('redis://127.0.0.1:6380', undefined), 'perflab-bench-abc:')).not.toMatch(/REDISCLI_AUTH/);
  });
});
