// The heat overlay's geometry and scale: the crop lands at its corner in the resized site and the
// rest stays transparent, stronger attribution is more opaque, and the summed map adds |values| of
// exactly the chosen channels; the PNG written through sharp reads back the same.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { overlayRgba, quantile, summedMagnitude, writeOverlayPng } from './saliency-overlay';

const meta = { height: 2, width: 2, channels: 3, geometry: { imageSize: 4, x0: 1, y0: 2 } };

describe('saliency overlays', () => {
  it('sums |attribution| over the chosen channels only', () => {
    // Pixel p, channel c (channel last): value (p + 1) · (−1)^c · 10^c.
    const values = Float32Array.from({ length: 12 }, (_, i) => {
      const p = Math.floor(i / 3);
      const c = i % 3;
      return (p + 1) * (c % 2 ? -1 : 1) * 10 ** c;
    });
    expect(Array.from(summedMagnitude(values, meta, [1]))).toEqual([1, 2, 3, 4]);
    expect(Array.from(summedMagnitude(values, meta, [2, 3]))).toEqual([110, 220, 330, 440]);
  });

  it('places the crop at its corner, transparent elsewhere, alpha rising with magnitude', async () => {
    const rgba = overlayRgba(Float32Array.from([0, 1, 2, 4]), meta, 2);
    const alpha = (x: number, y: number) => rgba[(y * 4 + x) * 4 + 3];
    // Outside the crop (rows 0–1, column 0 and 3): nothing.
    for (const [x, y] of [
      [0, 0],
      [3, 3],
      [0, 2],
      [2, 1],
    ] as const)
      expect(alpha(x, y)).toBe(0);
    expect(alpha(1, 2)).toBe(0);
    expect(alpha(2, 2)).toBe(128);
    expect(alpha(1, 3)).toBe(255);
    expect(alpha(2, 3)).toBe(255); // clipped at the scale
    expect(overlayRgba(Float32Array.from([1, 1, 1, 1]), meta, 0).every((v) => v === 0)).toBe(true);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-overlay-')), 'o.png');
    await writeOverlayPng(file, rgba, 4);
    const back = await sharp(file).raw().toBuffer();
    expect(Buffer.compare(back, Buffer.from(rgba))).toBe(0);
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('takes the quantile over the non-zero values', () => {
    expect(quantile(Float32Array.from([0, 0, 3, 1, 2]), 0.5)).toBe(2);
    expect(quantile(Float32Array.from([0, 0]), 0.99)).toBe(0);
  });
});
