import { formatMetricValue, type MetricUnit } from '../config/threshold';
import type { ThresholdVerdict } from '../runRecord';

const UNITS = new Set<string>(['ms', 'ops/s', 'ratio', 'count', 'bytes', 'bytes/min']);

/** A verdict's actual value as reports print it: `84.3ms`, `477/s`, `0.03%`, or `no value`. */
export function formatActual(v: ThresholdVerdict): string {
  if (v.actual === null) return 'no value';
  return UNITS.has(v.unit) ? formatMetricValue(v.actual, v.unit as MetricUnit) : `${v.actual} ${v.unit}`;
}

/** Milliseconds at a precision that suits their size: 0.412, 3.41, 84.3, 1203. */
export function ms(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export function rate(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction && fraction < 0.001 ? 3 : 2)}%`;
}

/** `1.5 MB`, `230 KB`: sizes for messages and reports (1024-based). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${Math.round(bytes)} B`;
}
