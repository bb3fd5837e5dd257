/**
 * `perflab report <RUN|FILE.cpuprofile> --html OUT`: one self-contained HTML file of the page the
 * editor shows (the run page of a run, the flame graph of a CPU profile), its data embedded, for
 * a CI artifact or a colleague without the editor. RUN is a run's folder (with run.json) or a run
 * id in the runs folder (`--runs-dir`, default .perflab/runs). With `--diff BEFORE.cpuprofile` a CPU
 * profile is drawn as a differential flame graph against BEFORE. Exit 0, 2 for usage or a bad file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Settings } from '../constants';
import { standaloneHtml } from '../core/report/html';
import { processSeries, type ProcessSeries } from '../core/report/processSeries';
import { stackSeries, type StackSeries } from '../core/report/stackSeries';
import type { RunRecord } from '../core/runRecord';
import { parseRunRecord } from '../core/runStore';
import { diffFlameTrees, topChanges } from '../core/flame';
import { findBundle } from '../runners/bundles';
import { analyzeCpuProfile, detectFileKind } from '../runners/profiler/analysis';
import { flameModel } from '../views/flameRequests';
import { runMessage } from '../views/runMessage';
import { CliError, type CliIO, ExitCode, toCliError } from './exit';

const USAGE = 'usage: perflab report <RUN-ID|RUN-FOLDER|FILE.cpuprofile> --html OUT.html [--runs-dir DIR] [--diff BEFORE.cpuprofile]';

export async function reportCommand(io: CliIO, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { html: { type: 'string' }, 'runs-dir': { type: 'string' }, diff: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return ExitCode.pass;
  }
  if (positionals.length !== 1) throw new CliError(`${positionals.length ? 'report takes one run or file' : 'name a run or a .cpuprofile'}\n${USAGE}`, ExitCode.usage);
  if (!values.html) throw new CliError(`say where to write the page: --html OUT.html\n${USAGE}`, ExitCode.usage);
  const subject = positionals[0]!;
  const out = path.resolve(io.cwd, values.html);
  try {
    const page = subject.endsWith('.cpuprofile') || (existsSync(path.resolve(io.cwd, subject)) && statSync(path.resolve(io.cwd, subject)).isFile())
      ? await flamePage(path.resolve(io.cwd, subject), values.diff === undefined ? undefined : path.resolve(io.cwd, values.diff))
      : await runPage(runFolder(io, subject, values['runs-dir']));
    await writeFile(out, standaloneHtml({ ...page, nonce: randomBytes(16).toString('base64') }));
    io.out(`wrote ${path.relative(io.cwd, out) || out}: ${page.what}`);
    return ExitCode.pass;
  } catch (err) {
    throw toCliError(err) ?? err;
  }
}

/** A run's folder: the path given, or the run id in the runs folder. */
function runFolder(io: CliIO, subject: string, runsDir: string | undefined): string {
  const direct = path.resolve(io.cwd, subject);
  if (existsSync(path.join(direct, 'run.json'))) return direct;
  const root = path.resolve(io.cwd, runsDir ?? Settings.runsDirectory.default);
  const byId = path.join(root, subject);
  if (!subject.includes('/') && existsSync(path.join(byId, 'run.json'))) return byId;
  throw new CliError(`no run "${subject}": give a run's folder (with run.json) or a run id in ${path.relative(io.cwd, root) || root} (--runs-dir)`, ExitCode.usage);
}

function bundle(entry: string): { script: string; style: string } {
  const js = findBundle(`webview/${entry}.js`);
  const css = findBundle(`webview/${entry}.css`);
  if (!js || !css) throw new Error(`dist/webview/${entry}.js is missing: run npm run build`);
  return { script: readFileSync(js, 'utf8'), style: readFileSync(css, 'utf8') };
}

async function runPage(dir: string) {
  const file = path.join(dir, 'run.json');
  let record: RunRecord;
  try {
    record = parseRunRecord(await readFile(file, 'utf8'), file);
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`, ExitCode.usage);
  }
  const [process, processError] = await embedded(dir, record, 'timeline', processSeries);
  const [stack, stackError] = await embedded(dir, record, 'stack', stackSeries);
  return {
    ...bundle('run'),
    title: `Run: ${record.profile}`,
    what: `the run page of ${record.profile} (${record.id})`,
    data: {
      messages: [runMessage(record, dir)],
      ...(process ? { process } : {}),
      ...(processError ? { processError } : {}),
      ...(stack ? { stack } : {}),
      ...(stackError ? { stackError } : {}),
    },
  };
}

/** The series of a run's artifact of `kind`, for the page to chart, or why it could not be read. */
async function embedded<T extends ProcessSeries | StackSeries>(dir: string, record: RunRecord, kind: 'timeline' | 'stack', read: (json: unknown) => T): Promise<[T?, string?]> {
  const artifact = record.artifacts.find((a) => a.kind === kind);
  if (!artifact) return [];
  try {
    return [read(JSON.parse(await readFile(path.join(dir, path.basename(artifact.file)), 'utf8')))];
  } catch (err) {
    return [undefined, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file is missing from the run folder' : (err as Error).message];
  }
}

async function flamePage(file: string, before: string | undefined) {
  for (const f of before ? [before, file] : [file]) {
    const { kind } = await detectFileKind(f);
    if (kind !== 'cpuprofile') throw new CliError(`${path.basename(f)} is a ${kind}: the HTML report shows runs and CPU profiles`, ExitCode.usage);
  }
  const analysis = await analyzeCpuProfile(file);
  const name = path.basename(file);
  if (!before) {
    const model = flameModel(analysis.tree);
    return {
      ...bundle('flame'),
      title: `${name} (flame graph)`,
      what: `the flame graph of ${name} (${model.size.toLocaleString('en-US')} nodes)`,
      data: { messages: [{ type: 'flame', info: model.info(name) }], flame: { tree: analysis.tree, metaFrames: model.metaFrames() } },
    };
  }
  const diff = diffFlameTrees((await analyzeCpuProfile(before)).tree, analysis.tree);
  const model = flameModel(diff.tree, diff.delta);
  const info = { ...model.info(name), diff: { before: path.basename(before), growers: topChanges(diff.growers) } };
  return {
    ...bundle('flame'),
    title: `${name} vs ${path.basename(before)} (flame graph)`,
    what: `the differential flame graph of ${name} against ${path.basename(before)}`,
    data: { messages: [{ type: 'flame', info }], flame: { tree: diff.tree, metaFrames: model.metaFrames(), delta: diff.delta } },
  };
}
