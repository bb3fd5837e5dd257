import { describe, expect, it } from 'vitest';
import { makeRunRecord } from '../../test/helpers/runRecords';
import { diagnose, type DiagnosisInput, type Finding } from './diagnosis';
import { diagnosisMarkdown, diagnosisTextLines } from './report/diagnosis';
import { formatBytes, formatMs, formatRate } from './format';
import type { ProcessSummary, RunRecord } from './runRecord';
import type { StackEvidence } from './stackEvidence';

/** A process that did nothing remarkable over 10 s; override what a case is about. */
function proc(over: Partial<ProcessSummary> = {}): ProcessSummary {
  return {
    description: 'pid 42 (node server.js)',
    pid: 42,
    intervalMs: 250,
    resolutionMs: 0,
    complete: true,
    samples: 40,
    coveredS: 10,
    loopDelay: { count: 1000, min: 0, mean: 0.2, p50: 0.1, p90: 0.5, p99: 2, max: 6 },
    heapUsedMax: 30e6,
    rssMax: 80e6,
    majorGcs: 0,
    cpu: { mean: 0.2, max: 0.3 },
    gc: { count: 10, pauseMs: 20, maxPauseMs: 3 },
    ...over,
  };
}

function stack(over: Partial<StackEvidence> = {}): StackEvidence {
  return { target: 'redis://127.0.0.1:6400', intervalMs: 1000, samples: 10, queues: [], unavailable: [], commands: [], slowlog: { entries: [], missed: 0 }, ...over };
}

const run = (over: Partial<RunRecord> = {}, input: Omit<DiagnosisInput, 'record'> = {}) => diagnose({ record: makeRunRecord(over), ...input });
const ids = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.id}`);

describe('diagnose', () => {
  it('a quiet run with every part read has no finding', () => {
    const d = run({ process: proc(), stack: stack() }, { cpu: { sampledMs: 10_000, idleMs: 8_000, gcMs: 50, functions: [] }, spikes: [], heap: { bytes: 1e6, live: false, durationMs: 10_000, functions: [] } });
    expect(d.findings).toEqual([]);
    expect(d.read).toEqual(['run', 'process', 'CPU profile', 'heap profile', 'stack']);
    expect(d.missing).toEqual([]);
    expect(diagnosisTextLines(d)).toEqual(['findings: nothing found in run, process, CPU profile, heap profile, stack']);
  });

  it('errors: their share, kinds and when they started; critical from 5 %', () => {
    const timeline = [0, 1, 2, 3].map((t) => ({ t, rps: 100, p50: 3, p99: 9, errors: t >= 2 ? 50 : 0, phase: 'steady' }));
    const d = run({ overall: { ...makeRunRecord().overall!, count: 1000, errors: 100, errorsByKind: { 'status:503': 90, timeout: 10 } }, timeline });
    const [f] = d.findings;
    expect(f).toMatchObject({ id: 'errors', severity: 'critical', title: '10.0% of requests failed, mostly status:503', window: { fromS: 2, toS: 4 } });
    expect(f!.evidence).toContain('by kind: status:503 × 90, timeout × 10');
    expect(f!.next).toMatch(/server errors/);
    expect(run({ overall: { ...makeRunRecord().overall!, count: 1000, errors: 3 } }).findings[0]!.severity).toBe('info');
  });

  it('a long call during the spikes names the function; the same on a saturated CPU is demoted', () => {
    const spikes = [
      { atS: 1.2, delayMs: 124, busyMs: 123, culprits: [{ name: 'buildReport', location: 'src/report.js:12', share: 0.97, longestMs: 121 }] },
      { atS: 3.4, delayMs: 119, busyMs: 118, culprits: [{ name: 'buildReport', location: 'src/report.js:12', share: 0.95, longestMs: 117 }] },
    ];
    const process = proc({ loopDelay: { count: 1000, min: 0, mean: 3, p50: 0.1, p90: 1, p99: 110, max: 124 } });
    const cpu = { sampledMs: 10_000, idleMs: 7_000, gcMs: 10, functions: [{ name: 'buildReport', location: 'src/report.js:12', selfMs: 2_900 }] };
    const [f] = run({ process }, { spikes, cpu }).findings;
    expect(f).toMatchObject({ id: 'event-loop-blocked', severity: 'critical', title: 'The event loop was blocked by `buildReport` (src/report.js:12)', window: { fromS: 1.2, toS: 3.4 } });
    expect(f!.code![0]).toMatchObject({ name: 'buildReport', ms: 121 });
    // 238 ms blocked of 10 s.
    expect(f!.evidence[1]).toContain('(at least 2.38% of the run blocked');

    const busy = { ...cpu, idleMs: 200 };
    const saturated = run({ process: proc({ ...process, cpu: { mean: 0.98, max: 1 } }) }, { spikes, cpu: busy }).findings;
    expect(ids(saturated)).toEqual(['critical cpu-bound', 'warning event-loop-blocked']);
  });

  it('spikes with only short calls are no block; without a CPU profile the hint names the pid and profile', () => {
    const process = proc({ loopDelay: { count: 1000, min: 0, mean: 3, p50: 0.1, p90: 1, p99: 20, max: 80 } });
    const short = [{ atS: 1, delayMs: 80, busyMs: 79, culprits: [{ name: 'handler', location: 'a.js:1', share: 0.5, longestMs: 4 }] }];
    expect(ids(run({ process }, { spikes: short, cpu: { sampledMs: 10_000, idleMs: 7_000, gcMs: 0, functions: [] } }).findings)).toEqual(['info event-loop-blocked']);
    const [f] = run({ process }).findings;
    expect(f).toMatchObject({ id: 'event-loop-blocked', severity: 'warning' });
    expect(f!.next).toContain('`perflab profile cpu --pid 42 --under smoke`');
  });

  it('CPU-bound: the CPU per request and the rate one core allows, from the figures', () => {
    // 0.6 of a core over 10 s for 1,500 requests: 4 ms each, so one core serves 250/s.
    const overall = { ...makeRunRecord().overall!, count: 1_500, rate: 150, latency: { min: 1, mean: 30, p50: 25, p90: 60, p95: 80, p99: 120, max: 200 } };
    const cpuSeries = Array.from({ length: 40 }, (_, i) => ({ tS: i / 4, cpu: i >= 20 ? 0.97 : 0.2, intervalMs: 250 }));
    const d = run({ overall, process: proc({ cpu: { mean: 0.6, max: 0.99 } }) }, { cpuSeries });
    const [f] = d.findings;
    expect(f).toMatchObject({ id: 'cpu-bound', severity: 'critical' });
    expect(f!.evidence).toContain(`${formatMs(4)} of CPU per request: one core serves at most about ${formatRate(250)}; the run completed ${formatRate(150)}`);
    expect(f!.evidence.some((e) => e.includes('for 5.0 s (50.0% of the run)'))).toBe(true);
    // Saturated for less than 2 s: not CPU-bound.
    const brief = cpuSeries.map((s, i) => ({ ...s, cpu: i >= 34 ? 0.97 : 0.2 }));
    expect(run({ overall, process: proc({ cpu: { mean: 0.3, max: 0.99 } }) }, { cpuSeries: brief }).findings).toEqual([]);
  });

  it('GC pressure leads when collection is most of the busy CPU, naming the top allocator', () => {
    const cpu = { sampledMs: 10_000, idleMs: 1_000, gcMs: 3_000, functions: [{ name: 'buildRows', location: 'rows.js:3', selfMs: 5_000 }] };
    const heap = { bytes: 4e9, live: false, durationMs: 10_000, functions: [{ name: 'buildRows', location: 'rows.js:3', bytes: 3.6e9 }, { name: 'other', location: 'o.js:1', bytes: 0.2e9 }] };
    const d = run({ process: proc({ cpu: { mean: 0.95, max: 1 } }) }, { cpu, heap, spikes: [] });
    expect(ids(d.findings)).toEqual(['critical gc-pressure', 'warning cpu-bound']);
    expect(d.findings[0]).toMatchObject({ title: 'GC pressure: 33.3% of the busy CPU time in garbage collection, most allocated by `buildRows` (rows.js:3)' });
    expect(d.findings[0]!.code![0]!.share).toBeCloseTo(0.9, 10);
    expect(d.findings[0]!.evidence).toContain(`allocated about ${formatBytes(400e6)}/s (heap sampling)`);
  });

  it('memory growth from the post-GC heap, critical once it grew by half', () => {
    const points = [0, 2, 4, 6, 8].map((t) => ({ tS: t, bytes: 10e6 + t * 2.5e6 }));
    // 2.5 MB a second is 150 MB a minute; 20 MB over 8 s on a start of 10 MB.
    const d = run({ process: proc({ majorGcs: 5 }) }, { postGcHeap: points, postGcSlopePerMin: 150e6 });
    expect(d.findings[0]).toMatchObject({ id: 'memory-growth', severity: 'critical', window: { fromS: 0, toS: 8 } });
    expect(d.findings[0]!.next).toContain('perflab profile leaks --pid 42');
    // A heap that wobbles by a few hundred KB is no growth.
    const flat = [0, 2, 4, 6].map((t) => ({ tS: t, bytes: 10e6 + (t % 4) * 1e5 }));
    expect(run({ process: proc({ majorGcs: 4 }) }, { postGcHeap: flat, postGcSlopePerMin: 1e6 }).findings).toEqual([]);
  });

  it('a slow Redis command with the target idle is downstream-bound; PerfLab\'s own reads are never counted', () => {
    const s = stack({
      commands: [
        { command: 'eval', calls: 100, usec: 2_000_000, usecPerCall: 20_000 },
        { command: 'info', calls: 10, usec: 30_000, usecPerCall: 3_000 },
      ],
      slowlog: { entries: [{ id: 1, at: '2026-11-27T10:00:01.000Z', durationUs: 21_000, command: 'eval', args: ['EVAL', 'local n = 0 …', '0', '600000'] }], missed: 0, slowerThanUs: 10_000 },
    });
    const overall = { ...makeRunRecord().overall!, count: 100, latency: { min: 20, mean: 25, p50: 24, p90: 30, p95: 35, p99: 40, max: 60 } };
    const [f, ...rest] = run({ overall, stack: s, process: proc() }).findings;
    expect(f).toMatchObject({ id: 'downstream-bound', severity: 'critical', command: 'eval', title: 'Downstream-bound: Redis `eval` takes 20.0 ms per call' });
    expect(f!.next).toMatch(/Lua script/);
    expect(rest).toEqual([]);
    const md = diagnosisMarkdown(run({ overall, stack: s, process: proc() }), (t) => t).join('\n');
    expect(md).toContain('🔴 **Downstream-bound: Redis `eval` takes 20.0 ms per call** (`downstream-bound`, critical)');
  });

  it('round trips per request, from the target\'s commands only', () => {
    const s = stack({ commands: [{ command: 'get', calls: 12_000, usec: 12_000, usecPerCall: 1 }, { command: 'info', calls: 5_000, usec: 100, usecPerCall: 0.02 }] });
    const [f] = run({ stack: s }).findings;
    expect(f).toMatchObject({ id: 'redis-round-trips', severity: 'warning', title: '12 Redis commands per request' });
  });

  it('a queue whose waiting count grows through the run is a backlog, with the factor the workers lack', () => {
    const counts = (waiting: number, completed: number) => ({ waiting, active: 4, delayed: 0, failed: 0, completed });
    const q = { name: 'emails', prefix: 'bull', samples: 10, start: counts(0, 0), max: counts(600, 400), end: counts(600, 400) };
    const d = run({ stack: stack({ queues: [q] }) }, { waitingSeries: { emails: [0, 60, 120, 240, 360, 600] } });
    const [f] = d.findings;
    // 1,000 jobs in, 400 done, over 10 s: 100/s in, 40/s out: 2.5× the throughput.
    expect(f).toMatchObject({ id: 'queue-backlog', title: 'The backlog of queue `emails` grew by 600 jobs' });
    expect(f!.next).toContain('2.5×');
    // The same counts, but a burst that drains: no backlog.
    expect(run({ stack: stack({ queues: [q] }) }, { waitingSeries: { emails: [600, 500, 400, 300, 100, 600] } }).findings).toEqual([]);
  });

  it('ranks by severity, then by how much each explains', () => {
    const d = run({
      generator: { lagP99Ms: 40, lateSends: 300, lateSendMaxMs: 90, generatorBound: true, message: 'the generator fell behind' },
      overall: { ...makeRunRecord().overall!, count: 1000, errors: 20 },
      process: proc({ loopDelay: { count: 1000, min: 0, mean: 3, p50: 0.1, p90: 1, p99: 70, max: 150 } }),
    });
    // A generator that fell behind puts every figure in doubt: before a 2 % error rate.
    expect(ids(d.findings)).toEqual(['critical event-loop-blocked', 'warning generator-bound', 'warning errors']);
  });
});
