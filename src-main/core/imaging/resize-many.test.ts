// resizeMany (stacked, batched) against resizing each site alone: same pixels up to rounding,
// for upscales, mild and strong downscales (libvips pre-shrink), and several chunks.
import { describe, expect, it } from 'vitest';
import { fixturePlane } from '../../../test-support/imaging/fixtures';
import { resizeSite, type RawSite } from './load-site';
import { resizeMany, stackGap } from './resize-many';

function site(size: number, seed: number): RawSite {
  const data = new Uint8Array(size * size * 6);
  for (let c = 0; c < 6; c++) {
    const p = fixturePlane(size, seed * 10 + c + 1);
    for (let i = 0; i < size * size; i++) data[i * 6 + c] = p[i]!;
  }
  return { width: size, height: size, data };
}

describe('resizeMany', () => {
  for (const [src, dst] of [
    [128, 96],
    [64, 96],
    [512, 96],
    [100, 37],
  ] as const) {
    it(`${src} → ${dst}: matches per-site resizing`, async () => {
      const sites = [1, 2, 3].map((k) => site(src, k));
      const many = await resizeMany(sites, dst, src * (src + stackGap(src, dst)) * 3 * 2); // 2 per chunk
      expect(many.length).toBe(3 * dst * dst * 6);
      for (let k = 0; k < 3; k++) {
        const one = (await resizeSite(sites[k]!, dst, dst)).data;
        let max = 0;
        let sum = 0;
        for (let i = 0; i < one.length; i++) {
          const d = Math.abs(one[i]! - many[k * one.length + i]!);
          max = Math.max(max, d);
          sum += d;
        }
        expect(sum / one.length).toBeLessThan(0.05);
        expect(max).toBeLessThanOrEqual(2);
      }
    });
  }

  it('picks gaps that keep sites on whole output rows', () => {
    for (const [src, dst] of [
      [128, 96],
      [512, 96],
      [100, 37],
      [64, 96],
    ] as const) {
      const gap = stackGap(src, dst);
      expect(((src + gap) * dst) % src).toBe(0);
      expect(gap % 2).toBe(0);
      expect(gap).toBeGreaterThanOrEqual((6 * src) / dst);
    }
  });
});
