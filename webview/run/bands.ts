/** The phases of a run's timeline as stretches of its time axis (pure: the unit tier tests it). */
import type { TimelinePoint } from '../../src/core/runRecord';

/** One phase's stretch of the time axis, in seconds since the run started. */
export interface Band {
  name: string;
  from: number;
  to: number;
}

/**
 * The stretches of consecutive points of one phase. A point closes the window that began at the
 * point before it (the first at 0), so a band runs from its first window's start to its last point.
 */
export function phaseBands(points: readonly TimelinePoint[]): Band[] {
  const bands: Band[] = [];
  let start = 0;
  for (const p of points) {
    const last = bands[bands.length - 1];
    if (p.phase !== undefined && last?.name === p.phase && last.to === start) last.to = p.t;
    else if (p.phase !== undefined) bands.push({ name: p.phase, from: start, to: p.t });
    start = p.t;
  }
  return bands;
}
