/**
 * Heap sampling profiles (`.heapprofile`): which functions allocated the sampled bytes (all of
 * them, or only those still alive at the end, as the capture chose), self and inclusive, with
 * source maps applied.
 */
import { notA } from './cpu/validate';
import { badFile } from './errors';
import type { SourceMapper } from './sourceMaps';
import type { AllocatingFunction, HeapProfileAnalysis } from './types';

interface RawHeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  id: number;
  children: RawHeapNode[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_BYTES = 2 ** 50;

/** Checks the tree iteratively (profiles can be deep) and returns it. */
export function validateHeapProfile(file: string, json: unknown): { head: RawHeapNode; sampleCount: number } {
  const fail = (what: string): never => {
    throw badFile(file, what);
  };
  if (!isObject(json)) return fail(Array.isArray(json) ? 'is a JSON array, not a heap sampling profile' : 'is not a heap sampling profile (expected a JSON object)');
  const p = isObject(json.profile) && !('head' in json) ? json.profile : json;
  if ('snapshot' in p) return fail('is a heap snapshot, not a heap sampling profile');
  if (Array.isArray(p.nodes) && 'timeDeltas' in p) return fail('is a CPU profile, not a heap sampling profile');
  if (!isObject(p.head)) return fail(`is not a heap sampling profile: no "head" node (top-level keys: ${Object.keys(p).slice(0, 6).join(', ') || 'none'})`);
  const stack: [unknown, string][] = [[p.head, 'head']];
  let count = 0;
  while (stack.length) {
    const [n, at] = stack.pop()!;
    if (++count > 50_000_000) fail('has more than 50 million nodes; not a real profile');
    if (!isObject(n)) return fail(notA(`${at}`, n, 'a node'));
    const f = n.callFrame;
    if (!isObject(f) || typeof f.functionName !== 'string' || typeof f.url !== 'string') return fail(notA(`${at}.callFrame`, f, 'a call frame'));
    for (const k of ['lineNumber', 'columnNumber']) {
      const v = f[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -1 || v > 1e9) return fail(notA(`${at}.callFrame.${k}`, v, 'a line or column number'));
    }
    const size = n.selfSize;
    if (typeof size !== 'number' || !Number.isFinite(size)) return fail(notA(`${at}.selfSize`, size, 'a size'));
    if (size < 0) return fail(`${at}.selfSize is ${size}: a negative size`);
    if (size > MAX_BYTES) return fail(`${at}.selfSize is ${size}, larger than any heap`);
    if (n.children === undefined) n.children = [];
    if (!Array.isArray(n.children)) return fail(`${at}.children is not a list of nodes`);
    n.children.forEach((c: unknown, i: number) => stack.push([c, `${at}.children[${i}]`]));
  }
  const samples = p.samples ?? [];
  if (!Array.isArray(samples)) return fail('"samples" is not a list');
  return { head: p.head as unknown as RawHeapNode, sampleCount: samples.length };
}

/** Script urls a profile names, for loading their source maps first. */
export function heapProfileUrls(head: RawHeapNode): Set<string> {
  const urls = new Set<string>();
  const stack = [head];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.callFrame.url) urls.add(n.callFrame.url);
    for (const c of n.children) stack.push(c); // not push(...children): a node may have a million
  }
  return urls;
}

export function analyzeHeapProfileData(file: string, head: RawHeapNode, sampleCount: number, mapper?: SourceMapper, top?: number): HeapProfileAnalysis {
  const fns = new Map<string, AllocatingFunction>();
  const onStack = new Map<AllocatingFunction, number>();
  let totalSize = 0;
  const fnOf = (n: RawHeapNode): AllocatingFunction => {
    const cf = n.callFrame;
    const line = cf.lineNumber + 1;
    const column = cf.columnNumber + 1;
    const mapped = cf.url && mapper ? mapper.map(cf.url, line, column) : undefined;
    const name = cf.functionName || mapped?.name || '(anonymous)';
    const pos = mapped ?? { url: cf.url, line, column };
    const key = `${name}\n${pos.url}\n${pos.line}\n${pos.column}`;
    let fn = fns.get(key);
    if (!fn) {
      fn = { name, url: pos.url, line: pos.line, column: pos.column, selfSize: 0, totalSize: 0 };
      if (mapped) fn.generated = { url: cf.url, line, column };
      fns.set(key, fn);
    }
    return fn;
  };
  // Post-order walk: inclusive size of a node is known when its children are done.
  const inclusive = new Map<RawHeapNode, number>();
  const stack: [RawHeapNode, boolean][] = [[head, false]];
  while (stack.length) {
    const [n, done] = stack.pop()!;
    const fn = fnOf(n);
    if (!done) {
      onStack.set(fn, (onStack.get(fn) ?? 0) + 1);
      stack.push([n, true]);
      for (const c of n.children) stack.push([c, false]);
      continue;
    }
    let size = n.selfSize;
    for (const c of n.children) size += inclusive.get(c)!;
    for (const c of n.children) inclusive.delete(c);
    inclusive.set(n, size);
    fn.selfSize += n.selfSize;
    totalSize += n.selfSize;
    const depth = onStack.get(fn)! - 1;
    onStack.set(fn, depth);
    // Count inclusive size only at the outermost frame of a recursive function.
    if (depth === 0) fn.totalSize += size;
  }
  const functions = [...fns.values()].filter((f) => f.selfSize > 0 || f.totalSize > 0).sort((a, b) => b.selfSize - a.selfSize || b.totalSize - a.totalSize);
  return { kind: 'heapprofile', file, totalSize, sampleCount, functions: top === undefined ? functions : functions.slice(0, top) };
}
