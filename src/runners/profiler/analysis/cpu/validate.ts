/**
 * Checks a parsed `.cpuprofile` before anything trusts it, so a damaged or foreign file gets one
 * clear line (which field, which entry, what is wrong) instead of NaN times or a crash.
 */
import { badFile } from '../errors';
import { IdIndex } from './idIndex';

/** V8's Runtime.CallFrame, as profiles store it. Lines and columns are 0-based, -1 when unknown. */
export interface RawCallFrame {
  functionName: string;
  scriptId?: string | number;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface RawCpuNode {
  id: number;
  callFrame: RawCallFrame;
  hitCount?: number;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}

export interface RawCpuProfile {
  nodes: RawCpuNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Longer than any profile anyone takes: 30 days, in µs. */
const MAX_SPAN_US = 30 * 24 * 3600e6;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;

/** `nodes[3].id is -1, not a node id`, or `nodes[3].id is missing`. */
export function notA(at: string, v: unknown, what: string): string {
  return v === undefined ? `${at} is missing` : `${at} is ${describeValue(v)}, not ${what}`;
}

export function describeValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === undefined) return 'missing';
  const json = JSON.stringify(v);
  return json.length > 40 ? json.slice(0, 37) + '…' : json;
}

/** Validates the shape of a CPU profile; `json` may also be `{profile: …}` as Profiler.stop returns it. */
export function validateCpuProfile(file: string, json: unknown): RawCpuProfile {
  const fail = (what: string): never => {
    throw badFile(file, what);
  };
  if (!isObject(json)) return fail(Array.isArray(json) ? 'is a JSON array, not a CPU profile' : 'is not a CPU profile (expected a JSON object)');
  const p = isObject(json.profile) && !('nodes' in json) ? json.profile : json;
  if (Array.isArray(p.nodes) && typeof p.nodes[0] === 'number' && 'snapshot' in p) return fail('is a heap snapshot, not a CPU profile');
  if (isObject(p.head)) return fail('is a heap sampling profile (.heapprofile), not a CPU profile');
  if (!Array.isArray(p.nodes)) return fail(`is not a CPU profile: no "nodes" array (top-level keys: ${Object.keys(p).slice(0, 6).join(', ') || 'none'})`);
  if (p.nodes.length === 0) return fail('has an empty "nodes" array: no call tree');
  const seen = new Set<number>();
  p.nodes.forEach((n: unknown, i: number) => {
    const at = `nodes[${i}]`;
    if (!isObject(n)) return fail(notA(`${at}`, n, 'a node object'));
    if (!isCount(n.id)) return fail(notA(`${at}.id`, n.id, 'a node id'));
    if (seen.has(n.id)) return fail(`${at}.id ${n.id} is used by two nodes`);
    seen.add(n.id);
    const f = n.callFrame;
    if (!isObject(f)) return fail(notA(`${at}.callFrame`, f, 'a call frame'));
    if (typeof f.functionName !== 'string') return fail(notA(`${at}.callFrame.functionName`, f.functionName, 'a string'));
    if (typeof f.url !== 'string') return fail(notA(`${at}.callFrame.url`, f.url, 'a string'));
    for (const k of ['lineNumber', 'columnNumber'] as const) {
      const v = f[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -1 || v > 1e9) return fail(notA(`${at}.callFrame.${k}`, v, 'a line or column number'));
    }
    if (n.hitCount !== undefined && !isCount(n.hitCount)) return fail(notA(`${at}.hitCount`, n.hitCount, 'a count'));
    if (n.children !== undefined && (!Array.isArray(n.children) || !n.children.every(isCount))) return fail(`${at}.children is not a list of node ids`);
    if (n.positionTicks !== undefined) {
      if (!Array.isArray(n.positionTicks)) return fail(`${at}.positionTicks is not a list`);
      n.positionTicks.forEach((t: unknown, j: number) => {
        if (!isObject(t) || !isCount(t.line) || !isCount(t.ticks)) fail(notA(`${at}.positionTicks[${j}]`, t, '{line, ticks}'));
      });
    }
  });
  for (const k of ['startTime', 'endTime'] as const) {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER) return fail(notA(`"${k}"`, v, 'a time in µs'));
  }
  const start = p.startTime as number;
  const end = p.endTime as number;
  if (end < start) return fail(`"endTime" (${end}) is before "startTime" (${start})`);
  if (end - start > MAX_SPAN_US) return fail(`spans ${((end - start) / 86400e6).toFixed(0)} days (startTime ${start}, endTime ${end}); not a real profile`);
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  if (!Array.isArray(samples)) return fail('"samples" is not a list of node ids');
  if (!Array.isArray(deltas)) return fail('"timeDeltas" is not a list of numbers');
  if (samples.length !== deltas.length) return fail(`"samples" has ${samples.length} entries but "timeDeltas" has ${deltas.length}`);
  const ids = new IdIndex((p.nodes as RawCpuNode[]).map((n) => n.id));
  let t = start;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (typeof s !== 'number' || ids.get(s) === -1) return fail(`samples[${i}] is ${describeValue(s)}, which is no node id in "nodes"`);
    const d = deltas[i];
    if (typeof d !== 'number' || !Number.isFinite(d) || Math.abs(d) > MAX_SPAN_US) return fail(notA(`timeDeltas[${i}]`, d, 'a time step in µs'));
    // V8 stamps a few samples out of order (negative deltas), never outside the profile: a
    // sample there would count time the profile does not span.
    t += d;
    if (t < start || t > end) {
      return fail(`is inconsistent: sample ${i} is at ${t} µs, ${t < start ? `${start - t} µs before "startTime"` : `${t - end} µs after "endTime"`} (${start} to ${end}); its "timeDeltas" do not add up`);
    }
  }
  return { nodes: p.nodes as RawCpuNode[], startTime: start, endTime: end, samples: samples as number[], timeDeltas: deltas as number[] };
}
