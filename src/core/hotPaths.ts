/**
 * Hot paths: what a CPU profile says about each source file, for the editor's inline marks. The
 * lines with self time and the functions with total time, each with its share of the sampled
 * time, and the callers of each function; positions are the analysis's, so already moved to the
 * original source where a source map says so. VS Code-free: src/views/hotPaths.ts draws it.
 */
import type { CpuAnalysis } from '../runners/profiler/analysis/types';
import { fileOfUrl } from '../runners/profiler/analysis/urls';
import { formatMs, formatShare } from './format';

/** A line with self time: `12.3 ms · 4.1%` of the sampled time. */
export interface HotLine {
  line: number;
  selfMs: number;
  /** The function whose code the line is (the analysis's). */
  functionName?: string;
  text: string;
}

export interface HotCaller {
  name: string;
  file?: string;
  line: number;
  /** Time of the function when called from here. */
  totalMs: number;
}

/** A function with total time, marked at the line it starts on. */
export interface HotFunction {
  name: string;
  line: number;
  column: number;
  selfMs: number;
  totalMs: number;
  /** Its callers, most time first. */
  callers: HotCaller[];
  text: string;
}

export interface HotFile {
  file: string;
  lines: HotLine[];
  functions: HotFunction[];
}

export interface HotPaths {
  /** The profile they come from. */
  profile: string;
  /** The profile's sampled time, what every share is of. */
  sampledMs: number;
  /** By absolute file path. */
  files: Map<string, HotFile>;
  /** Every marked line of every file, most self time first (for a list to jump from). */
  top: (HotLine & { file: string })[];
}

export interface HotPathOptions {
  /** Lines and functions below this share of the sampled time are not marked (default 0.5 %). */
  minShare?: number;
  /** At most this many lines and this many functions (default 300 each). */
  limit?: number;
}

export function hotPaths(analysis: CpuAnalysis, opts: HotPathOptions = {}): HotPaths {
  const sampledMs = analysis.durationMs;
  const min = (opts.minShare ?? 0.005) * sampledMs;
  const limit = opts.limit ?? 300;
  const files = new Map<string, HotFile>();
  const fileEntry = (file: string) => {
    let entry = files.get(file);
    if (!entry) files.set(file, (entry = { file, lines: [], functions: [] }));
    return entry;
  };

  const byTotal = analysis.functions
    .filter((f) => f.totalMs >= min && fileOfUrl(f.url) !== undefined)
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, limit);
  const callers = callersOf(analysis, byTotal);
  byTotal.forEach((f, i) => {
    fileEntry(fileOfUrl(f.url)!).functions.push({
      name: f.name || '(anonymous)',
      line: f.line,
      column: f.column,
      selfMs: f.selfMs,
      totalMs: f.totalMs,
      callers: callers[i]!,
      text: `${formatMs(f.totalMs)} total · ${formatShare(f.totalMs, sampledMs)} · self ${formatMs(f.selfMs)}`,
    });
  });

  const top: HotPaths['top'] = [];
  for (const l of analysis.lines) {
    if (l.selfMs < min || top.length >= limit) break; // sorted by self time, highest first
    const file = fileOfUrl(l.url);
    if (!file) continue;
    const line: HotLine = { line: l.line, selfMs: l.selfMs, ...(l.functionName ? { functionName: l.functionName } : {}), text: `${formatMs(l.selfMs)} · ${formatShare(l.selfMs, sampledMs)}` };
    fileEntry(file).lines.push(line);
    top.push({ ...line, file });
  }
  return { profile: analysis.file, sampledMs, files, top };
}

/** For each function, its callers from the merged call tree: a caller's time is the function's total time under it. */
function callersOf(analysis: CpuAnalysis, functions: readonly CpuAnalysis['functions'][number][]): HotCaller[][] {
  const { frames, frame, parent, totalMs } = analysis.tree;
  const want = new Map<string, number>();
  functions.forEach((f, i) => want.set(frameKey(f.name, f.url, f.line, f.column), i));
  const frameIndex = new Map<number, number>();
  for (let k = 0; k < frames.name.length; k++) {
    const i = want.get(frameKey(frames.name[k]!, frames.url[k]!, frames.line[k]!, frames.column[k]!));
    if (i !== undefined) frameIndex.set(k, i);
  }
  const sums = functions.map(() => new Map<number, number>());
  for (let node = 1; node < frame.length; node++) {
    const i = frameIndex.get(frame[node]!);
    if (i === undefined) continue;
    const p = parent[node]!;
    // A call from itself (recursion) is time already counted under the outer call.
    if (p <= 0 || frame[p] === frame[node]) continue;
    const by = sums[i]!;
    by.set(frame[p]!, (by.get(frame[p]!) ?? 0) + totalMs[node]!);
  }
  return sums.map((by) =>
    [...by.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([k, ms]) => {
        const file = fileOfUrl(frames.url[k]!);
        return { name: frames.name[k] || '(anonymous)', ...(file ? { file } : {}), line: frames.line[k]!, totalMs: ms };
      }),
  );
}

function frameKey(name: string, url: string, line: number, column: number): string {
  return `${name}\n${url}\n${line}\n${column}`;
}
