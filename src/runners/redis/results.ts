/**
 * The Redis benchmark's names for what it measured: the catalog's `op.<name>.*` metrics, and a
 * short, stable kind for each failure. Counting and timing are the shared Recorder's (../recorder.ts).
 */
import type { OperationResult } from '../../core/runRecord';
import { errorRate, latencyMetrics } from '../../core/stats';

/** `op.<name>.rate`, `op.<name>.latency.<stat>` and `errors.rate`, as the metric catalog names them. */
export function redisMetrics(operations: readonly OperationResult[], overall: OperationResult): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const op of operations) {
    metrics[`op.${op.name}.rate`] = op.rate;
    Object.assign(metrics, latencyMetrics(`op.${op.name}.`, op.latency));
  }
  metrics['errors.rate'] = errorRate(overall);
  return metrics;
}

/**
 * A short, stable name for a failure: the Redis error code (`WRONGTYPE`, `OOM`, `READONLY`, …),
 * `connection` when the connection was lost, `timeout`, or the Node error code.
 */
export function errorKind(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/Connection is closed|Stream isn't writeable|connection (?:lost|closed)|ECONNRESET|EPIPE/i.test(message)) return 'connection';
  if (/timed? ?out/i.test(message)) return 'timeout';
  const code = /^([A-Z][A-Z0-9_]+)\b/.exec(message);
  if (code) return code[1]!;
  const node = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof node === 'string' ? node : 'error';
}
