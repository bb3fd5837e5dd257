/**
 * Draws a flame slice (core/flame.ts) on a canvas: one row per depth, root on top (an icicle, as
 * DevTools and VS Code draw it), each node as wide as its time at the view's zoom. One canvas,
 * no DOM per node: a 50k-node profile draws in one pass over the slice.
 */
import type { FlameFrame, FlameSlice, FlameSliceNode } from '../../src/core/flame';
import { matchesQuery } from '../../src/core/flame';

export const ROW_HEIGHT = 18;

/** The visible part of the slice's root, in ms from its left edge. */
export interface Viewport {
  fromMs: number;
  toMs: number;
}

export interface Palette {
  background: string;
  foreground: string;
  font: string;
  /** Outline of the node under the pointer and of matches. */
  focus: string;
}

/** What a node's colour says: V8's pseudo-frames, Node's own code, a dependency, the program's code. */
export type FrameCategory = 'meta' | 'node' | 'dependency' | 'app';

export function categoryOf(frame: FlameFrame): FrameCategory {
  if (frame.meta) return 'meta';
  if (!frame.url || frame.url.startsWith('node:') || !/[\\/]/.test(frame.url)) return 'node';
  if (/[\\/]node_modules[\\/]/.test(frame.url)) return 'dependency';
  return 'app';
}

/** Hue per category, lightness varied a little by name so neighbours differ. */
const HUES: Record<FrameCategory, [hue: number, saturation: number]> = { meta: [0, 0], node: [205, 45], dependency: [140, 35], app: [30, 75] };

function fill(frame: FlameFrame, dark: boolean): string {
  const [hue, sat] = HUES[categoryOf(frame)];
  let hash = 0;
  for (let i = 0; i < frame.name.length; i++) hash = (hash * 31 + frame.name.charCodeAt(i)) | 0;
  const light = (dark ? 34 : 70) + (Math.abs(hash) % 12);
  return `hsl(${hue + (Math.abs(hash) % 10)} ${sat}% ${light}%)`;
}

/**
 * A comparison's colour: red where the share of self time grew, blue where it shrank, the deeper
 * the more (full at 5 points of the profile's time), grey where it stayed.
 */
function diffFill(delta: number, dark: boolean): string {
  const strength = Math.min(1, Math.abs(delta) / 0.05);
  if (strength < 0.01) return dark ? 'hsl(0 0% 38%)' : 'hsl(0 0% 84%)';
  const hue = delta > 0 ? 0 : 215;
  const light = dark ? 30 + 15 * strength : 88 - 30 * strength;
  return `hsl(${hue} ${35 + 55 * strength}% ${light}%)`;
}

export interface DrawOptions {
  slice: FlameSlice;
  view: Viewport;
  width: number;
  palette: Palette;
  dark: boolean;
  query: string;
  hover?: number;
}

/** Pixel x of a time, and the node at a point: the geometry drawing and hit-testing share. */
export function layout(view: Viewport, width: number) {
  const scale = width / Math.max(view.toMs - view.fromMs, 1e-9);
  return { scale, x: (ms: number) => (ms - view.fromMs) * scale };
}

export function depthOf(slice: FlameSlice): number {
  let max = 0;
  for (const n of slice.nodes) if (n.depth > max) max = n.depth;
  return max + 1;
}

/** Paints the slice; returns how many nodes were drawn (those at least half a pixel wide in view). */
export function draw(ctx: CanvasRenderingContext2D, o: DrawOptions): number {
  const { slice, view, width, palette, dark, query } = o;
  const { scale, x } = layout(view, width);
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, depthOf(slice) * ROW_HEIGHT);
  ctx.font = palette.font;
  ctx.textBaseline = 'middle';
  const searching = query !== '';
  const matches = slice.frames.map((f) => matchesQuery(f, query));
  let drawn = 0;
  for (const n of slice.nodes) {
    const w = n.totalMs * scale;
    const left = x(n.x);
    if (w < 0.5 || left + w < 0 || left > width) continue;
    const frame = slice.frames[n.frame]!;
    const y = n.depth * ROW_HEIGHT;
    ctx.globalAlpha = searching && !matches[n.frame] ? 0.35 : 1;
    ctx.fillStyle = n.delta !== undefined ? diffFill(n.delta, dark) : fill(frame, dark);
    ctx.fillRect(left, y, Math.max(w - 1, 0.5), ROW_HEIGHT - 1);
    ctx.globalAlpha = 1;
    if ((searching && matches[n.frame]) || n.id === o.hover) {
      ctx.strokeStyle = palette.focus;
      ctx.lineWidth = n.id === o.hover ? 2 : 1;
      ctx.strokeRect(left + 0.5, y + 0.5, Math.max(w - 2, 0.5), ROW_HEIGHT - 2);
    }
    if (w > 24) label(ctx, frame.name, left, y, w, palette.foreground, dark);
    drawn++;
  }
  return drawn;
}

function label(ctx: CanvasRenderingContext2D, text: string, left: number, y: number, w: number, fg: string, dark: boolean): void {
  const room = w - 6;
  let shown = text;
  if (ctx.measureText(shown).width > room) {
    // Binary search for the longest prefix that fits with an ellipsis.
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(`${text.slice(0, mid)}…`).width <= room) lo = mid;
      else hi = mid - 1;
    }
    if (lo === 0) return;
    shown = `${text.slice(0, lo)}…`;
  }
  ctx.fillStyle = dark ? fg : '#1e1e1e';
  ctx.fillText(shown, Math.max(left, 0) + 3, y + ROW_HEIGHT / 2, room);
}

/** The node drawn at a point of the canvas, if any. */
export function nodeAt(slice: FlameSlice, view: Viewport, width: number, px: number, py: number): FlameSliceNode | undefined {
  const { scale, x } = layout(view, width);
  const depth = Math.floor(py / ROW_HEIGHT);
  for (const n of slice.nodes) {
    if (n.depth !== depth) continue;
    const left = x(n.x);
    if (px >= left && px < left + n.totalMs * scale) return n;
  }
  return undefined;
}
