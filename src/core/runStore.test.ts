import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRunRecord } from '../../test/helpers/runRecords';
import { newRunId, RunStore } from './runStore';

let root: string;
let store: RunStore;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'perflab-store-'));
  store = new RunStore(path.join(root, 'runs'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('RunStore', () => {
  it('lists nothing when the store does not exist yet', async () => {
    expect(await store.list()).toEqual({ runs: [], warnings: [] });
  });

  it('writes, reads and lists runs newest first', async () => {
    await store.write(makeRunRecord({ id: 'a', startedAt: '2026-11-27T10:00:00.000Z' }));
    await store.write(makeRunRecord({ id: 'c', startedAt: '2026-11-27T12:00:00.000Z' }));
    await store.write(makeRunRecord({ id: 'b', startedAt: '2026-11-27T11:00:00.000Z' }));
    const { runs, warnings } = await store.list();
    expect(warnings).toEqual([]);
    expect(runs.map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect((await store.read('b')).startedAt).toBe('2026-11-27T11:00:00.000Z');
  });

  it('leaves no temp files behind after a write', async () => {
    await store.write(makeRunRecord({ id: 'a' }));
    await store.writeArtifact('a', 'cpu.cpuprofile', '{}');
    expect(readdirSync(store.runDir('a')).sort()).toEqual(['cpu.cpuprofile', 'run.json']);
  });

  it('skips corrupt, foreign and future records with a warning naming the file', async () => {
    await store.write(makeRunRecord({ id: 'good' }));
    const bad = (id: string, text: string) => {
      mkdirSync(path.join(store.root, id), { recursive: true });
      writeFileSync(path.join(store.root, id, 'run.json'), text);
    };
    bad('truncated', '{"version":1,"id":"truncated","profile":"sm');
    bad('array', '[1,2]');
    bad('future', JSON.stringify({ ...makeRunRecord({ id: 'future' }), version: 99 }));
    bad('nopass', JSON.stringify({ ...makeRunRecord({ id: 'nopass' }), pass: 'yes' }));
    mkdirSync(path.join(store.root, 'empty-folder'));
    const { runs, warnings } = await store.list();
    expect(runs.map((r) => r.id)).toEqual(['good']);
    expect(warnings).toHaveLength(4);
    expect(warnings.find((w) => w.includes('truncated'))).toMatch(/not valid JSON/);
    expect(warnings.find((w) => w.includes('future'))).toMatch(/version 99 is not supported/);
    expect(warnings.find((w) => w.includes('nopass'))).toMatch(/"pass"/);
  });

  it('deletes a run folder and refuses ids that escape the store', async () => {
    await store.write(makeRunRecord({ id: 'a' }));
    await store.delete('a');
    expect((await store.list()).runs).toEqual([]);
    await expect(store.delete('../outside')).rejects.toThrow(/invalid run id/);
    expect(() => store.runDir('a/b')).toThrow(/invalid run id/);
    await expect(store.writeArtifact('a', '../x', 'no')).rejects.toThrow(/invalid artifact name/);
  });

  it('makes sortable ids that name the profile', () => {
    const id = newRunId('Smoke Test!', new Date('2026-11-27T10:11:12.345Z'));
    expect(id).toMatch(/^20261127T101112Z-smoke-test-[0-9a-f]{6}$/);
    expect(() => store.runDir(id)).not.toThrow();
  });
});
