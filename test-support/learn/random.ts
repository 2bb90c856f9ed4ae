// Deterministic test data from a 32-bit LCG: kernel and model tests see the same numbers on every
// run and backend, without touching tfjs' global random state.

/** n values spread uniformly over [lo, hi) (default [-1, 1)), fixed by `seed`. */
export function lcgValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = lo + (s / 2 ** 32) * (hi - lo);
  }
  return out;
}
