// The scatter's pure parts: the view transform (fit, pan, zoom around the cursor, inverse), the
// spatial queries (nearest within a radius, box, lasso) against brute force, and colour buckets.
import { describe, expect, it } from 'vitest';
import { bucketByGroup, discStamp, stampArea } from './draw';
import { PointIndex } from './point-index';
import { boundsOf, fitView, panBy, toData, toScreen, wheelFactor, zoomAt } from './view';

/** A deterministic pseudo-random sequence (LCG), so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('scatter view', () => {
  it('fits the bounds inside the canvas with the padding, same scale on both axes', () => {
    const v = fitView({ minX: -2, minY: 10, maxX: 6, maxY: 12 }, 400, 200, 10);
    // x spans 8 units over 380 px, y 2 units over 180 px: x is the tighter one.
    expect(v.k).toBeCloseTo(380 / 8);
    expect(toScreen(v, -2, 11)).toEqual([10, 100]);
    expect(toScreen(v, 6, 11)[0]).toBeCloseTo(390);
    // y goes up on the screen.
    expect(toScreen(v, 0, 12)[1]).toBeLessThan(toScreen(v, 0, 10)[1]);
  });

  it('round-trips data ↔ screen, pans by pixels and zooms around the cursor', () => {
    const v = fitView(boundsOf([0, 1, 5], [3, -1, 2]), 300, 300);
    const [x, y] = toData(v, 123, 45);
    const [sx, sy] = toScreen(v, x, y);
    expect(sx).toBeCloseTo(123);
    expect(sy).toBeCloseTo(45);
    const p = panBy(v, 10, -5);
    expect(toScreen(p, x, y)[0]).toBeCloseTo(133);
    expect(toScreen(p, x, y)[1]).toBeCloseTo(40);
    const z = zoomAt(v, 123, 45, 2.5);
    expect(z.k).toBeCloseTo(v.k * 2.5);
    expect(toScreen(z, x, y)[0]).toBeCloseTo(123);
    expect(toScreen(z, x, y)[1]).toBeCloseTo(45);
    expect(zoomAt(v, 0, 0, 100, 0, v.k * 3).k).toBeCloseTo(v.k * 3);
    expect(wheelFactor(-100)).toBeCloseTo(1.2);
    expect(wheelFactor(100) * wheelFactor(-100)).toBeCloseTo(1);
  });

  it('skips non-finite points and survives degenerate data', () => {
    expect(boundsOf([NaN, 1, Infinity], [0, 2, 0])).toEqual({ minX: 1, minY: 2, maxX: 1, maxY: 2 });
    const v = fitView(boundsOf([1], [2]), 100, 100);
    expect(toScreen(v, 1, 2)).toEqual([50, 50]);
    expect(Number.isFinite(fitView(boundsOf([], []), 100, 100).k)).toBe(true);
  });
});

describe('scatter point index', () => {
  const rand = lcg(7);
  const n = 3000;
  const xs = Float64Array.from({ length: n }, () => rand() * 100);
  const ys = Float64Array.from({ length: n }, () => rand() * 50 - 25);
  const index = new PointIndex(xs, ys);
  const even = (i: number) => i % 2 === 0;

  it('finds the nearest accepted point within the radius, as brute force does', () => {
    for (let t = 0; t < 200; t++) {
      const qx = rand() * 100;
      const qy = rand() * 50 - 25;
      const r = 1.5;
      let best: number | null = null;
      let bestD = Infinity;
      for (let i = 0; i < n; i++) {
        const d = Math.hypot(xs[i]! - qx, ys[i]! - qy);
        if (d <= r && even(i) && d < bestD) {
          bestD = d;
          best = i;
        }
      }
      expect(index.nearest(qx, qy, r, even)).toBe(best);
    }
    expect(index.nearest(-50, -50, 1)).toBeNull();
  });

  it('selects a box (corners in any order) and a lasso like brute force', () => {
    const box = index.inBox(60, 10, 20, -5);
    const want = [...xs.keys()].filter(
      (i) => xs[i]! >= 20 && xs[i]! <= 60 && ys[i]! >= -5 && ys[i]! <= 10,
    );
    expect(box).toEqual(want);
    expect(box.length).toBeGreaterThan(100);
    // A triangle: left of the line x + 2y = 60 within the box x ≥ 10, y ≥ 0.
    const tri: [number, number][] = [
      [10, 0],
      [60, 0],
      [10, 25],
    ];
    const got = index.inPolygon(tri, even);
    const inTri = [...xs.keys()].filter(
      (i) => even(i) && xs[i]! > 10 && ys[i]! > 0 && xs[i]! + 2 * ys[i]! < 60,
    );
    expect(got).toEqual(inTri);
    expect(index.inPolygon(tri.slice(0, 2))).toEqual([]);
  });

  it('leaves out points with a non-finite coordinate and handles an empty plot', () => {
    const idx = new PointIndex([0, NaN, 1], [0, 0, 1]);
    expect(idx.inBox(-10, -10, 10, 10)).toEqual([0, 2]);
    expect(new PointIndex([], []).nearest(0, 0, 5)).toBeNull();
  });
});

describe('colour buckets', () => {
  it('lists each group’s points in order and ignores out-of-range groups', () => {
    const b = bucketByGroup([2, 0, 2, 1, 7, 0], 3);
    expect(b.map((x) => [...x])).toEqual([[1, 5], [3], [0, 2]]);
  });
});

describe('disc stamps', () => {
  it('cover π r² (antialiased edge included) and are symmetric', () => {
    for (const r of [1.5, 3, 6, 7.25]) {
      const st = discStamp(r);
      expect(Math.abs(stampArea(st) / (Math.PI * r * r) - 1)).toBeLessThan(0.03);
      // Row runs mirror each other around the centre; every coverage is in (0, 1).
      const rows = [...st.rows];
      for (let j = 0; j < rows.length; j += 3) {
        const mirror = rows.length - 3 - j;
        expect(rows[j]! + rows[mirror]!).toBe(0);
        if (rows[j + 1]! <= rows[j + 2]!) expect(rows[j + 1]! + rows[j + 2]!).toBe(0);
      }
      expect(st.edgeCov.every((c) => c > 0 && c < 1)).toBe(true);
    }
    expect(discStamp(3)).toBe(discStamp(3.01));
  });
});
