// Projections: PCA (covariance accumulated here, eigenvectors by ml-pca) equals ml-pca's own SVD
// PCA of the standardised data up to sign; UMAP is seeded (same input, same layout) and cancellable.
import { PCA } from 'ml-pca';
import { describe, expect, it } from 'vitest';
import { standardiseColumns } from './organisation';
import { DEFAULT_UMAP, pcaProjection, umapProjection } from './projection';

/** n × d values with structure in the first 3 columns (5 groups) over uniform noise. */
function data(n: number, d: number): Float32Array {
  const v = new Float32Array(n * d);
  let s = 1;
  for (let i = 0; i < v.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v[i] = s / 2147483648 + (i % d < 3 ? Math.floor(i / d) % 5 : 0);
  }
  return v;
}

describe('pcaProjection', () => {
  it("matches ml-pca's SVD of the standardised data up to each component's sign", () => {
    const n = 120;
    const d = 24;
    const v = data(n, d);
    const z = standardiseColumns(v, n, d);
    const rows = Array.from({ length: n }, (_, i) => Array.from(z.subarray(i * d, (i + 1) * d)));
    const ref = new PCA(rows).predict(rows, { nComponents: 2 });
    const p = pcaProjection(v, n, d);
    for (const [c, got] of [p.x, p.y].entries()) {
      const sign = Math.sign(ref.get(0, c)) * Math.sign(got[0]!);
      for (let i = 0; i < n; i++) expect(got[i]! * sign).toBeCloseTo(ref.get(i, c), 9);
    }
    // The first component carries the 5-group structure: it spreads the wells.
    expect(Math.max(...p.x) - Math.min(...p.x)).toBeGreaterThan(2);
  });
});

describe('umapProjection', () => {
  it('gives the same layout for the same input and seed, and a different one for another seed', async () => {
    const v = data(40, 8);
    const params = { ...DEFAULT_UMAP, nEpochs: 50 };
    const a = await umapProjection(v, 40, 8, params);
    const b = await umapProjection(v, 40, 8, params);
    const c = await umapProjection(v, 40, 8, { ...params, seed: 7 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
  });

  it('stops with CANCELLED when its signal fires, and refuses fewer than 3 wells', async () => {
    const ac = new AbortController();
    const v = data(40, 8);
    const run = umapProjection(
      v,
      40,
      8,
      { ...DEFAULT_UMAP, nEpochs: 400 },
      {
        signal: ac.signal,
        onProgress: (done) => {
          if (done >= 20) ac.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(umapProjection(v.subarray(0, 16), 2, 8)).rejects.toThrow(/at least 3 wells/);
  });
});
