/**
 * A run's stack series (its `stack.json` artifact, format `perflab-stack-series`) as the run page
 * charts it: NaN where a reading failed. Read defensively: the file is on disk and may be
 * damaged, hand-edited or of another version.
 */
import { EVIDENCE_JOB_STATES, type EvidenceJobState, STACK_SERIES_FORMAT } from '../stackEvidence';

/** Seconds since sampling started, the server's `used_memory` (bytes) and `connected_clients`, and each queue's job counts. */
export interface StackSeries {
  target: string;
  t: number[];
  memory: number[];
  clients: number[];
  queues: ({ name: string } & Record<EvidenceJobState, number[]>)[];
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);
const column = (v: unknown, n: number): number[] => Array.from({ length: n }, (_, i) => num(Array.isArray(v) ? v[i] : undefined));

/** The series of a stack file; throws an Error saying what is wrong with one that is not. */
export function stackSeries(file: unknown): StackSeries {
  const f = file as { format?: unknown; target?: unknown; t?: unknown; memory?: unknown; clients?: unknown; queues?: unknown } | null;
  if (typeof f !== 'object' || f === null || f.format !== STACK_SERIES_FORMAT || !Array.isArray(f.t)) {
    throw new Error(`it is not a PerfLab stack series (format "${STACK_SERIES_FORMAT}" with t)`);
  }
  const t = (f.t as unknown[]).map(num);
  const queues = Array.isArray(f.queues) ? (f.queues as unknown[]) : [];
  return {
    target: typeof f.target === 'string' ? f.target : 'the stack Redis',
    t,
    memory: column(f.memory, t.length),
    clients: column(f.clients, t.length),
    queues: queues
      .filter((q): q is { name: string; counts?: Record<string, unknown> } => typeof q === 'object' && q !== null && typeof (q as { name?: unknown }).name === 'string')
      .map((q) => ({ name: q.name, ...(Object.fromEntries(EVIDENCE_JOB_STATES.map((s) => [s, column(q.counts?.[s], t.length)])) as Record<EvidenceJobState, number[]>) })),
  };
}
