// Turns a decoded uint8 site into a float crop: crop offset, one of the 8 D4 symmetries (dihedral
// group of the square: 4 rotations × optional flip), per-image per-channel normalisation, jitter.

/** Maps output (y, x) to source (y, x) inside an s×s square for D4 element k (0..7). */
export function d4Source(k: number, y: number, x: number, s: number): [number, number] {
  const m = s - 1;
  const sy = y;
  let sx = x;
  if (k & 4) sx = m - sx; // flip first, then rotate k&3 quarter turns
  switch (k & 3) {
    case 1:
      return [m - sx, sy];
    case 2:
      return [m - sy, m - sx];
    case 3:
      return [sx, m - sy];
    default:
      return [sy, sx];
  }
}

export interface CropSpec {
  top: number;
  left: number;
  size: number;
  d4: number;
  /** Per-channel multiplicative factors (jitter); null = 1. */
  gain: number[] | null;
}

/**
 * Writes one normalised crop into out at offset (size×size×6 floats). Each channel is standardised
 * with its own mean/std over the crop, so brightness differences between plates shrink.
 */
export function writeCrop(
  src: Uint8Array,
  srcSize: number,
  spec: CropSpec,
  out: Float32Array,
  offset: number,
): void {
  const s = spec.size;
  const sum = new Float64Array(6);
  const sq = new Float64Array(6);
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const [sy, sx] = d4Source(spec.d4, y, x, s);
      const si = ((spec.top + sy) * srcSize + spec.left + sx) * 6;
      const oi = offset + (y * s + x) * 6;
      for (let c = 0; c < 6; c++) {
        const v = src[si + c]!;
        out[oi + c] = v;
        sum[c]! += v;
        sq[c]! += v * v;
      }
    }
  }
  const n = s * s;
  const scale = new Float32Array(6);
  const shift = new Float32Array(6);
  for (let c = 0; c < 6; c++) {
    const mean = sum[c]! / n;
    const std = Math.sqrt(Math.max(sq[c]! / n - mean * mean, 0)) + 1;
    const g = spec.gain ? spec.gain[c]! : 1;
    scale[c] = g / std;
    shift[c] = (-mean * g) / std;
  }
  for (let i = 0; i < n; i++) {
    const oi = offset + i * 6;
    for (let c = 0; c < 6; c++) out[oi + c] = out[oi + c]! * scale[c]! + shift[c]!;
  }
}
