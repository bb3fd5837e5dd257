/** Messages between the analysis client and its worker thread. */
import type { SerializedAnalysisError } from './errors';
import type { AnalysisProgress } from './types';

export type WorkerRequest =
  | { id: number; op: 'cpu'; file: string; top?: number; sourceMaps: boolean }
  | { id: number; op: 'heapProfile'; file: string; top?: number; sourceMaps: boolean }
  /** `keep`: the worker holds the snapshot for later `retainerPath` requests. */
  | { id: number; op: 'snapshot'; file: string; top?: number; keep: boolean }
  | { id: number; op: 'retainerPath'; query: number | string }
  | { id: number; op: 'diff'; before: string; after: string; top?: number }
  | { id: number; op: 'leaks'; baseline: string; target: string; final: string; minCount: number; minRetainedBytes: number; top: number };

export type WorkerReply =
  | { id: number; type: 'progress'; progress: AnalysisProgress }
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; error: SerializedAnalysisError };
