// D4 maps are the 8 distinct symmetries of the square, and crops are standardised per channel.
import { describe, expect, it } from 'vitest';
import { d4Source, writeCrop } from './augment';

describe('d4Source', () => {
  it('gives 8 distinct permutations of the pixels, identity first', () => {
    const s = 4;
    const perms = new Set<string>();
    for (let k = 0; k < 8; k++) {
      const img: string[] = [];
      for (let y = 0; y < s; y++)
        for (let x = 0; x < s; x++) img.push(d4Source(k, y, x, s).join(','));
      expect(new Set(img).size).toBe(s * s);
      perms.add(img.join(';'));
    }
    expect(perms.size).toBe(8);
    expect(d4Source(0, 1, 2, 4)).toEqual([1, 2]);
  });
});

describe('writeCrop', () => {
  it('crops at the offset and standardises each channel', () => {
    const size = 6;
    const src = new Uint8Array(size * size * 6);
    for (let i = 0; i < size * size; i++)
      for (let c = 0; c < 6; c++) src[i * 6 + c] = (i * (c + 1)) % 251;
    const out = new Float32Array(4 * 4 * 6);
    writeCrop(src, size, { top: 1, left: 2, size: 4, d4: 0, gain: null }, out, 0);
    for (let c = 0; c < 6; c++) {
      let m = 0;
      for (let i = 0; i < 16; i++) m += out[i * 6 + c]!;
      expect(Math.abs(m / 16)).toBeLessThan(1e-4);
    }
    // Top-left of the crop is source (1, 2): larger than source (1, 3) in channel 0 ordering?
    expect(out[0]! < out[6]!).toBe(src[(1 * size + 2) * 6]! < src[(1 * size + 3) * 6]!);
  });
});
