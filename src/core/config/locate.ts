/**
 * Turning JSON paths into places in the file: every problem points at the node it is about,
 * with 1-based line and column, so the CLI can print `file:line:col` and the editor can
 * underline the exact token.
 */

import { findNodeAtLocation, type Node } from 'jsonc-parser';
import { clipped, ECHO_CHARS, quoted } from './echo';
import type { ConfigProblem } from './types';

export type Segment = string | number;

/** Longest message or hint a problem carries. */
const MAX_MESSAGE_CHARS = 1_000;

/** `profiles.smoke.phases[1].duration`; keys that are not plain words are quoted: `targets["my api"]`. */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (seg.length <= ECHO_CHARS && /^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${quoted(seg)}]`;
  }
  return out;
}

/** Offset → 1-based line/column, by binary search over line starts. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}

export interface Span {
  offset: number;
  length: number;
}

/** Which part of a node a problem points at. */
export type Anchor =
  /** The value; for an object or array, its key (or opening bracket) instead of the whole block. */
  | 'value'
  /** The property's key, e.g. for an unknown or duplicated property. */
  | 'key';

/** The node at `path`, or the nearest ancestor that exists. */
export function nearestNode(root: Node, path: readonly Segment[]): Node {
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n) as Segment[]);
    if (node) return node;
  }
  return root;
}

export function spanOf(node: Node, anchor: Anchor): Span {
  const property = node.parent?.type === 'property' && node.parent.children?.[1] === node ? node.parent : undefined;
  const key = property?.children?.[0];
  if (anchor === 'key' && key) return { offset: key.offset, length: key.length };
  if (node.type === 'object' || node.type === 'array') {
    return key ? { offset: key.offset, length: key.length } : { offset: node.offset, length: 1 };
  }
  return { offset: node.offset, length: node.length };
}

export interface ProblemInput {
  path: readonly Segment[];
  message: string;
  hint: string;
  code: string;
  severity?: 'error' | 'warning';
  anchor?: Anchor;
  /** An exact place, overriding the path's node (e.g. the second of two duplicated keys). */
  span?: Span;
}

/** Collects problems for one file, locating each on the config's syntax tree. */
export class ProblemSink {
  readonly problems: ConfigProblem[] = [];
  private readonly lines: LineIndex;
  private readonly seen = new Set<string>();

  constructor(
    readonly file: string,
    text: string,
    private readonly root: Node | undefined,
  ) {
    this.lines = new LineIndex(text);
  }

  add(p: ProblemInput): void {
    const path = formatPath(p.path);
    // Schema validation and semantic checks may both notice the same thing; say it once.
    const key = `${path}\u0000${p.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const span = p.span ?? (this.root ? spanOf(nearestNode(this.root, p.path), p.anchor ?? 'value') : { offset: 0, length: 0 });
    const start = this.lines.position(span.offset);
    const end = this.lines.position(span.offset + span.length);
    this.problems.push({
      file: this.file,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      path,
      // Values are quoted bounded where they are echoed; this catches anything that still is not.
      message: clipped(p.message, MAX_MESSAGE_CHARS),
      hint: clipped(p.hint, MAX_MESSAGE_CHARS),
      severity: p.severity ?? 'error',
      code: p.code,
      ...(p.path[0] === 'profiles' && typeof p.path[1] === 'string' ? { profile: p.path[1] } : {}),
    });
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }

  /** Problems in file order. */
  sorted(): ConfigProblem[] {
    return [...this.problems].sort((a, b) => a.line - b.line || a.column - b.column);
  }
}
