// `perflab analyze` of hostile files, in its own process as a user runs it: a clear line and a
// fast failure for a malformed file, peak memory within the README's bound for every format.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeInChild, memoryLimit } from '../helpers/analyzeRun';
import { CLI, STACK_LINE } from '../helpers/cli';
import { WORST_CASES } from '../helpers/profileFiles';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MB = 1 << 20;

/** stderr without the progress lines printed for big files. */
const errors = (err: string) => err.split('\n').filter((l) => l && !l.startsWith('analyzing ')).join('\n');

describe('a malformed 300 MB file with a valid 9-byte prefix', () => {
  it('fails at the first wrong byte, naming it and what was expected, in bounded memory', async () => {
    const file = path.join(dir, 'big.cpuprofile');
    const fd = openSync(file, 'w');
    writeSync(fd, '{"nodes":');
    const brackets = Buffer.alloc(MB, '[');
    for (let i = 0; i < 300; i++) writeSync(fd, brackets);
    closeSync(fd);
    const r = await analyzeInChild(file);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toBe(`perflab analyze: ${file}: invalid CPU profile at byte 10: unexpected '[' in "nodes", expected a node object`);
    // Nothing near the file's size: the check reads it through one small buffer.
    expect(r.peakRss).toBeLessThan(memoryLimit(0));
    rmSync(file);
  });
});

describe('peak memory is bounded by a multiple of the file size', () => {
  it.each(Object.keys(WORST_CASES))('%s', async (name) => {
    const file = WORST_CASES[name]!(dir, 16 * MB);
    const size = statSync(file).size;
    const r = await analyzeInChild(file, ['--top', '3'], 120_000);
    expect(errors(r.err)).toBe('');
    expect(r.code).toBe(0);
    expect(r.peakRss, `${(r.peakRss / MB).toFixed(0)} MB for ${(size / MB).toFixed(0)} MB`).toBeLessThanOrEqual(memoryLimit(size));
    rmSync(file);
  });
});

describe('wide trees', () => {
  it('a heap profile node with a million children (a stack overflow before)', async () => {
    const file = WORST_CASES['heap-nodes']!(dir, 100 * MB);
    const r = await analyzeInChild(file, ['--top', '1'], 120_000);
    expect(errors(r.err)).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/f\d+/);
    rmSync(file);
  });
});

describe('inconsistent CPU profiles', () => {
  it('negative timeDeltas that put samples before startTime: the file is inconsistent', async () => {
    // 608 ms of samples every millisecond, one delta pulling the rest 1.1 s back in time:
    // read as is, the profile would claim 1,736 ms sampled.
    const deltas = Array.from({ length: 608 }, (_, i) => (i === 300 ? -1_128_000 : 1_000));
    const file = path.join(dir, 'negative.cpuprofile');
    writeFileSync(file, JSON.stringify({
      nodes: [{ id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 } }],
      startTime: 1_000_000, endTime: 1_608_000, samples: deltas.map(() => 1), timeDeltas: deltas,
    }));
    const r = await analyzeInChild(file);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`perflab analyze: ${file}: is inconsistent: sample 300 is at 172000 µs, 828000 µs before "startTime" (1000000 to 1608000); its "timeDeltas" do not add up`);
  });
});

describe('output to a pipe that closes early', () => {
  it('analyze --json | head exits quietly', () => {
    const file = WORST_CASES['cpu-nodes']!(dir, 4 * MB);
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" analyze "${file}" --json | head -c 100 > /dev/null`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.status).toBe(0);
  });
});
