/**
 * The results store: one folder per run under `.perflab/runs/<id>/` holding `run.json` and the
 * run's artifacts. Writes are atomic (temp file, fsync, rename), so a crash or a kill -9 mid-write
 * leaves either the old record or the new one, never half of one; whatever is unreadable anyway
 * (a hand-edited file, a disk error) is skipped with a warning instead of breaking the listing.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { RUN_RECORD_VERSION, type RunRecord } from './runRecord';

export const RUN_FILE = 'run.json';

/** Each profile's saved baseline, `{ "<profile>": "<run id>" }`, at the top of the store. */
export const BASELINES_FILE = 'baselines.json';

/** What the listing found: the readable runs, newest first, and why the others were skipped. */
export interface RunListing {
  runs: RunRecord[];
  warnings: string[];
}

/** Ids are `<UTC timestamp>-<profile>-<random>`: they sort by time and name the profile. */
export function newRunId(profile: string, at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const slug = profile.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'run';
  return `${stamp}-${slug}-${randomBytes(3).toString('hex')}`;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class RunStore {
  constructor(readonly root: string) {}

  /** Folder of a run; rejects ids that would escape the store (`..`, slashes). */
  runDir(id: string): string {
    if (!ID_PATTERN.test(id) || id.includes('..')) throw new Error(`invalid run id "${id}"`);
    return path.join(this.root, id);
  }

  /** Writes `run.json` atomically; creates the run folder when needed. */
  async write(record: RunRecord): Promise<string> {
    const dir = this.runDir(record.id);
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, RUN_FILE);
    await writeFileAtomic(file, JSON.stringify(record, null, 2) + '\n');
    return file;
  }

  /** Writes an artifact next to `run.json` atomically and returns its path. */
  async writeArtifact(id: string, name: string, data: string | Uint8Array): Promise<string> {
    if (path.basename(name) !== name || name === RUN_FILE) throw new Error(`invalid artifact name "${name}"`);
    const dir = this.runDir(id);
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, name);
    await writeFileAtomic(file, data);
    return file;
  }

  /** Reads one run; throws with the reason when it is missing or unreadable. */
  async read(id: string): Promise<RunRecord> {
    const file = path.join(this.runDir(id), RUN_FILE);
    const text = await fs.readFile(file, 'utf8');
    return parseRunRecord(text, file);
  }

  /** All readable runs, newest first. A missing store is an empty list, not an error. */
  async list(): Promise<RunListing> {
    let entries: string[];
    try {
      entries = (await fs.readdir(this.root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], warnings: [] };
      throw err;
    }
    const warnings: string[] = [];
    const runs: RunRecord[] = [];
    await Promise.all(
      entries.filter((name) => ID_PATTERN.test(name)).map(async (name) => {
        const file = path.join(this.root, name, RUN_FILE);
        let text: string;
        try {
          text = await fs.readFile(file, 'utf8');
        } catch (err) {
          // A folder without run.json is a run still being written (or an aborted one).
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`${file}: ${(err as Error).message}`);
          return;
        }
        try {
          const record = parseRunRecord(text, file);
          if (record.id !== name) warnings.push(`${file}: id "${record.id}" does not match its folder; listed under "${name}"`);
          runs.push({ ...record, id: name });
        } catch (err) {
          warnings.push((err as Error).message);
        }
      }),
    );
    runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
    return { runs, warnings };
  }

  /** The run set as `profile`'s baseline (`perflab baseline`, Set as Baseline), if any. */
  async baselineOf(profile: string): Promise<string | undefined> {
    return (await this.baselines())[profile];
  }

  /** Every profile's saved baseline run id. */
  async baselines(): Promise<Record<string, string>> {
    try {
      const value = JSON.parse(await fs.readFile(path.join(this.root, BASELINES_FILE), 'utf8')) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
      return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return {};
    }
  }

  /** Sets (or with `undefined` clears) `profile`'s baseline. */
  async setBaseline(profile: string, id: string | undefined): Promise<void> {
    if (id !== undefined) this.runDir(id);
    const all = await this.baselines();
    if (id === undefined) delete all[profile];
    else all[profile] = id;
    await fs.mkdir(this.root, { recursive: true });
    await writeFileAtomic(path.join(this.root, BASELINES_FILE), JSON.stringify(all, null, 2) + '\n');
  }

  /** Deletes a run folder with everything in it. Deleting a missing run is not an error. */
  async delete(id: string): Promise<void> {
    await fs.rm(this.runDir(id), { recursive: true, force: true });
  }
}

/** Parses and sanity-checks a run record; the error names the file and what is wrong with it. */
export function parseRunRecord(text: string, file: string): RunRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}); skipped`);
  }
  const r = value as Partial<RunRecord> | null;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new Error(`${file}: not a run record (expected an object); skipped`);
  if (typeof r.version !== 'number' || r.version > RUN_RECORD_VERSION) {
    throw new Error(`${file}: run record version ${String(r.version)} is not supported by this PerfLab (reads up to ${RUN_RECORD_VERSION}); skipped`);
  }
  for (const key of ['id', 'profile', 'type', 'status', 'startedAt'] as const) {
    if (typeof r[key] !== 'string') throw new Error(`${file}: field "${key}" is missing or not a string; skipped`);
  }
  if (typeof r.pass !== 'boolean') throw new Error(`${file}: field "pass" is missing or not a boolean; skipped`);
  return {
    ...(r as RunRecord),
    phases: Array.isArray(r.phases) ? r.phases : [],
    operations: Array.isArray(r.operations) ? r.operations : [],
    thresholds: Array.isArray(r.thresholds) ? r.thresholds : [],
    artifacts: Array.isArray(r.artifacts) ? r.artifacts : [],
  };
}

/** temp file in the same folder + fsync + rename: readers see the old file or the new one. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
