// Canvas 2D drawing of the scatter: points batched by colour (one path and one fill per group, not
// one per point), points outside the canvas skipped, devicePixelRatio-sharp; plus the overlay
// (hovered point, box or lasso being drawn) on its own canvas so hovering never redraws 20,000 points.
import { toScreen, type View } from './view';

const TAU = Math.PI * 2;

/** Point indices per group: bucket g lists, ascending, the points whose group is g. */
export function bucketByGroup(groups: ArrayLike<number>, groupCount: number): Uint32Array[] {
  const counts = new Uint32Array(groupCount);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (g >= 0 && g < groupCount) counts[g]!++;
  }
  const out = Array.from(counts, (c) => new Uint32Array(c));
  const fill = new Uint32Array(groupCount);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (g >= 0 && g < groupCount) out[g]![fill[g]!++] = i;
  }
  return out;
}

export interface ScatterFrame {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** Group of each point (index into `colors`). */
  groups: ArrayLike<number>;
  /** bucketByGroup's result: the points of each group. */
  buckets: ReadonlyArray<ArrayLike<number>>;
  /** CSS colour of each group. */
  colors: readonly string[];
  /** Groups not drawn (legend entries switched off). */
  hidden?: ReadonlySet<number>;
  /** Selected points: drawn on top with an outline while the rest fade. Empty or null: none. */
  selected?: ArrayLike<number> | null;
  view: View;
  /** Canvas size in CSS px and the device pixel ratio of its backing store. */
  width: number;
  height: number;
  dpr: number;
  /** Point radius, CSS px. */
  radius: number;
}

/** Adds one circle per point of `idx` to the current path, skipping those off the canvas. */
function addCircles(
  ctx: CanvasRenderingContext2D,
  f: ScatterFrame,
  idx: ArrayLike<number>,
): number {
  const { xs, ys, view, radius: r, width, height } = f;
  const { k, tx, ty } = view;
  let n = 0;
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j]!;
    const sx = xs[i]! * k + tx;
    const sy = -ys[i]! * k + ty;
    if (!(sx > -r && sx < width + r && sy > -r && sy < height + r)) continue;
    ctx.moveTo(sx + r, sy);
    ctx.arc(sx, sy, r, 0, TAU);
    n++;
  }
  return n;
}

/**
 * Draws one frame of points into `ctx` (whose canvas is width·dpr × height·dpr device px): clears,
 * then one path per shown group in group order (later groups on top), then the selection on top.
 * Returns how many points were drawn (on the canvas and in a shown group).
 */
export function drawScatter(ctx: CanvasRenderingContext2D, f: ScatterFrame): number {
  ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
  ctx.clearRect(0, 0, f.width, f.height);
  const anySelected = !!f.selected && f.selected.length > 0;
  ctx.globalAlpha = anySelected ? 0.3 : 0.85;
  let drawn = 0;
  for (let g = 0; g < f.buckets.length; g++) {
    if (f.hidden?.has(g)) continue;
    ctx.fillStyle = f.colors[g] ?? '#888';
    ctx.beginPath();
    drawn += addCircles(ctx, f, f.buckets[g]!);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  if (anySelected) {
    // The selection, still in its group colours (one path per group), with a dark outline.
    const byGroup = new Map<number, number[]>();
    for (let j = 0; j < f.selected!.length; j++) {
      const i = f.selected![j]!;
      const g = f.groups[i];
      if (g === undefined || f.hidden?.has(g)) continue;
      const list = byGroup.get(g) ?? [];
      list.push(i);
      byGroup.set(g, list);
    }
    ctx.strokeStyle = 'rgba(20, 22, 26, 0.9)';
    ctx.lineWidth = 1;
    for (const [g, idx] of byGroup) {
      ctx.fillStyle = f.colors[g] ?? '#888';
      ctx.beginPath();
      addCircles(ctx, f, idx);
      ctx.fill();
      ctx.stroke();
    }
  }
  return drawn;
}

export interface OverlayFrame {
  view: View;
  width: number;
  height: number;
  dpr: number;
  radius: number;
  /** The hovered point's data coordinates and colour, or null. */
  hover: { x: number; y: number; color: string } | null;
  /** The selection being drawn, in CSS px: a box (two corners) or a lasso (its path). */
  box: [number, number, number, number] | null;
  lasso: ReadonlyArray<readonly [number, number]> | null;
}

/** Draws the overlay canvas: a ring round the hovered point, the box or lasso being drawn. */
export function drawOverlay(ctx: CanvasRenderingContext2D, o: OverlayFrame): void {
  ctx.setTransform(o.dpr, 0, 0, o.dpr, 0, 0);
  ctx.clearRect(0, 0, o.width, o.height);
  if (o.hover) {
    const [sx, sy] = toScreen(o.view, o.hover.x, o.hover.y);
    ctx.beginPath();
    ctx.arc(sx, sy, o.radius + 2, 0, TAU);
    ctx.fillStyle = o.hover.color;
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#111';
    ctx.stroke();
  }
  ctx.lineWidth = 1;
  ctx.strokeStyle = 'rgba(59, 91, 219, 0.9)';
  ctx.fillStyle = 'rgba(59, 91, 219, 0.08)';
  if (o.box) {
    const [x0, y0, x1, y1] = o.box;
    ctx.setLineDash([4, 3]);
    ctx.fillRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
    ctx.strokeRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
    ctx.setLineDash([]);
  }
  if (o.lasso && o.lasso.length > 1) {
    ctx.beginPath();
    ctx.moveTo(o.lasso[0]![0], o.lasso[0]![1]);
    for (const [x, y] of o.lasso.slice(1)) ctx.lineTo(x, y);
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
  }
}
