// The scale bar follows the site's real image width: a 128-px demo site drawn 512 px wide is
// 4 screen px per image px (not 1, as a fixed 512-px assumption gives).
import { describe, expect, it } from 'vitest';
import { scaleBar, screenPerImagePx } from './scale-bar';

describe('scale bar', () => {
  it('uses the image width, so a 128-px site at 512 screen px shows 4 px per image px', () => {
    expect(screenPerImagePx(512, 128)).toBe(4);
    expect(screenPerImagePx(512, 512, 2)).toBe(2);
    const bar = scaleBar(screenPerImagePx(420, 128));
    // The bar's screen width is its image length times the true magnification.
    expect(bar.screenPx).toBeCloseTo((bar.imagePx * 420) / 128, 9);
    expect(bar.screenPx).toBeLessThanOrEqual(120);
    expect(() => screenPerImagePx(420, 0)).toThrow(RangeError);
  });
});
