/**
 * The merged live line of a distributed run: each agent's windows (about one a second, each
 * with its histogram) are gathered by phase and position, and one point is emitted when every
 * agent still running has sent its window (or a moment later without the late ones): rates and
 * errors added up, p50 and p99 from the merged histogram.
 */
import { LatencyHistogram, type SerializedHistogram } from '../../core/stats';
import type { TimelinePoint } from '../../core/runRecord';
import type { LiveSample } from '../types';

/** How long a point waits for the agents' windows that have not come. */
const WAIT_MS = 1_500;

interface Bucket {
  key: string;
  since: number;
  parts: Map<string, { point: TimelinePoint; histogram?: SerializedHistogram }>;
}

export class LiveMerge {
  readonly timeline: TimelinePoint[] = [];
  private readonly buckets: Bucket[] = [];
  private readonly totals = new Map<string, number>();

  constructor(private readonly emit: (sample: LiveSample) => void) {}

  /** A window of `agent`; `point.phase` is `<phase>#<n>`, its n-th window of that phase. `running`: the agents whose windows are awaited. */
  add(agent: string, point: TimelinePoint, total: number, histogram: SerializedHistogram | undefined, running: ReadonlySet<string>, now: number): void {
    this.totals.set(agent, total);
    const key = point.phase ?? '';
    let bucket = this.buckets.find((b) => b.key === key);
    if (!bucket) this.buckets.push((bucket = { key, since: now, parts: new Map() }));
    bucket.parts.set(agent, { point, ...(histogram ? { histogram } : {}) });
    this.flush(running, now);
  }

  /** Emits, in order, the points that have all their windows or have waited long enough; `all` emits every one. */
  flush(running: ReadonlySet<string>, now: number, all = false): void {
    while (this.buckets.length) {
      const b = this.buckets[0]!;
      const complete = [...running].every((a) => b.parts.has(a));
      if (!all && !complete && now - b.since < WAIT_MS) return;
      this.buckets.shift();
      this.emitBucket(b);
    }
  }

  private emitBucket(b: Bucket): void {
    const parts = [...b.parts.values()];
    const histograms = parts.map((p) => p.histogram).filter((h): h is SerializedHistogram => h !== undefined);
    const merged = LatencyHistogram.merge(histograms);
    const phase = b.key.replace(/#\d+$/, '');
    const point: TimelinePoint = {
      t: Math.max(...parts.map((p) => p.point.t)),
      ...(phase ? { phase } : {}),
      rps: Math.round(parts.reduce((n, p) => n + p.point.rps, 0) * 100) / 100,
      p50: merged.percentileMs(50),
      p99: merged.percentileMs(99),
      errors: parts.reduce((n, p) => n + p.point.errors, 0),
    };
    this.timeline.push(point);
    this.emit({ ...point, total: [...this.totals.values()].reduce((a, n) => a + n, 0) });
  }
}
