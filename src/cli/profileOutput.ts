/**
 * What `perflab profile` prints besides the capture itself: the process list, the analysis of a
 * captured file (as `perflab analyze` prints it) and lag spikes.
 */
import * as path from 'node:path';
import { analyzeCpuProfile, analyzeHeapProfile, analyzeHeapSnapshot } from '../runners/profiler/analysis';
import { formatCpuBody, formatHeap, formatHeapProfileBody } from '../runners/profiler/analysis/format';
import { exposure, isLoopbackBound, listNodeProcesses } from '../runners/profiler/discovery';
import { formatAddress } from '../runners/profiler/endpoint';
import type { LagSpike } from '../runners/profiler/spikes';
import { type CliIO, ExitCode } from './exit';
import type { LiveLine } from './liveLine';

const SPIKES_SHOWN = 10;

/** The first spikes, and how many more the file holds. */
export function spikeLines(io: CliIO, spikes: readonly LagSpike[], file: string | undefined): string[] {
  const lines = ['\nEvent-loop lag spikes:', ...spikes.slice(0, SPIKES_SHOWN).map((s) => `  ${s.message}`)];
  const more = spikes.length - SPIKES_SHOWN;
  if (more > 0) lines.push(`  … ${more} more in ${file ? rel(io, file) : 'spikes.json'} (${spikes.length} in all)`);
  return lines;
}

/** `perflab profile list`. */
export async function listCommand(io: CliIO, json: boolean): Promise<number> {
  const list = await listNodeProcesses();
  if (json) {
    io.out(JSON.stringify(list, null, 2));
    return ExitCode.pass;
  }
  if (!list.length) {
    io.out('No Node processes found (only those of this user are visible).');
    return ExitCode.pass;
  }
  for (const p of list) {
    const inspector = p.inspector ? `inspector ${formatAddress(p.inspector.bound)}${isLoopbackBound(p.inspector.bound) ? '' : ` (${exposure(p.inspector.bound)})`}` : 'no inspector open';
    io.out(`${String(p.pid).padStart(7)}  ${inspector.padEnd(28)}  ${p.command.length > 100 ? `${p.command.slice(0, 97)}...` : p.command}${p.cwd ? `  (in ${p.cwd})` : ''}`);
  }
  return ExitCode.pass;
}

export async function printCpu(io: CliIO, file: string, top: number, progress: LiveLine): Promise<void> {
  await withAnalysis(progress, 'analysing the CPU profile', async (onProgress) => {
    io.out(formatCpuBody(await analyzeCpuProfile(file, { top, onProgress }), top, io.cwd));
  });
}

export async function printHeapProfile(io: CliIO, file: string, top: number, progress: LiveLine): Promise<void> {
  await withAnalysis(progress, 'analysing the heap profile', async (onProgress) => {
    io.out(formatHeapProfileBody(await analyzeHeapProfile(file, { top, onProgress }), top, io.cwd));
  });
}

export async function printSnapshot(io: CliIO, file: string, top: number, progress: LiveLine): Promise<void> {
  await withAnalysis(progress, 'analysing the heap snapshot', async (onProgress) => {
    io.out(formatHeap(await analyzeHeapSnapshot(file, { top, onProgress }), top));
  });
}

/** The capture is saved whatever happens here: an analysis failure is a warning, not a failed command. */
async function withAnalysis(progress: LiveLine, what: string, run: (onProgress: (p: { fraction: number; message: string }) => void) => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await run((p) => progress.progress(what, p.fraction, Date.now() - started, undefined, p.message));
  } catch (err) {
    progress.clear();
    progress.log('warn', `${what} failed: ${(err as Error).message}; the file is saved and \`perflab analyze\` can read it later`);
  } finally {
    progress.clear();
  }
}

/** A path relative to the current directory when it is inside it. */
export function rel(io: CliIO, file: string): string {
  const r = path.relative(io.cwd, file);
  return r && !r.startsWith('..') ? r : file;
}
