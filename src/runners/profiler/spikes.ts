/**
 * Attributing event-loop lag spikes to code. The monitor timeline says *when* the loop was late
 * (an interval whose delay max is a spike); the CPU profile of the same process says *what ran*:
 * its samples carry timestamps on the same monotonic clock as the timeline's `monoUs`. For each
 * spike, the longest stretch of non-idle samples around it is the block, and the share of its
 * samples per function names the culprit: "during the 240 ms spike at 12.3 s, 93 % of samples
 * were in `renderPreview` (examples/demo-stack/hot.js:29)".
 */
import { readSamples } from './analysis/cpu/samples';
import { IDLE, V8_META_NAMES } from './analysis/cpu/v8Meta';
import { validateCpuProfile } from './analysis/cpu/validate';
import { displayPath } from './analysis/format';
import type { CpuProfile } from './cpu';
import type { MonitorSample } from './types';
import { formatDuration, formatMs, formatPercent } from '../../core/format';

export interface SpikeOptions {
  /** An interval whose event-loop delay max reaches this is a spike. Default 50 ms. */
  thresholdMs?: number;
  /** Functions listed per spike. Default 3. */
  top?: number;
  /** `t = 0` of the messages on the target's monotonic clock (µs); default: start of the first sample's interval. */
  startMonoUs?: number;
  /** Paths in messages are shown relative to this folder when inside it. */
  cwd?: string;
}

export interface SpikeCulprit {
  name: string;
  url: string;
  /** 1-based line of the function. */
  line: number;
  samples: number;
  /** Fraction of the stretch's samples (0..1). */
  share: number;
  /**
   * The longest unbroken run of the stretch's samples in this function (GC samples inside it do
   * not break it), in ms: one call this long blocked the loop by itself; many short
   * calls (a busy CPU) give short runs however many samples they add up to.
   */
  longestMs: number;
}

export interface LagSpike {
  /** Seconds from `t = 0` to the start of the busy stretch (or of the interval, without one). */
  atS: number;
  /** The interval's event-loop delay max. */
  delayMs: number;
  /** Length of the busy stretch found in the profile (0 when none was). */
  busyMs: number;
  samples: number;
  culprits: SpikeCulprit[];
  message: string;
}

/** Spikes of a timeline, each attributed to the functions sampled during it. */
export function attributeLagSpikes(profile: CpuProfile, timeline: readonly MonitorSample[], opts: SpikeOptions = {}): LagSpike[] {
  const threshold = opts.thresholdMs ?? 50;
  const first = timeline[0];
  if (!first) return [];
  const origin = opts.startMonoUs ?? first.monoUs - first.intervalMs * 1_000;
  // In time order: the stretches below are searched and walked by timestamp.
  const { times, nodes } = readSamples(validateCpuProfile('the CPU profile', profile));
  const parent = parentsOf(profile);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));

  const spikes: LagSpike[] = [];
  const reported: { from: number; to: number }[] = [];
  for (const s of timeline) {
    if (s.loopDelay.max < threshold) continue;
    // The delay is recorded when the loop gets going again, so the block ended in this interval
    // and may have begun up to `delay` earlier.
    const delayUs = s.loopDelay.max * 1_000;
    const windowEnd = s.monoUs;
    const windowStart = s.monoUs - s.intervalMs * 1_000 - delayUs;
    const found = longestBusyStretch(times, nodes, byId, windowStart, windowEnd);
    // A block cut by the window edge continues past it (by up to its own length).
    const stretch = found && extendBusyStretch(found, times, nodes, byId, windowStart - delayUs, windowEnd + delayUs);
    if (stretch && reported.some((r) => stretch.from <= r.to && r.from <= stretch.to)) continue;
    if (stretch) reported.push(stretch);

    const counts = new Map<string, SpikeCulprit>();
    let total = 0;
    if (stretch) {
      // The current unbroken run of one function: a GC sample inside it (a collection its own
      // allocations set off) does not end it; any other code does, runtime code included.
      let runKey = '';
      let runStart = 0;
      for (let i = stretch.from; i <= stretch.to; i++) {
        const frame = culpritFrame(nodes[i]!, byId, parent);
        const key = `${frame.name}\0${frame.url}\0${frame.line}`;
        const c = counts.get(key) ?? { ...frame, samples: 0, share: 0, longestMs: 0 };
        c.samples++;
        counts.set(key, c);
        total++;
        if (frame.name === V8_META_NAMES.gc && frame.url === '' && runKey) continue;
        if (key !== runKey) {
          runKey = key;
          runStart = i;
        }
        // A sample lasts until the next one.
        const end = i + 1 < times.length ? times[i + 1]! : times[i]!;
        c.longestMs = Math.max(c.longestMs, (end - times[runStart]!) / 1_000);
      }
    }
    const culprits = [...counts.values()]
      .map((c) => ({ ...c, share: c.samples / total }))
      .sort((a, b) => b.samples - a.samples)
      .slice(0, opts.top ?? 3);
    const atUs = stretch ? times[stretch.from]! : s.monoUs - s.intervalMs * 1_000;
    const spike: LagSpike = {
      atS: (atUs - origin) / 1e6,
      delayMs: s.loopDelay.max,
      busyMs: stretch ? (times[stretch.to]! - times[stretch.from]!) / 1_000 : 0,
      samples: total,
      culprits,
      message: '',
    };
    spike.message = spikeMessage(spike, opts.cwd);
    spikes.push(spike);
  }
  return spikes;
}

export function spikeMessage(spike: LagSpike, cwd?: string): string {
  const head = `during the ${formatMs(spike.delayMs)} spike at ${formatDuration(spike.atS * 1000)}`;
  const top = spike.culprits[0];
  if (!top) return `${head}, the CPU profile has no samples (the loop was blocked outside the profile, or by native code)`;
  const where = top.url ? ` (${displayPath(top.url, cwd)}:${top.line})` : '';
  return `${head}, ${formatPercent(top.share)} of samples were in \`${top.name || '(anonymous)'}\`${where}`;
}

function parentsOf(profile: CpuProfile): Map<number, number> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return parent;
}

type ProfileNode = CpuProfile['nodes'][number];

/** Index range of the longest run of consecutive non-idle samples within [from, to] µs. */
function longestBusyStretch(times: Float64Array, nodes: number[], byId: Map<number, ProfileNode>, from: number, to: number): { from: number; to: number } | undefined {
  let lo = lowerBound(times, from);
  let best: { from: number; to: number } | undefined;
  let runStart = -1;
  const close = (end: number) => {
    if (runStart < 0) return;
    if (!best || times[end]! - times[runStart]! > times[best.to]! - times[best.from]!) best = { from: runStart, to: end };
    runStart = -1;
  };
  for (; lo < times.length && times[lo]! <= to; lo++) {
    const idle = byId.get(nodes[lo]!)?.callFrame.functionName === IDLE;
    if (idle) close(lo - 1);
    else if (runStart < 0) runStart = lo;
  }
  close(lo - 1);
  return best;
}

function extendBusyStretch(
  run: { from: number; to: number },
  times: Float64Array,
  nodes: number[],
  byId: Map<number, ProfileNode>,
  from: number,
  to: number,
): { from: number; to: number } {
  const busy = (i: number) => byId.get(nodes[i]!)?.callFrame.functionName !== IDLE;
  let { from: lo, to: hi } = run;
  while (lo > 0 && times[lo - 1]! >= from && busy(lo - 1)) lo--;
  while (hi < times.length - 1 && times[hi + 1]! <= to && busy(hi + 1)) hi++;
  return { from: lo, to: hi };
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The function a sample is charged to: the innermost frame of the application's own code (not
 * Node's internals), so time in `JSON.stringify` or a hash update counts for the code that called
 * it; the leaf itself when no such frame exists (`(garbage collector)`, `(program)`).
 */
function culpritFrame(id: number, byId: Map<number, ProfileNode>, parent: Map<number, number>): Omit<SpikeCulprit, 'samples' | 'share' | 'longestMs'> {
  const leaf = byId.get(id);
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)?.callFrame;
    if (f && f.url && !f.url.startsWith('node:') && !f.url.startsWith('internal/')) {
      return { name: f.functionName || '(anonymous)', url: f.url, line: f.lineNumber + 1 };
    }
  }
  const f = leaf?.callFrame;
  return { name: f?.functionName || '(unknown)', url: f?.url ?? '', line: (f?.lineNumber ?? -1) + 1 };
}
