// A writer process is killed with SIGKILL at random moments while it rewrites large run records;
// after each kill, listing must still work and every listed record must be complete.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src/core/runStore';

let work: string;
let writerJs: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'perflab-crash-'));
  writerJs = path.join(work, 'writer.js');
  await build({
    stdin: {
      contents: `
        import { RunStore } from './src/core/runStore';
        import { makeRunRecord } from './test/helpers/runRecords';
        const store = new RunStore(process.argv[2]);
        // Big timelines make each write take long enough for kills to land mid-write.
        const timeline = Array.from({ length: 20000 }, (_, t) => ({ t, rps: 100, p50: 1, p99: 9, errors: 0 }));
        let n = 0;
        (async () => {
          process.stdout.write('ready\\n');
          for (;;) {
            const id = 'run-' + (n % 5);
            await store.write(makeRunRecord({ id, startedAt: new Date(Date.now() + n).toISOString(), timeline }));
            n++;
          }
        })();
      `,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: writerJs,
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runAndKill(storeDir: string, afterMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writerJs, storeDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), afterMs));
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited early: ${signal}`))));
  });
}

describe('run store under kill -9', () => {
  it('never leaves a record that breaks listing', async () => {
    const storeDir = path.join(work, 'runs');
    const store = new RunStore(storeDir);
    for (let round = 0; round < 12; round++) {
      await runAndKill(storeDir, 20 + Math.floor(Math.random() * 300));
      const { runs, warnings } = await store.list();
      expect(warnings).toEqual([]);
      for (const run of runs) expect(run.timeline).toHaveLength(20000);
    }
    // The writes were really interrupted: stray temp files show kills landed mid-write,
    // and they are ignored by the listing above.
    const leftovers = readdirSync(storeDir).flatMap((d) => readdirSync(path.join(storeDir, d)));
    expect(leftovers.some((f) => f.endsWith('.tmp'))).toBe(true);
  });
});
