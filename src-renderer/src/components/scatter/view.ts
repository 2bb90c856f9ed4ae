// The scatter plot's view transform, pure: data coordinates ↔ CSS pixels of the canvas (y up on
// screen), fitting the data's bounds, panning by a pixel delta and zooming around the cursor.

/** screen x = x·k + tx, screen y = −y·k + ty (CSS px); k = CSS px per data unit. */
export interface View {
  k: number;
  tx: number;
  ty: number;
}

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Bounds of the finite points (NaN/±∞ skipped); a unit box around 0 when there are none. */
export function boundsOf(xs: ArrayLike<number>, ys: ArrayLike<number>): Bounds {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (minX > maxX) return { minX: -1, minY: -1, maxX: 1, maxY: 1 };
  return { minX, minY, maxX, maxY };
}

/**
 * The view that shows `b` centred in a `width`×`height` CSS-px canvas with `pad` px free on each
 * side, same scale on both axes (distances in the picture mean the same in x and y). A zero-size
 * extent (one point, or all points equal) gets a unit extent.
 */
export function fitView(b: Bounds, width: number, height: number, pad = 16): View {
  const spanX = b.maxX > b.minX ? b.maxX - b.minX : 1;
  const spanY = b.maxY > b.minY ? b.maxY - b.minY : 1;
  const k = Math.max(1e-9, Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY));
  const cx = (b.minX + b.maxX) / 2;
  const cy = (b.minY + b.maxY) / 2;
  return { k, tx: width / 2 - cx * k, ty: height / 2 + cy * k };
}

/** Data point → CSS px. */
export function toScreen(v: View, x: number, y: number): [number, number] {
  return [x * v.k + v.tx, -y * v.k + v.ty];
}

/** CSS px → data point (the inverse of toScreen). */
export function toData(v: View, sx: number, sy: number): [number, number] {
  return [(sx - v.tx) / v.k, -(sy - v.ty) / v.k];
}

/** The view moved by a drag of (dx, dy) CSS px: the data under the pointer follows it. */
export function panBy(v: View, dx: number, dy: number): View {
  return { k: v.k, tx: v.tx + dx, ty: v.ty + dy };
}

/**
 * The view zoomed by `factor` (>1 in) around the CSS-px point (sx, sy): the data point under the
 * cursor stays under it. The scale is clamped to [minK, maxK].
 */
export function zoomAt(
  v: View,
  sx: number,
  sy: number,
  factor: number,
  minK = 0,
  maxK = Infinity,
): View {
  const k = Math.min(maxK, Math.max(minK, v.k * factor));
  const f = k / v.k;
  return { k, tx: sx - (sx - v.tx) * f, ty: sy - (sy - v.ty) * f };
}

/** Wheel delta (px, as WheelEvent.deltaY in pixel mode) → zoom factor: 100 px of wheel ≈ ×1.2. */
export function wheelFactor(deltaY: number): number {
  return Math.exp((-deltaY / 100) * Math.log(1.2));
}
