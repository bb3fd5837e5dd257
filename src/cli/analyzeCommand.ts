/**
 * `perflab analyze <FILE.cpuprofile|.heapprofile|.heapsnapshot> [--top N] [--json]`: the analysis
 * as a table (or JSON), with progress on stderr for big files. Exit 0, 2 for usage or a bad file,
 * 3 when the file cannot be read.
 */
import { parseArgs } from 'node:util';
import { analyzeCpuProfile, analyzeHeapProfile, analyzeHeapSnapshot, detectFileKind } from '../runners/profiler/analysis';
import { formatCpu, formatHeap, formatHeapProfile } from '../runners/profiler/analysis/format';
import type { AnalysisProgress } from '../runners/profiler/analysis';
import { formatPercent } from '../core/format';
import { CliError, type CliIO, ExitCode, toCliError } from './exit';
import { LiveLine } from './liveLine';

const USAGE = 'usage: perflab analyze <FILE.cpuprofile|.heapprofile|.heapsnapshot> [--top N] [--json]';
/** Files this big get a progress line. */
const PROGRESS_BYTES = 16 << 20;

export async function analyzeCommand(io: CliIO, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { top: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return ExitCode.pass;
  }
  if (positionals.length !== 1) throw new CliError(positionals.length ? `analyze takes one file, got ${positionals.length}\n${USAGE}` : `name a file to analyze\n${USAGE}`, ExitCode.usage);
  const top = values.top === undefined ? 20 : Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new CliError(`--top ${values.top} is not a positive whole number; write e.g. --top 30`, ExitCode.usage);
  const file = positionals[0]!;

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const line = new LiveLine(io);
  let lastMessage = '';
  try {
    const { kind, size } = await detectFileKind(file);
    const onProgress =
      size >= PROGRESS_BYTES
        ? (p: AnalysisProgress) => {
            // Off a terminal, a line for each new step of the analysis.
            line.show(`analyzing ${file}: ${p.message} ${formatPercent(p.fraction)}`, p.message !== lastMessage);
            lastMessage = p.message;
          }
        : undefined;
    const opts = { onProgress, signal: controller.signal, top: values.json ? undefined : top };
    let text: string;
    let json: unknown;
    if (kind === 'cpuprofile') {
      const a = await analyzeCpuProfile(file, opts);
      [json, text] = [a, formatCpu(a, top, io.cwd)];
    } else if (kind === 'heapprofile') {
      const a = await analyzeHeapProfile(file, opts);
      [json, text] = [a, formatHeapProfile(a, top, io.cwd)];
    } else {
      const a = await analyzeHeapSnapshot(file, opts);
      [json, text] = [a, formatHeap(a, top)];
    }
    io.out(values.json ? JSON.stringify(json, null, 2) : text);
    return ExitCode.pass;
  } catch (err) {
    const known = toCliError(err);
    if (known?.exitCode === ExitCode.cancelled) return ExitCode.cancelled;
    throw known ?? err;
  } finally {
    line.clear();
    process.off('SIGINT', onSigint);
  }
}
