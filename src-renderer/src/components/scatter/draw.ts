// Canvas drawing of the scatter: points stamped colour by colour into one reused pixel buffer
// (antialiased discs, off-canvas points skipped, devicePixelRatio-sharp) and put in one call; plus the
// overlay (hovered point, box or lasso being drawn) on its own canvas, so hovering never redraws them.
import type { Rgb } from '../../../../src-shared/colormaps';
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
  /** Colour of each group. */
  colors: readonly Rgb[];
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

/**
 * A disc as pixel offsets from its centre: per row a run of fully covered pixels (`dy`, `x0`…`x1`
 * inclusive; x0 > x1 when the row has none), plus the partly covered edge pixels with their coverage.
 */
interface Stamp {
  rows: Int16Array;
  edgeX: Int16Array;
  edgeY: Int16Array;
  edgeCov: Float32Array;
}

const stamps = new Map<number, Stamp>();

/**
 * The disc of radius `r` device px: every pixel it touches with its covered fraction, from 4×4
 * samples per pixel (so edges are antialiased like a canvas arc), split into solid row runs and
 * edge pixels. Cached per radius (to 1/8 px).
 */
export function discStamp(r: number): Stamp {
  const key = Math.round(r * 8) / 8;
  const hit = stamps.get(key);
  if (hit) return hit;
  const R = Math.ceil(key + 0.5);
  const rows: number[] = [];
  const edgeX: number[] = [];
  const edgeY: number[] = [];
  const edgeCov: number[] = [];
  for (let y = -R; y <= R; y++) {
    let x0 = 1;
    let x1 = 0;
    for (let x = -R; x <= R; x++) {
      let n = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const px = x - 0.5 + (sx + 0.5) / 4;
          const py = y - 0.5 + (sy + 0.5) / 4;
          if (px * px + py * py <= key * key) n++;
        }
      if (n === 16) {
        if (x0 > x1) x0 = x;
        x1 = x;
      } else if (n > 0) {
        edgeX.push(x);
        edgeY.push(y);
        edgeCov.push(n / 16);
      }
    }
    rows.push(y, x0, x1);
  }
  const st: Stamp = {
    rows: Int16Array.from(rows),
    edgeX: Int16Array.from(edgeX),
    edgeY: Int16Array.from(edgeY),
    edgeCov: Float32Array.from(edgeCov),
  };
  stamps.set(key, st);
  return st;
}

/** Covered area of a stamp in px² (solid pixels + edge coverage): ≈ π r² for radius r. */
export function stampArea(st: Stamp): number {
  let a = 0;
  for (let j = 0; j < st.rows.length; j += 3)
    a += Math.max(0, st.rows[j + 2]! - st.rows[j + 1]! + 1);
  for (const c of st.edgeCov) a += c;
  return a;
}

/** The reused pixel buffer of a canvas (a new one when its size changed). */
const buffers = new WeakMap<object, ImageData>();
function bufferOf(ctx: CanvasRenderingContext2D): ImageData {
  const { width, height } = ctx.canvas;
  let img = buffers.get(ctx.canvas);
  if (!img || img.width !== width || img.height !== height) {
    img = ctx.createImageData(width, height);
    buffers.set(ctx.canvas, img);
  }
  return img;
}

/** Colour `c` mixed with white by `t` (0: c, 1: white): a faded point that stays opaque. */
function fade(c: Rgb, t: number): Rgb {
  return [0, 1, 2].map((k) => Math.round(c[k]! + (255 - c[k]!) * t)) as Rgb;
}

/**
 * Stamps the points `idx` in colour `c` into the RGBA buffer (non-premultiplied, as ImageData):
 * covered pixels take the colour, edge pixels are composited over what is there ("source over").
 * Points whose disc lies off the buffer are skipped. Returns how many were stamped.
 */
function stampPoints(
  img: ImageData,
  f: ScatterFrame,
  idx: ArrayLike<number>,
  c: Rgb,
  st: Stamp,
): number {
  const { xs, ys, view, dpr } = f;
  const W = img.width;
  const H = img.height;
  const data = img.data;
  const u32 = new Uint32Array(data.buffer, data.byteOffset, W * H);
  // ImageData is RGBA in memory: as a little-endian uint32 that is 0xAABBGGRR.
  const rgb = (c[2] << 16) | (c[1] << 8) | c[0];
  const solid = ((255 << 24) | rgb) >>> 0;
  const k = view.k * dpr;
  const tx = view.tx * dpr;
  const ty = view.ty * dpr;
  const R = Math.ceil(f.radius * dpr) + 2;
  const { rows, edgeX, edgeY, edgeCov } = st;
  let n = 0;
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j]!;
    const cx = Math.round(xs[i]! * k + tx);
    const cy = Math.round(-ys[i]! * k + ty);
    if (!(cx > -R && cx < W + R && cy > -R && cy < H + R)) continue;
    n++;
    const inside = cx >= R && cx < W - R && cy >= R && cy < H - R;
    for (let r = 0; r < rows.length; r += 3) {
      const y = cy + rows[r]!;
      let a = cx + rows[r + 1]!;
      let b = cx + rows[r + 2]!;
      if (!inside) {
        if (y < 0 || y >= H) continue;
        a = Math.max(a, 0);
        b = Math.min(b, W - 1);
      }
      const base = y * W;
      for (let x = a; x <= b; x++) u32[base + x] = solid;
    }
    for (let o = 0; o < edgeCov.length; o++) {
      const x = cx + edgeX[o]!;
      const y = cy + edgeY[o]!;
      if (!inside && (x < 0 || x >= W || y < 0 || y >= H)) continue;
      const p = y * W + x;
      const s = edgeCov[o]!;
      const q = p * 4;
      if (data[q + 3] === 0) {
        // Over an empty pixel "source over" is the colour at the coverage's alpha: one write.
        u32[p] = (((s * 255 + 0.5) << 24) | rgb) >>> 0;
        continue;
      }
      const da = data[q + 3]! / 255;
      const oa = s + da * (1 - s);
      const wd = (da * (1 - s)) / oa;
      const ws = s / oa;
      data[q] = c[0] * ws + data[q]! * wd;
      data[q + 1] = c[1] * ws + data[q + 1]! * wd;
      data[q + 2] = c[2] * ws + data[q + 2]! * wd;
      data[q + 3] = oa * 255;
    }
  }
  return n;
}

/** Outline colour of selected points. */
const OUTLINE: Rgb = [20, 22, 26];

/**
 * Draws one frame of points into `ctx` (whose canvas is width·dpr × height·dpr device px): one
 * antialiased disc stamp per point written into a reused pixel buffer, group by group in group
 * order (later groups on top), then the selection on top with a dark outline, then one
 * putImageData. On a CPU-rasterised canvas this is several times faster than 20,000 canvas arcs
 * (see `npm run bench -- ui`). Returns how many points were drawn (on the canvas, in a shown group).
 */
export function drawScatter(ctx: CanvasRenderingContext2D, f: ScatterFrame): number {
  const img = bufferOf(ctx);
  new Uint32Array(img.data.buffer, img.data.byteOffset, img.width * img.height).fill(0);
  const anySelected = !!f.selected && f.selected.length > 0;
  const st = discStamp(f.radius * f.dpr);
  let drawn = 0;
  for (let g = 0; g < f.buckets.length; g++) {
    if (f.hidden?.has(g)) continue;
    const c = f.colors[g] ?? NEUTRAL;
    drawn += stampPoints(img, f, f.buckets[g]!, anySelected ? fade(c, 0.7) : c, st);
  }
  if (anySelected) {
    const ring = discStamp((f.radius + 1) * f.dpr);
    const byGroup = new Map<number, number[]>();
    for (let j = 0; j < f.selected!.length; j++) {
      const i = f.selected![j]!;
      const g = f.groups[i];
      if (g === undefined || f.hidden?.has(g)) continue;
      const list = byGroup.get(g) ?? [];
      list.push(i);
      byGroup.set(g, list);
    }
    stampPoints(img, f, [...byGroup.values()].flat(), OUTLINE, ring);
    for (const [g, idx] of byGroup) stampPoints(img, f, idx, f.colors[g] ?? NEUTRAL, st);
  }
  ctx.putImageData(img, 0, 0);
  return drawn;
}

/** Colour of a point whose group has no colour. */
const NEUTRAL: Rgb = [136, 136, 136];

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
