/**
 * A sampled process's timeline (the `timeline.json` artifact of a run, format `perflab-timeline`)
 * as the run page charts it: one value per monitor interval. Read defensively: the file is on
 * disk and may be damaged, hand-edited or of another version.
 */

/** Seconds from the start of sampling, and per interval: peak heap used and RSS (bytes), event-loop delay p99 and max (ms, net of the timer resolution), CPU (fraction of one core), GC pause (ms). */
export interface ProcessSeries {
  target: string;
  t: number[];
  heapUsed: number[];
  rss: number[];
  lagP99: number[];
  lagMax: number[];
  cpu: number[];
  gcPauseMs: number[];
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);

/** The series of a timeline file; throws an Error saying what is wrong with one that is not. */
export function processSeries(file: unknown): ProcessSeries {
  const f = file as { format?: unknown; target?: unknown; samples?: unknown } | null;
  if (typeof f !== 'object' || f === null || f.format !== 'perflab-timeline' || !Array.isArray(f.samples)) {
    throw new Error('it is not a PerfLab timeline (format "perflab-timeline" with samples)');
  }
  const out = emptySeries(typeof f.target === 'string' ? f.target : 'the sampled process');
  for (const raw of f.samples as unknown[]) {
    const point = processPoint(raw);
    if (point) appendPoint(out, point);
  }
  return out;
}

/** One monitor interval of a process, as the charts plot it (the fields of {@link ProcessSeries}). */
export type ProcessPoint = { [K in Exclude<keyof ProcessSeries, 'target'>]: number };

const FIELDS = ['t', 'heapUsed', 'rss', 'lagP99', 'lagMax', 'cpu', 'gcPauseMs'] as const satisfies readonly (keyof ProcessPoint)[];

export function emptySeries(target: string): ProcessSeries {
  return { target, t: [], heapUsed: [], rss: [], lagP99: [], lagMax: [], cpu: [], gcPauseMs: [] };
}

export function appendPoint(series: ProcessSeries, point: ProcessPoint): void {
  for (const f of FIELDS) series[f].push(point[f]);
}

/** A monitor sample (a timeline file's, or one arriving live) as a point; undefined when it has no time. */
export function processPoint(raw: unknown): ProcessPoint | undefined {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each field is checked by num()
  const s = raw as any;
  if (typeof s !== 'object' || s === null || !Number.isFinite(s.t)) return undefined;
  return {
    t: s.t,
    heapUsed: num(s.peak?.heapUsed ?? s.heapUsed),
    rss: num(s.peak?.rss ?? s.rss),
    lagP99: num(s.loopDelay?.p99),
    lagMax: num(s.loopDelay?.max),
    cpu: num(s.cpu?.user) + num(s.cpu?.system),
    gcPauseMs: num(s.gc?.pauseMs),
  };
}
