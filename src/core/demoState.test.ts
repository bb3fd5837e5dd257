import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STATE_FILE, readDemoState, removeDemoState, writeDemoState, type DemoState } from './demoState';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-demo-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const state = (pid = process.pid): DemoState => ({
  pid,
  url: 'http://127.0.0.1:41000',
  redisUrl: 'redis://127.0.0.1:41001',
  ownsRedis: true,
  startedAt: '2026-12-01T10:00:00.000Z',
});

describe('demo state file', () => {
  it('reads back what a running demo wrote', async () => {
    const file = await writeDemoState(dir, state());
    expect(file).toBe(path.join(dir, DEMO_STATE_FILE));
    expect(await readDemoState(dir)).toEqual({ state: state() });
  });

  it('is absent without a demo, and says nothing', async () => {
    expect(await readDemoState(dir)).toEqual({});
  });

  it('ignores a file left by a demo that is gone, and says why', async () => {
    await writeDemoState(dir, state(4242));
    const read = await readDemoState(dir, (pid) => pid !== 4242);
    expect(read.state).toBeUndefined();
    expect(read.ignored).toMatch(/no longer running \(pid 4242\)/);
  });

  it('ignores a broken or foreign file, and says why', async () => {
    mkdirSync(path.join(dir, '.perflab'));
    writeFileSync(path.join(dir, DEMO_STATE_FILE), '{"pid": ');
    expect((await readDemoState(dir)).ignored).toMatch(/not valid JSON/);
    writeFileSync(path.join(dir, DEMO_STATE_FILE), '{"pid": 1}');
    expect((await readDemoState(dir)).ignored).toMatch(/not a demo state file/);
  });

  it('is removed only by the demo that wrote it', async () => {
    await writeDemoState(dir, state());
    await removeDemoState(dir, process.pid + 1);
    expect((await readDemoState(dir)).state).toBeDefined();
    await removeDemoState(dir, process.pid);
    expect(await readDemoState(dir)).toEqual({});
  });
});
