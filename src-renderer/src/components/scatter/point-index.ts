// Spatial queries on the scatter's points in data coordinates (a kdbush k-d tree): the nearest point
// to the cursor within a few pixels (hover, click), the points in a box and the points in a lasso.
import KDBush from 'kdbush';
import inside from 'point-in-polygon';

export class PointIndex {
  private readonly tree: KDBush;
  /** Index in the caller's arrays of each tree item (points with a non-finite coordinate are left out). */
  private readonly ids: Uint32Array;

  /** `xs`, `ys`: the points' data coordinates (same length). */
  constructor(
    readonly xs: ArrayLike<number>,
    readonly ys: ArrayLike<number>,
  ) {
    const keep: number[] = [];
    for (let i = 0; i < xs.length; i++)
      if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) keep.push(i);
    this.ids = Uint32Array.from(keep);
    // kdbush needs at least one item; an empty plot gets a tree with one point nobody can hit.
    this.tree = new KDBush(Math.max(1, keep.length));
    if (keep.length === 0) this.tree.add(Infinity, Infinity);
    for (const i of keep) this.tree.add(xs[i]!, ys[i]!);
    this.tree.finish();
  }

  /**
   * The point nearest to (x, y) within `r` data units for which `accept(i)` holds (e.g. its group
   * is shown), or null. Ties go to the later point (the one drawn on top).
   */
  nearest(
    x: number,
    y: number,
    r: number,
    accept: (i: number) => boolean = () => true,
  ): number | null {
    let best: number | null = null;
    let bestD = Infinity;
    for (const item of this.tree.within(x, y, r)) {
      const i = this.ids[item];
      if (i === undefined || !accept(i)) continue;
      const d = (this.xs[i]! - x) ** 2 + (this.ys[i]! - y) ** 2;
      if (d < bestD || (d === bestD && best !== null && i > best)) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  /** Points inside the box spanned by two corners (any order), ascending, filtered by `accept`. */
  inBox(
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    accept: (i: number) => boolean = () => true,
  ): number[] {
    const out: number[] = [];
    const found = this.tree.range(
      Math.min(x0, x1),
      Math.min(y0, y1),
      Math.max(x0, x1),
      Math.max(y0, y1),
    );
    for (const item of found) {
      const i = this.ids[item];
      if (i !== undefined && accept(i)) out.push(i);
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * Points inside the polygon `poly` ([[x, y], …] in data units, implicitly closed; fewer than 3
   * vertices select nothing), ascending, filtered by `accept`. Even-odd rule (point-in-polygon).
   */
  inPolygon(
    poly: ReadonlyArray<readonly [number, number]>,
    accept: (i: number) => boolean = () => true,
  ): number[] {
    if (poly.length < 3) return [];
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const [x, y] of poly) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    return this.inBox(minX, minY, maxX, maxY, accept).filter((i) =>
      inside([this.xs[i]!, this.ys[i]!], poly),
    );
  }
}
