// D4: each transform is a true symmetry (inverse undoes it), all 8 differ on an asymmetric image,
// and the set is closed under composition.
import { describe, expect, it } from 'vitest';
import { applyD4, d4Compose, d4Inverse, d4Map, d4Steps, D4_COUNT } from './d4';

const S = 5;
const C = 6;
/** Every pixel and channel distinct: no non-trivial symmetry maps it onto itself. */
const asymmetric = Float32Array.from({ length: S * S * C }, (_, i) => i * 1.5 + 0.25);

describe('D4 transforms', () => {
  it('apply then inverse is the identity, for every transform', () => {
    for (let t = 0; t < D4_COUNT; t++) {
      const back = applyD4(applyD4(asymmetric, S, C, t), S, C, d4Inverse(t));
      expect(Array.from(back)).toEqual(Array.from(asymmetric));
    }
  });

  it('the 8 transforms give 8 different images, each a permutation of pixels', () => {
    const outs = new Set<string>();
    for (let t = 0; t < D4_COUNT; t++) {
      const out = applyD4(asymmetric, S, C, t);
      expect(Array.from(out).sort((a, b) => a - b)).toEqual(Array.from(asymmetric));
      outs.add(Array.from(out).join(','));
    }
    expect(outs.size).toBe(8);
    expect(Array.from(applyD4(asymmetric, S, C, 0))).toEqual(Array.from(asymmetric));
  });

  it('is closed under composition, and composing matches applying one after the other', () => {
    for (let a = 0; a < D4_COUNT; a++) {
      for (let b = 0; b < D4_COUNT; b++) {
        const ab = d4Compose(a, b);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThan(8);
        const seq = applyD4(applyD4(asymmetric, S, C, a), S, C, b);
        expect(Array.from(applyD4(asymmetric, S, C, ab))).toEqual(Array.from(seq));
      }
    }
  });

  it('keeps channels together and rotates by quarter turns (t=1: 90°, t=4: mirror)', () => {
    const img = Uint8Array.from({ length: 2 * 2 * 2 }, (_, i) => i);
    // pixels (y,x): (0,0)=[0,1] (0,1)=[2,3] (1,0)=[4,5] (1,1)=[6,7]
    expect(Array.from(applyD4(img, 2, 2, 4))).toEqual([2, 3, 0, 1, 6, 7, 4, 5]);
    const r = applyD4(img, 2, 2, 1);
    expect(Array.from(applyD4(applyD4(applyD4(r, 2, 2, 1), 2, 2, 1), 2, 2, 1))).toEqual(
      Array.from(img),
    );
    expect(Array.from(r)).not.toEqual(Array.from(img));
    expect(Array.from(r.slice(0, 2))).toEqual([2, 3]);
  });

  it('d4Steps is the linear form of d4Map', () => {
    for (let t = 0; t < D4_COUNT; t++) {
      const { base, perY, perX } = d4Steps(t, 7);
      for (let y = 0; y < 7; y++)
        for (let x = 0; x < 7; x++) {
          const [my, mx] = d4Map(t, y, x, 7);
          expect(base + y * perY + x * perX).toBe(my * 7 + mx);
        }
    }
  });
});
