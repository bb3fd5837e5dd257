/**
 * The structure of the JSON profiles V8 writes, for the streaming check that runs before a file
 * is parsed (./jsonError.ts). Every object of the big lists must have the keys the analysis
 * needs, so no byte of a file can stand for much memory once parsed: a node is at least some
 * 80 bytes of text, a list item at least 2. What the analysis checks later (ids, ranges, times)
 * stays in ./cpu/validate.ts and ./heapProfile.ts; this only keeps a file from being parsed into
 * something far bigger than itself.
 */
import type { Shape } from './jsonError';
import type { ContentKind } from './sniff';

/** A JSON profile format: what sniffing calls it, how messages name it, its structure. */
export interface JsonFormat {
  kind: ContentKind;
  /** `a CPU profile (.cpuprofile)` */
  label: string;
  /** `CPU profile`, in `invalid CPU profile at byte 10: …` */
  name: string;
  shape: Shape;
}

const scalar: Shape = { what: 'a string or a number', type: 'scalar' };
const number: Shape = { what: 'a number', type: 'number' };
const string: Shape = { what: 'a string', type: 'string' };
/** Metadata a tool added beside the profile: allowed, but counted against a small budget. */
const extra: Shape = { what: 'a value', type: 'any', extra: true };
const numbers = (what: string): Shape => ({ what, type: 'array', items: number });

const callFrame: Shape = {
  what: 'a call frame object', type: 'object',
  keys: { functionName: string, url: string, lineNumber: number, columnNumber: number, scriptId: scalar },
  other: scalar,
  required: ['functionName', 'url', 'lineNumber', 'columnNumber'],
};

const cpuNode: Shape = {
  what: 'a node object', type: 'object',
  keys: {
    id: number, callFrame, hitCount: number, children: numbers('a list of node ids'),
    positionTicks: { what: 'a list of {line, ticks}', type: 'array', items: { what: 'a {line, ticks} object', type: 'object', keys: { line: number, ticks: number }, other: scalar, required: ['line', 'ticks'] } },
  },
  other: scalar,
  required: ['id', 'callFrame'],
};

const cpuProfileKeys: Record<string, Shape> = {
  nodes: { what: 'a list of node objects', type: 'array', items: cpuNode },
  startTime: number,
  endTime: number,
  samples: numbers('a list of node ids'),
  timeDeltas: numbers('a list of numbers'),
};

/** A `.cpuprofile`, or `{ "profile": … }` as Profiler.stop returns it. */
const CPU_PROFILE: Shape = {
  what: 'a CPU profile object', type: 'object',
  keys: { ...cpuProfileKeys, profile: { what: 'a CPU profile object', type: 'object', keys: cpuProfileKeys, other: extra } },
  other: extra,
};

const heapNode: Shape = {
  what: 'a node object', type: 'object',
  keys: { callFrame, selfSize: number, id: number },
  other: scalar,
  required: ['callFrame', 'selfSize'],
};
// The tree nests through `children`, as deep as the allocating stacks were.
(heapNode.keys as Record<string, Shape>).children = { what: 'a list of node objects', type: 'array', items: heapNode };

const heapProfileKeys: Record<string, Shape> = {
  head: heapNode,
  samples: {
    what: 'a list of samples', type: 'array',
    items: { what: 'a sample object', type: 'object', keys: { size: number, nodeId: number, ordinal: number }, other: scalar, required: ['size', 'nodeId'] },
  },
  startTime: number,
  endTime: number,
};

/** A `.heapprofile` (sampling heap profile), or `{ "profile": … }` as HeapProfiler.stopSampling returns it. */
const HEAP_PROFILE: Shape = {
  what: 'a heap sampling profile object', type: 'object',
  keys: { ...heapProfileKeys, profile: { what: 'a heap sampling profile object', type: 'object', keys: heapProfileKeys, other: extra } },
  other: extra,
};

/** `.cpuprofile`: V8's Profiler.stop output, as DevTools and `node --cpu-prof` save it. */
export const CPU_PROFILE_FORMAT: JsonFormat = { kind: 'cpuprofile', label: 'a CPU profile (.cpuprofile)', name: 'CPU profile', shape: CPU_PROFILE };
/** `.heapprofile`: V8's sampling heap profile, as DevTools and `node --heap-prof` save it. */
export const HEAP_PROFILE_FORMAT: JsonFormat = { kind: 'heapprofile', label: 'a heap sampling profile (.heapprofile)', name: 'heap sampling profile', shape: HEAP_PROFILE };
