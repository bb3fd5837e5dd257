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
  const out: ProcessSeries = { target: typeof f.target === 'string' ? f.target : 'the sampled process', t: [], heapUsed: [], rss: [], lagP99: [], lagMax: [], cpu: [], gcPauseMs: [] };
  for (const raw of f.samples as unknown[]) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each field is checked by num()
    const s = raw as any;
    if (typeof s !== 'object' || s === null || !Number.isFinite(s.t)) continue;
    out.t.push(s.t);
    out.heapUsed.push(num(s.peak?.heapUsed ?? s.heapUsed));
    out.rss.push(num(s.peak?.rss ?? s.rss));
    out.lagP99.push(num(s.loopDelay?.p99));
    out.lagMax.push(num(s.loopDelay?.max));
    out.cpu.push(num(s.cpu?.user) + num(s.cpu?.system));
    out.gcPauseMs.push(num(s.gc?.pauseMs));
  }
  return out;
}
