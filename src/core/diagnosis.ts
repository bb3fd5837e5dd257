/**
 * Diagnosis: what a run's evidence says is wrong with its target, in words, ranked, each finding
 * with the numbers it rests on and a next step. Pure: it reads the run record and what the run
 * left next to it (the process timeline, the stack series, and from a run profiled under load the
 * CPU profile, its lag spikes and the heap sampling), already reduced to plain figures by
 * src/runners/diagnose.ts. `run.json` keeps the result as `diagnosis`; `perflab diagnose RUN`
 * computes it again from the same files.
 *
 * The rules are deliberately plain thresholds on measured figures, so a finding can say exactly
 * why it was raised ("the main thread was busy 94 % of the run"); the limits are named constants.
 */
import type { RunRecord } from './runRecord';
import type { QueueEvidence, StackEvidence } from './stackEvidence';
import { formatBytes, formatBytesPerMin, formatCount, formatDuration, formatMs, formatPercent, formatRate, formatTally, formatUs } from './format';

/** Every finding the diagnosis can raise, in the words `run.json` and `--json` use. */
export const FINDING_IDS = [
  'errors',
  'event-loop-blocked',
  'cpu-bound',
  'gc-pressure',
  'memory-growth',
  'downstream-bound',
  'redis-round-trips',
  'queue-backlog',
  'generator-bound',
] as const;
export type FindingId = (typeof FINDING_IDS)[number];

/** `critical`: the run's figures are mostly this problem; `warning`: it costs something; `info`: worth knowing. */
export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** A function a finding names; `location` as shown (`src/app.js:12`), empty for runtime code. */
export interface CodeRef {
  name: string;
  location: string;
  /** Where the profile saw it (a file URL or path) and its 1-based line, for opening it; absent for runtime code. */
  url?: string;
  line?: number;
  /** Fraction of the evidence it accounts for (samples of a spike, self time, bytes allocated). */
  share?: number;
  /** Milliseconds it accounts for (the longest single call during a spike, or self time). */
  ms?: number;
  bytes?: number;
}

export interface Finding {
  id: FindingId;
  severity: Severity;
  /** One line: the problem and its culprit, e.g. "The event loop was blocked by `buildReport` (src/report.js:12)". */
  title: string;
  /** What it means, for a developer who has not read the docs. */
  explanation: string;
  /** The figures it rests on, one line each. */
  evidence: string[];
  /** What to do or look at next. */
  next: string;
  /** Seconds since the run started, where the finding has a time. */
  window?: { fromS: number; toS: number };
  /** The functions it names, most to blame first. */
  code?: CodeRef[];
  /** The Redis command it names, lower case. */
  command?: string;
  /** Orders findings of one severity: how much of the run's trouble it explains (0..1). */
  score: number;
}

export interface Diagnosis {
  /** Most severe first; within a severity, the higher score first. */
  findings: Finding[];
  /** The evidence read, e.g. `run`, `process`, `CPU profile`, `heap profile`, `stack`. */
  read: string[];
  /** What would have made it sharper, one sentence each. */
  missing: string[];
}

/** A function of the evidence: its name, where it is as shown, and as the profile has it. */
export type Source = Pick<CodeRef, 'name' | 'location' | 'url' | 'line'>;

/** The functions of a CPU profile of the run's window, reduced (src/runners/diagnose.ts). */
export interface CpuEvidence {
  /** Sampled time, and the parts of it V8 charged to being idle and to garbage collection. */
  sampledMs: number;
  idleMs: number;
  gcMs: number;
  /** The target's own functions (runtime pseudo-frames left out) by self time, highest first. */
  functions: (Source & { selfMs: number })[];
}

/** A lag spike of the run and what the CPU profile says ran during it. */
export interface SpikeEvidence {
  atS: number;
  delayMs: number;
  busyMs: number;
  /** By samples, most first; `longestMs` is the longest stretch of the stretch's samples in one function without a pause. */
  culprits: (Source & { share: number; longestMs: number })[];
}

/** A heap sampling profile of the run's window, reduced. */
export interface HeapEvidence {
  /** Bytes the samples account for: every allocation, or (`live`) those still alive at the end. */
  bytes: number;
  live: boolean;
  durationMs: number;
  functions: (Source & { bytes: number })[];
}

export interface DiagnosisInput {
  record: RunRecord;
  /** The heap used right after each major GC of the run (and the full GC forced at its end), in time order (seconds since the run started). */
  postGcHeap?: { tS: number; bytes: number; forced?: boolean }[];
  /** Least-squares slope of those points, bytes per minute. */
  postGcSlopePerMin?: number;
  /** The process's CPU per monitor interval, as a fraction of one core. */
  cpuSeries?: { tS: number; cpu: number; intervalMs: number }[];
  /** The queues' waiting counts over the run (the stack series), by queue name. */
  waitingSeries?: Record<string, (number | null)[]>;
  cpu?: CpuEvidence;
  /** Present (possibly empty) whenever there is a CPU profile and a timeline of the same window. */
  spikes?: SpikeEvidence[];
  heap?: HeapEvidence;
  /** How the CLI names the run's profile and process in a suggested command. */
  commandHints?: { profile: string; pid?: number };
}

/** A single call that runs this long without yielding blocks the event loop. */
export const BLOCK_MS = 50;
/** The main thread busy this fraction of one core is CPU-bound; from `CPU_SATURATED` on, critical. */
export const CPU_BUSY = 0.75;
export const CPU_SATURATED = 0.9;
/** … or saturated (from `CPU_SATURATED`) for at least this long and this share of the run. */
export const SATURATED_MIN_MS = 2_000;
export const SATURATED_MIN_SHARE = 0.25;
/**
 * Garbage collection as a share of the busy CPU time (how much of the work was collecting): a
 * warning from 15 %, critical from 25 %; and, so that a nearly idle process is not flagged for
 * its few collections, at least 2 % (critical: 5 %) of the run's time.
 */
export const GC_WARNING = 0.15;
export const GC_CRITICAL = 0.25;
export const GC_MIN_OF_RUN = 0.02;
export const GC_CRITICAL_MIN_OF_RUN = 0.05;
/** Post-GC heap growth over the run worth a finding: at least this much, and this fraction of where it started. */
export const GROWTH_MIN_BYTES = 4 * 1024 * 1024;
export const GROWTH_MIN_FRACTION = 0.25;
/** The post-GC heap grown by half over one run: it will not stop. */
export const GROWTH_CRITICAL_FRACTION = 0.5;
/** A Redis command this slow per call (µs) explains latency; Redis runs one command at a time. */
export const SLOW_COMMAND_US = 1_000;
/** Redis commands per request worth a look (info), and a warning. */
export const ROUND_TRIPS_INFO = 5;
export const ROUND_TRIPS_WARNING = 10;
/** Jobs the waiting count must grow by over a run to be a backlog. */
export const BACKLOG_MIN_JOBS = 50;
/** Error rate: a warning from 1 %, critical from 5 %. */
export const ERRORS_WARNING = 0.01;
export const ERRORS_CRITICAL = 0.05;

/** Commands PerfLab's own stack readings send (INFO, SLOWLOG…): not the target's round trips. */
const OWN_COMMANDS = new Set(['info', 'slowlog', 'latency', 'config', 'config|get', 'slowlog|get', 'slowlog|len', 'latency|latest', 'latency|histogram', 'client', 'client|setname', 'client|info', 'ping', 'hello', 'select', 'auth']);

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** The findings of a run, ranked. */
export function diagnose(input: DiagnosisInput): Diagnosis {
  const read = ['run'];
  const missing: string[] = [];
  const { record } = input;
  if (record.process) read.push('process');
  if (input.cpu) read.push('CPU profile');
  if (input.heap) read.push('heap profile');
  if (record.stack && record.stack.samples > 0) read.push('stack');

  const cpuBound = cpuBoundFinding(input);
  const gc = gcFinding(input);
  const findings = [
    errorsFinding(record),
    loopFinding(input, cpuBound !== undefined),
    cpuBound && gc && gc.severity === 'critical' ? demoted(cpuBound, 'the CPU is busy mostly collecting garbage (see gc-pressure)') : cpuBound,
    gc,
    memoryFinding(input),
    downstreamFinding(input),
    roundTripsFinding(record),
    ...backlogFindings(input),
    generatorFinding(record),
  ].filter((f): f is Finding => f !== undefined);
  findings.sort((a, b) => RANK[a.severity] - RANK[b.severity] || b.score - a.score);

  if (record.type === 'http' && !record.process) {
    missing.push('The run sampled no Node process: name the target\'s `process` in the profile (or run with --attach PID) to see its event loop, CPU, GC and heap.');
  } else if (record.process && !input.cpu) {
    missing.push(`A CPU profile of the run would name the functions: ${profileHint(input, 'cpu')}.`);
  }
  if (gc && !input.heap) missing.push(`A heap profile under load would name the allocators: ${profileHint(input, 'heap')}.`);
  if (record.stack === undefined && record.type === 'http') missing.push('The config names no stack Redis (`stack.redis`): a slow Redis command would not be seen.');
  return { findings, read, missing };
}

function profileHint(input: DiagnosisInput, kind: 'cpu' | 'heap' | 'leaks'): string {
  const pid = input.commandHints?.pid ?? input.record.process?.pid;
  return `\`perflab profile ${kind} --pid ${pid ?? 'PID'} --under ${input.commandHints?.profile ?? input.record.profile}\` (${kind === 'leaks' ? 'Find Leaks…' : 'Profile Under Load…'} in the editor)`;
}

function demoted(f: Finding, why: string): Finding {
  return { ...f, severity: f.severity === 'critical' ? 'warning' : f.severity, explanation: `${f.explanation} Here ${why}.`, score: f.score / 2 };
}

/** Only the fields of a source (the evidence carries more). */
const sourceOf = (f: Source): Source => ({ name: f.name, location: f.location, ...(f.url ? { url: f.url } : {}), ...(f.line !== undefined ? { line: f.line } : {}) });

const codeText = (c: Pick<CodeRef, 'name' | 'location'>) => `\`${c.name || '(anonymous)'}\`${c.location ? ` (${c.location})` : ''}`;

/** What a run's items are called in a sentence. */
const itemsOf = (record: RunRecord) => (record.type === 'http' ? 'requests' : record.type === 'bullmq' ? 'jobs' : 'operations');

function errorsFinding(record: RunRecord): Finding | undefined {
  const overall = record.overall;
  if (!overall || overall.errors === 0 || overall.count === 0) return undefined;
  const items = itemsOf(record);
  const rate = overall.errors / overall.count;
  const severity: Severity = rate >= ERRORS_CRITICAL ? 'critical' : rate >= ERRORS_WARNING ? 'warning' : 'info';
  const first = record.timeline?.find((p) => p.errors > 0);
  const last = record.timeline && [...record.timeline].reverse().find((p) => p.errors > 0);
  const kinds = overall.errorsByKind ?? {};
  const top = Object.entries(kinds).sort((a, b) => b[1] - a[1])[0]?.[0];
  const evidence = [`${formatCount(overall.errors)} of ${formatCount(overall.count)} ${items} failed (${formatPercent(rate)})`];
  if (Object.keys(kinds).length) evidence.push(`by kind: ${formatTally(kinds)}`);
  if (first) evidence.push(`from ${formatDuration(first.t * 1000)} into the run${first.phase ? ` (phase ${first.phase})` : ''}${last && last.t !== first.t ? ` until ${formatDuration((last.t + 1) * 1000)}` : ''}`);
  return {
    id: 'errors',
    severity,
    title: `${formatPercent(rate)} of ${items} failed${top ? `, mostly ${top}` : ''}`,
    explanation: `Failed ${items} are work the service did not do: its latency and throughput describe partly failed work, and a fast error can make a broken service look quick.`,
    evidence,
    next: errorAdvice(top),
    ...(first ? { window: { fromS: first.t, toS: (last?.t ?? first.t) + 1 } } : {}),
    score: Math.min(1, rate / ERRORS_CRITICAL),
  };
}

function errorAdvice(kind: string | undefined): string {
  if (!kind) return 'Look at the target\'s log for the time the errors started.';
  if (/^status:5/.test(kind)) return 'The target answered with server errors: its log around the time they started says why.';
  if (/^status:4/.test(kind)) return 'The target refused the requests (4xx): check the scenario\'s URL, method, headers and body against the route.';
  if (/timeout/i.test(kind)) return 'Requests timed out: the target was too slow or stopped answering; see the other findings for why.';
  if (/ECONNREFUSED|ECONNRESET|EPIPE/.test(kind)) return 'Connections were refused or reset: the target stopped listening, crashed or ran out of sockets; check it is up and its log.';
  return 'Look at the target\'s log for the time the errors started.';
}

/** The event loop blocked by one long synchronous call (named from the CPU profile), or late without a CPU profile to say why. */
function loopFinding(input: DiagnosisInput, cpuBound: boolean): Finding | undefined {
  const p = input.record.process;
  if (!p || p.loopDelay.count === 0) return undefined;
  const delay = p.loopDelay;
  const loopLine = `event-loop delay p99 ${formatMs(delay.p99)}, max ${formatMs(delay.max)} over ${formatDuration(p.coveredS * 1000)}`;
  const latency = input.record.overall?.latency;
  const latencyLine = latency ? `request latency p50 ${formatMs(latency.p50)}, p99 ${formatMs(latency.p99)}` : undefined;
  const next = 'Take the work off the event loop: split it into chunks that yield (setImmediate), cache its result, or move it to a worker_thread; the run\'s flame graph shows what it calls.';

  if (input.spikes) {
    // Each spike's culprits whose single stretch lasted a block's length.
    const blocks = input.spikes.flatMap((s) => s.culprits.filter((c) => c.longestMs >= BLOCK_MS).map((c) => ({ s, c })));
    if (blocks.length) {
      const byFn = new Map<string, { ref: CodeRef; ms: number; longest: number; spikes: number }>();
      for (const { c } of blocks) {
        const key = `${c.name}\0${c.location}`;
        const g = byFn.get(key) ?? { ref: sourceOf(c), ms: 0, longest: 0, spikes: 0 };
        g.ms += c.longestMs;
        g.longest = Math.max(g.longest, c.longestMs);
        g.spikes++;
        byFn.set(key, g);
      }
      const ranked = [...byFn.values()].sort((a, b) => b.ms - a.ms);
      const top = ranked[0]!;
      const blockedMs = ranked.reduce((a, g) => a + g.ms, 0);
      const blockedShare = p.coveredS > 0 ? blockedMs / (p.coveredS * 1000) : 0;
      const times = blocks.map(({ s }) => s.atS);
      const severity: Severity = top.longest >= 2 * BLOCK_MS || delay.p99 >= BLOCK_MS ? 'critical' : 'warning';
      const finding: Finding = {
        id: 'event-loop-blocked',
        severity,
        title: `The event loop was blocked by ${codeText(top.ref)}`,
        explanation: `One synchronous call of ${codeText({ name: top.ref.name, location: '' })} ran for up to ${formatMs(top.longest)} without yielding: every request and timer that came due meanwhile waited for it, which is what the latency tail shows.`,
        evidence: [
          loopLine,
          `${formatCount(input.spikes.length)} lag spike${input.spikes.length === 1 ? '' : 's'} of ${formatMs(BLOCK_MS)} or more; in ${formatCount(top.spikes)} of them one call of ${codeText({ name: top.ref.name, location: '' })} ran ${formatMs(top.longest)} at most (at least ${formatPercent(blockedShare)} of the run blocked: a spike is one per monitor interval)`,
          ...ranked.slice(1, 3).map((g) => `also ${codeText(g.ref)}: up to ${formatMs(g.longest)} in ${formatCount(g.spikes)} spike${g.spikes === 1 ? '' : 's'}`),
          ...(latencyLine ? [latencyLine] : []),
        ],
        next,
        window: { fromS: Math.min(...times), toS: Math.max(...times) },
        code: ranked.slice(0, 3).map((g) => ({ ...g.ref, ms: g.longest })),
        score: Math.min(1, 0.5 + blockedShare * 5),
      };
      // On a saturated CPU, calls that follow each other with no sample between them read as one.
      return cpuBound ? demoted(finding, 'the CPU was saturated, so this may be many short calls in a row rather than one long one (see cpu-bound)') : finding;
    }
  }
  // Without one long call: a CPU kept busy by many short tasks makes the loop late too (cpu-bound says so).
  if (delay.max < BLOCK_MS || cpuBound) return undefined;
  if (input.spikes) {
    // The profile saw the spikes and no single long call in them: many short tasks, or GC.
    return {
      id: 'event-loop-blocked',
      severity: delay.p99 >= BLOCK_MS ? 'warning' : 'info',
      title: `The event loop was late by up to ${formatMs(delay.max)}, with no single long call`,
      explanation: `No call ran ${formatMs(BLOCK_MS)} without yielding during the spikes: many short tasks queued together${p.gc.maxPauseMs >= BLOCK_MS ? `, or a GC pause (the longest was ${formatMs(p.gc.maxPauseMs)})` : ''}.`,
      evidence: [loopLine, ...(latencyLine ? [latencyLine] : [])],
      next: 'The flame graph of the run\'s CPU profile shows what the busy stretches did.',
      score: Math.min(1, delay.max / (4 * BLOCK_MS)),
    };
  }
  return {
    id: 'event-loop-blocked',
    severity: delay.p99 >= BLOCK_MS ? 'critical' : 'warning',
    title: `The event loop was blocked for up to ${formatMs(delay.max)}`,
    explanation: 'Something ran synchronously for that long: every request and timer that came due meanwhile waited for it. The run has no CPU profile to say what.',
    evidence: [loopLine, ...(latencyLine ? [latencyLine] : [])],
    next: `Name the function: ${profileHint(input, 'cpu')} attributes each spike to the code that ran during it.`,
    score: Math.min(1, delay.max / (4 * BLOCK_MS)),
  };
}

/** The main thread near a full core while requests wait for it. */
function cpuBoundFinding(input: DiagnosisInput): Finding | undefined {
  const { record } = input;
  const p = record.process;
  if (!p || p.coveredS === 0) return undefined;
  const cpu = input.cpu;
  // The JavaScript thread's own share, where a CPU profile has it; the process's CPU (every thread) else.
  const busy = cpu && cpu.sampledMs > 0 ? (cpu.sampledMs - cpu.idleMs) / cpu.sampledMs : p.cpu.mean;
  // A run that saturated the CPU for part of its time (its peak phase) is CPU-bound there.
  const series = input.cpuSeries ?? [];
  const coveredMs = series.reduce((a, s) => a + s.intervalMs, 0);
  const saturatedMs = series.filter((s) => s.cpu >= CPU_SATURATED).reduce((a, s) => a + s.intervalMs, 0);
  const saturated = saturatedMs >= SATURATED_MIN_MS && coveredMs > 0 && saturatedMs / coveredMs >= SATURATED_MIN_SHARE;
  if (busy < CPU_BUSY && !saturated) return undefined;
  const overall = record.overall;
  const evidence = [
    ...(cpu && cpu.sampledMs > 0 ? [`the JavaScript thread was busy ${formatPercent(busy)} of the CPU profile's ${formatDuration(cpu.sampledMs)} (idle ${formatPercent(cpu.idleMs / cpu.sampledMs)})`] : []),
    `process CPU ${formatPercent(p.cpu.mean)} of one core on average, ${formatPercent(p.cpu.max)} in the busiest interval, over ${formatDuration(p.coveredS * 1000)}`,
    ...(saturated ? [`${formatPercent(CPU_SATURATED)} of a core or more for ${formatDuration(saturatedMs)} (${formatPercent(saturatedMs / coveredMs)} of the run)`] : []),
  ];
  let queued = false;
  if (overall && overall.count > 0 && record.type === 'http') {
    const perRequestMs = (busy * p.coveredS * 1000) / overall.count;
    evidence.push(`${formatMs(perRequestMs)} of CPU per request: one core serves at most about ${formatRate(1000 / perRequestMs)}; the run completed ${formatRate(overall.rate)}`);
    queued = overall.latency.p50 >= 2 * perRequestMs;
    if (queued) evidence.push(`latency p50 ${formatMs(overall.latency.p50)}, p99 ${formatMs(overall.latency.p99)}: requests wait for the CPU, not for their own work`);
  }
  const climb = latencyClimb(record);
  if (climb) evidence.push(climb);
  const busyMs = cpu ? cpu.sampledMs - cpu.idleMs : 0;
  const top = cpu && busyMs > 0 ? cpu.functions.slice(0, 3).map((f) => ({ ...sourceOf(f), ms: f.selfMs, share: f.selfMs / busyMs })) : [];
  if (top.length) evidence.push(`most self time: ${top.map((f) => `${codeText(f)} ${formatPercent(f.share)}`).join(', ')}`);
  if (cpu && busyMs > 0 && cpu.gcMs > 0) evidence.push(`garbage collection ${formatPercent(cpu.gcMs / busyMs)} of the busy time`);
  const severity: Severity = busy >= CPU_SATURATED || ((busy >= CPU_BUSY || saturated) && (queued || climb !== undefined)) ? 'critical' : 'warning';
  const lead = top[0];
  return {
    id: 'cpu-bound',
    severity,
    title: `The target is CPU-bound${lead ? `: most of its time is in ${codeText(lead)}` : ''}`,
    explanation: 'Its JavaScript thread was busy for nearly the whole run, so requests queued for it: latency grows with the rate, and more load only makes the queue longer.',
    evidence,
    next: lead
      ? `Make ${codeText({ name: lead.name, location: '' })} cheaper or cache its result (the flame graph shows its callers); beyond that, one Node process runs JavaScript on one core: run more processes (cluster, more replicas).`
      : `Name the hot functions: ${profileHint(input, 'cpu')}; one Node process runs JavaScript on one core: run more processes (cluster, more replicas) for more.`,
    ...(lead ? { code: top } : {}),
    score: Math.min(1, Math.max(busy, saturated ? saturatedMs / coveredMs : 0)),
  };
}

/** p50 of the least loaded phase against the most loaded one, when the run had phases of different rates. */
function latencyClimb(record: RunRecord): string | undefined {
  const phases = record.phases.filter((ph) => ph.count > 0);
  if (phases.length < 2) return undefined;
  const low = phases.reduce((a, b) => (b.rate < a.rate ? b : a));
  const high = phases.reduce((a, b) => (b.rate > a.rate ? b : a));
  if (high.rate < 1.5 * low.rate || high.latency.p50 < 2 * low.latency.p50) return undefined;
  return `latency climbs with the rate: p50 ${formatMs(low.latency.p50)} at ${formatRate(low.rate)} (phase ${low.name}), ${formatMs(high.latency.p50)} at ${formatRate(high.rate)} (phase ${high.name})`;
}

/** Time in garbage collection, and who allocates. */
function gcFinding(input: DiagnosisInput): Finding | undefined {
  const p = input.record.process;
  const cpu = input.cpu;
  let gcMs: number;
  let runMs: number;
  let busyMs: number;
  let basis: string;
  if (cpu && cpu.sampledMs > 0) {
    ({ gcMs, sampledMs: runMs } = cpu);
    busyMs = cpu.sampledMs - cpu.idleMs;
    basis = `${formatMs(gcMs)} in \`(garbage collector)\` of ${formatMs(busyMs)} busy in the CPU profile's ${formatDuration(runMs)}`;
  } else if (p && p.coveredS > 0) {
    gcMs = p.gc.pauseMs;
    runMs = p.coveredS * 1000;
    busyMs = p.cpu.mean * runMs;
    basis = `GC pauses ${formatMs(gcMs)} of ${formatMs(busyMs)} of CPU in ${formatDuration(runMs)} (pauses only: incremental marking is not counted without a CPU profile)`;
  } else {
    return undefined;
  }
  if (busyMs <= 0) return undefined;
  const share = Math.min(1, gcMs / busyMs);
  const ofRun = gcMs / runMs;
  if (share < GC_WARNING || ofRun < GC_MIN_OF_RUN) return undefined;
  const critical = share >= GC_CRITICAL && ofRun >= GC_CRITICAL_MIN_OF_RUN;
  const evidence = [basis, `${formatPercent(ofRun)} of the whole run`];
  if (p) evidence.push(`${formatCount(p.gc.count)} collections, the longest pause ${formatMs(p.gc.maxPauseMs)}`);
  const heap = input.heap;
  const top = heap && heap.bytes > 0 ? heap.functions.slice(0, 3).map((f) => ({ ...sourceOf(f), bytes: f.bytes, share: f.bytes / heap.bytes })) : [];
  if (heap && !heap.live && heap.durationMs > 0) evidence.push(`allocated about ${formatBytes((heap.bytes / heap.durationMs) * 1000)}/s (heap sampling)`);
  if (top.length) evidence.push(`most allocated by ${top.map((f) => `${codeText(f)} ${formatPercent(f.share)}`).join(', ')}`);
  const lead = top[0];
  return {
    id: 'gc-pressure',
    severity: critical ? 'critical' : 'warning',
    title: `GC pressure: ${formatPercent(share)} of the busy CPU time in garbage collection${lead ? `, most allocated by ${codeText(lead)}` : ''}`,
    explanation: 'The process allocates so much, or keeps objects just long enough, that collecting takes a large part of its work: time no request is served, and each pause adds to the latency of the requests in flight.',
    evidence,
    next: lead
      ? `Allocate less in ${codeText({ name: lead.name, location: '' })}: reuse buffers and objects, avoid large temporary arrays or strings per request, keep fewer results alive between requests; the heap profile's flame graph shows its callers.`
      : `Name the allocators: ${profileHint(input, 'heap')}.`,
    ...(top.length ? { code: top } : {}),
    score: Math.min(1, share / GC_CRITICAL),
  };
}

/** The heap that survives major GCs keeps growing. */
function memoryFinding(input: DiagnosisInput): Finding | undefined {
  const p = input.record.process;
  const points = input.postGcHeap ?? [];
  const slope = input.postGcSlopePerMin;
  if (!p || slope === undefined || slope <= 0 || points.length < 3) return undefined;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const grown = (slope * (last.tS - first.tS)) / 60;
  if (grown < GROWTH_MIN_BYTES || grown < GROWTH_MIN_FRACTION * first.bytes) return undefined;
  const fraction = first.bytes > 0 ? grown / first.bytes : Infinity;
  const evidence = [
    `the heap after garbage collection (${formatCount(points.filter((q) => !q.forced).length)} major GCs${points.some((q) => q.forced) ? ' and a full GC forced at the end' : ''}) grew ${formatBytesPerMin(slope)}: from ${formatBytes(first.bytes)} at ${formatDuration(first.tS * 1000)} to ${formatBytes(last.bytes)} at ${formatDuration(last.tS * 1000)}`,
    `peak heap used ${formatBytes(p.heapUsedMax)}, RSS ${formatBytes(p.rssMax)}`,
  ];
  const heap = input.heap;
  const top = heap && heap.bytes > 0 ? heap.functions.slice(0, 3).map((f) => ({ ...sourceOf(f), bytes: f.bytes, share: f.bytes / heap.bytes })) : [];
  if (top.length) {
    const who = top.map((f) => `${codeText(f)} ${formatPercent(f.share)}`).join(', ');
    // A sampling of every allocation names who allocates, not who keeps: a lead, not a verdict.
    evidence.push(heap!.live ? `still alive at the end, allocated by ${who}` : `most allocating during the run (collected or not): ${who}`);
  }
  return {
    id: 'memory-growth',
    severity: fraction >= GROWTH_CRITICAL_FRACTION ? 'critical' : 'warning',
    title: `The heap grows ${formatBytesPerMin(slope)} after garbage collection`,
    explanation: 'What survives collection keeps growing: a cache or map without a bound, listeners or timers never removed. In time the process runs out of memory or spends ever longer in GC.',
    evidence,
    next: `Find what holds it: ${profileHint(input, 'leaks')} compares heap snapshots around the load and names the objects and their retainers.`,
    window: { fromS: first.tS, toS: last.tS },
    ...(top.length ? { code: top } : {}),
    score: Math.min(1, fraction),
  };
}

/** A slow Redis command, seen by Redis itself (commandstats, the slow log). */
function downstreamFinding(input: DiagnosisInput): Finding | undefined {
  const stack = input.record.stack;
  if (!stack) return undefined;
  const slow = (stack.commands ?? []).filter((c) => !OWN_COMMANDS.has(c.command) && c.usecPerCall >= SLOW_COMMAND_US).sort((a, b) => b.usec - a.usec);
  const logged = (stack.slowlog?.entries ?? []).filter((e) => !OWN_COMMANDS.has(e.command));
  if (!slow.length && !logged.length) return undefined;
  const lead = slow[0];
  const command = lead?.command ?? mostCommon(logged.map((e) => e.command))!;
  const evidence: string[] = [];
  for (const c of slow.slice(0, 3)) evidence.push(`\`${c.command}\`: ${formatCount(c.calls)} calls, ${formatUs(c.usecPerCall)} per call, ${formatMs(c.usec / 1000)} of Redis time in all`);
  if (logged.length) {
    const example = logged.filter((e) => e.command === command).sort((a, b) => b.durationUs - a.durationUs)[0] ?? logged[0]!;
    evidence.push(`${formatCount(logged.length)} slow-log entr${logged.length === 1 ? 'y' : 'ies'} during the run${stack.slowlog?.slowerThanUs !== undefined ? ` (slower than ${formatUs(stack.slowlog.slowerThanUs)})` : ''}, the slowest: \`${[example.command, ...example.args.slice(1, 4)].join(' ')}\` ${formatUs(example.durationUs)}`);
  }
  const overall = input.record.overall;
  const p = input.record.process;
  let explains = 0;
  if (lead && overall && overall.count > 0) {
    const perRequestMs = lead.usec / 1000 / overall.count;
    if (input.record.type === 'http') evidence.push(`${formatMs(perRequestMs)} of \`${lead.command}\` per request on average; request latency p50 ${formatMs(overall.latency.p50)}, p99 ${formatMs(overall.latency.p99)}`);
    explains = overall.latency.p50 > 0 ? Math.min(1, lead.usecPerCall / 1000 / overall.latency.p50) : 0;
  }
  if (p) evidence.push(`the target's CPU ${formatPercent(p.cpu.mean)} of one core: it was waiting, not working`);
  const cpuLow = !p || p.cpu.mean < CPU_BUSY;
  const severity: Severity = cpuLow && (explains >= 0.25 || (lead && lead.usecPerCall >= 10 * SLOW_COMMAND_US)) ? 'critical' : 'warning';
  return {
    id: 'downstream-bound',
    severity,
    title: `Downstream-bound: Redis \`${command}\`${lead ? ` takes ${formatUs(lead.usecPerCall)} per call` : ' is in the slow log'}`,
    explanation: 'Redis runs one command at a time: while a slow command runs, every other client\'s commands wait, so the requests of the whole service slow down, while the Node process itself sits idle.',
    evidence,
    next: commandAdvice(command),
    command,
    score: Math.max(explains, lead ? Math.min(1, lead.usecPerCall / (10 * SLOW_COMMAND_US)) : 0.5),
  };
}

function commandAdvice(command: string): string {
  if (/^z?range|^zrevrange|^lrange|^smembers|^hgetall|^keys$/.test(command)) return `Read less per call: \`${command}\` over a large key returns all of it; page it (LIMIT, ZSCAN/SSCAN/HSCAN) or keep a smaller key.`;
  if (/^eval|^fcall|^evalsha/.test(command)) return 'A Lua script or function runs inside Redis and blocks it while it runs: bound its loops, move the heavy part out of the script.';
  return `Make \`${command}\` cheaper (a smaller key, a narrower range), or move it off the request path.`;
}

function mostCommon(values: readonly string[]): string | undefined {
  const n = new Map<string, number>();
  for (const v of values) n.set(v, (n.get(v) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Many Redis commands per HTTP request: round trips that pipelining would fold into one. */
function roundTripsFinding(record: RunRecord): Finding | undefined {
  const stack = record.stack;
  const overall = record.overall;
  if (record.type !== 'http' || !stack?.commands || !overall || overall.count === 0) return undefined;
  const targets = stack.commands.filter((c) => !OWN_COMMANDS.has(c.command));
  const calls = targets.reduce((a, c) => a + c.calls, 0);
  const perRequest = calls / overall.count;
  if (perRequest < ROUND_TRIPS_INFO) return undefined;
  const top = [...targets].sort((a, b) => b.calls - a.calls).slice(0, 3);
  return {
    id: 'redis-round-trips',
    severity: perRequest >= ROUND_TRIPS_WARNING ? 'warning' : 'info',
    title: `${formatNumber1(perRequest)} Redis commands per request`,
    explanation: 'Each command sent after the previous answer costs a network round trip; commands a request sends one after another can go in one pipeline (or one MGET/MSET, or a script), paying one round trip instead.',
    evidence: [
      `${formatCount(calls)} Redis calls for ${formatCount(overall.count)} requests${stack.commands.length >= 20 ? ' (the 20 busiest commands)' : ''}`,
      `most called: ${top.map((c) => `\`${c.command}\` ${formatCount(c.calls)}`).join(', ')}`,
    ],
    next: 'Batch the commands a request sends: ioredis `pipeline()` / `multi()`, or MGET/MSET/HMGET for many keys at once.',
    score: Math.min(1, perRequest / (2 * ROUND_TRIPS_WARNING)),
  };
}

const formatNumber1 = (n: number) => (n >= 10 ? String(Math.round(n)) : n.toFixed(1));

/** A queue of the config whose waiting jobs kept growing over the run. */
function backlogFindings(input: DiagnosisInput): Finding[] {
  const stack: StackEvidence | undefined = input.record.stack;
  if (!stack) return [];
  const seconds = input.record.durationMs / 1000;
  return stack.queues.flatMap((q) => {
    const f = backlogFinding(q, input.waitingSeries?.[q.name], seconds);
    return f ? [f] : [];
  });
}

function backlogFinding(q: QueueEvidence, series: (number | null)[] | undefined, seconds: number): Finding | undefined {
  if (!q.start || !q.end || seconds <= 0) return undefined;
  const grown = q.end.waiting - q.start.waiting;
  if (grown < BACKLOG_MIN_JOBS) return undefined;
  // Growing through the run, not one burst at the end: the later half of the readings above the earlier half.
  const values = (series ?? []).filter((v): v is number => v !== null);
  if (values.length >= 4) {
    const half = Math.floor(values.length / 2);
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    if (mean(values.slice(half)) <= mean(values.slice(0, half))) return undefined;
  }
  const done = q.end.completed - q.start.completed + (q.end.failed - q.start.failed);
  const inRate = (done + grown) / seconds;
  const outRate = done / seconds;
  const evidence = [
    `waiting jobs ${formatCount(q.start.waiting)} → ${formatCount(q.end.waiting)} (+${formatCount(grown)} in ${formatDuration(seconds * 1000)}, highest ${formatCount(q.max?.waiting ?? q.end.waiting)})`,
  ];
  let next = 'Add workers or raise their concurrency, or make each job cheaper; a backlog that grows for as long as the load lasts never drains by itself.';
  if (done > 0) {
    const factor = inRate / outRate;
    evidence.push(`jobs came in at about ${formatRate(inRate)} and were finished at ${formatRate(outRate)}`);
    next = `The workers need about ${factor.toFixed(1)}× their throughput: that much more concurrency (if the jobs wait on I/O) or that many more worker processes (if they are CPU-bound), or cheaper jobs.`;
  } else {
    evidence.push('no job of the queue finished during the run (or finished jobs are removed at once: completed counts stay 0)');
  }
  return {
    id: 'queue-backlog',
    severity: q.end.waiting >= 2 * Math.max(1, q.start.waiting) && grown >= 10 * BACKLOG_MIN_JOBS ? 'critical' : 'warning',
    title: `The backlog of queue \`${q.name}\` grew by ${formatCount(grown)} jobs`,
    explanation: 'Jobs were added faster than the workers finished them, so each new job waits longer than the last.',
    evidence,
    next,
    score: Math.min(1, grown / (10 * BACKLOG_MIN_JOBS)),
  };
}

function generatorFinding(record: RunRecord): Finding | undefined {
  const g = record.generator;
  if (!g?.generatorBound) return undefined;
  return {
    id: 'generator-bound',
    severity: 'warning',
    title: 'The load generator, not the target, was the limit',
    explanation: 'PerfLab could not send the requests when they were due, so the rate and latency reflect this machine\'s generator as much as the target.',
    evidence: [
      g.message ?? 'the generator fell behind its schedule',
      `generator event-loop lag p99 ${formatMs(g.lagP99Ms)}; ${formatCount(g.lateSends)} sends late by up to ${formatMs(g.lateSendMaxMs)}`,
    ],
    next: 'Lower the rate, run the generator on another machine or core (distributed agents), or stop other work on this one.',
    score: 0.5,
  };
}
