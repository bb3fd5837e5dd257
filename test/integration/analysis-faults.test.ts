// The bad-file corpus: every damaged, foreign or impossible file gets one line naming the file and
// what is wrong (exit 2 from `perflab analyze`), never a stack trace, a crash or a hang.
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCommand } from '../../src/cli/analyzeCommand';
import { CliError, type CliIO } from '../../src/cli/exit';
import { AnalysisError, analyzeCpuProfile, analyzeHeapProfile, analyzeHeapSnapshot, detectFileKind, leakReport } from '../../src/runners/profiler/analysis';

const BAD = path.resolve('test/fixtures/analysis/bad');

/** What each file's message must say (after "<file>: "). */
const EXPECTED: Record<string, RegExp> = {
  'array.cpuprofile': /^is a JSON array, not a CPU profile/,
  'binary.heapsnapshot': /^is binary data \(starts with byte 0x[0-9a-f]{2}\), not a heap snapshot$/,
  'edge-out-of-range.heapsnapshot': /^edge 4 points to node 100, past the last of 9 nodes$/,
  'empty.cpuprofile': /^empty file \(0 bytes\)/,
  'empty.heapsnapshot': /^empty file \(0 bytes\)/,
  'end-before-start.cpuprofile': /^"endTime" \(500\) is before "startTime" \(1000\)$/,
  'gzip.heapsnapshot': /^is gzip-compressed; decompress it first/,
  'huge-count.heapsnapshot': /^"nodes" holds 9 nodes but the header says node_count 1000000000000000$/,
  'huge-delta.cpuprofile': /^timeDeltas\[0\] is 1e\+300, not a time step in µs$/,
  'huge-number.heapsnapshot': /^number too large at byte \d+ in "nodes": 99999999999 \(more than 4294967295\)$/,
  'missing-callframe.cpuprofile': /^nodes\[2\]\.callFrame is missing$/,
  'missing-strings.heapsnapshot': /^no "strings" array; not a complete V8 heap snapshot$/,
  'nan.cpuprofile': /^invalid JSON at byte \d+: NaN and Infinity are not JSON in "timeDeltas"/,
  'negative-size.heapprofile': /^head\.children\[0\]\.selfSize is -100: a negative size$/,
  'negative-size.heapsnapshot': /^negative number at byte \d+ in "nodes"; sizes, counts and indexes cannot be negative$/,
  'node-count-mismatch.heapsnapshot': /^"nodes" holds 9 nodes but the header says node_count 100$/,
  'profile-renamed.heapsnapshot': /^the name says \.heapsnapshot but it is a CPU profile \(\.cpuprofile\); rename it to match$/,
  'random-json.cpuprofile': /^is not a CPU profile: no "nodes" array \(top-level keys: hello, ok\)$/,
  'snapshot-renamed.cpuprofile': /^the name says \.cpuprofile but it is a heap snapshot \(\.heapsnapshot\); rename it to match$/,
  'text.heapprofile': /^is text, not JSON, not a heap sampling profile/,
  'trailing-garbage.heapsnapshot': /^unexpected data at byte \d+ after the end of the snapshot$/,
  'truncated.cpuprofile': /^truncated: ends at byte \d+, expected a value in "samples"$/,
  'truncated.heapsnapshot': /^truncated: ends at byte 988, expected ',' or '\]' in "nodes" \(56 of 63 values read\)$/,
  'unknown-sample.cpuprofile': /^samples\[3\] is 99, which is no node id in "nodes"$/,
};

const io = (): CliIO & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, out: (t) => lines.push(t), err: (t) => lines.push(t), cwd: process.cwd(), isTTY: false };
};

async function analyze(file: string) {
  const { kind } = await detectFileKind(file);
  return kind === 'cpuprofile' ? analyzeCpuProfile(file) : kind === 'heapprofile' ? analyzeHeapProfile(file) : analyzeHeapSnapshot(file);
}

describe('bad-file corpus', () => {
  const files = readdirSync(BAD).sort();

  it('has at least 10 files, each with an expected message', () => {
    expect(existsSync('dist/analysisWorker.js')).toBe(true);
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))('%s: one clear line, exit 2', async (name) => {
    const file = path.join(BAD, name);
    const error = await analyze(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AnalysisError);
    const e = error as AnalysisError;
    expect(e.reason).toBe('bad-file');
    expect(e.message.startsWith(`${file}: `)).toBe(true);
    expect(e.message.slice(file.length + 2)).toMatch(EXPECTED[name]!);
    expect(e.message).not.toContain('\n');
    await expect(analyzeCommand(io(), [file])).rejects.toMatchObject({ constructor: CliError, exitCode: 2, message: e.message });
  });

  it('a missing file is an I/O error (exit 3)', async () => {
    const file = path.join(BAD, 'no-such-file.cpuprofile');
    await expect(analyzeCpuProfile(file)).rejects.toMatchObject({ reason: 'io', message: `${file}: no such file` });
    await expect(analyzeCommand(io(), [file])).rejects.toMatchObject({ exitCode: 3 });
    await expect(analyzeHeapSnapshot(BAD)).rejects.toMatchObject({ reason: 'io', message: `${BAD}: is a directory, not a file` });
  });

  it('the leak report names which of its three files is bad', async () => {
    const good = path.resolve('test/fixtures/analysis/tiny.heapsnapshot');
    const truncated = path.join(BAD, 'truncated.heapsnapshot');
    await expect(leakReport(good, truncated, good)).rejects.toThrow(`${truncated}: truncated: ends at byte 988`);
  });
});
