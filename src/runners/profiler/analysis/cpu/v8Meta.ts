/**
 * V8's pseudo-frames in a CPU profile: not functions of the target but what V8 charges samples to
 * when no JavaScript function runs. They are reported apart from the ranked functions, or an idle
 * server's "top function" would be `(idle)`.
 */
import type { V8MetaKind } from '../types';

const KINDS: ReadonlyMap<string, V8MetaKind> = new Map([
  ['(idle)', 'idle'],
  ['(program)', 'program'],
  ['(garbage collector)', 'gc'],
  ['(root)', 'root'],
]);

/** The V8 names, in the order reports list them. */
export const V8_META_NAMES: Readonly<Record<V8MetaKind, string>> = { idle: '(idle)', program: '(program)', gc: '(garbage collector)', root: '(root)' };

/** The frame V8 samples while the thread waits for work. */
export const IDLE = V8_META_NAMES.idle;

/** The kind of a pseudo-frame, or undefined for a real function. Pseudo-frames have no script. */
export function v8MetaKind(functionName: string, url: string): V8MetaKind | undefined {
  return url ? undefined : KINDS.get(functionName);
}
