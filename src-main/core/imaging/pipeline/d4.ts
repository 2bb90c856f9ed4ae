// The 8 symmetries of the square (dihedral group D4) on S×S channel-last images: transform t
// = rotate 90° k = t & 3 times after an optional horizontal flip (t & 4). Each is an affine map of
// pixel coordinates, so applying one is a strided copy (see `d4Steps`).

export const D4_COUNT = 8;

type Point = [number, number];

/** Where transform t sends pixel (y, x) of an S×S image. */
export function d4Map(t: number, y: number, x: number, size: number): Point {
  let py = y;
  let px = x;
  if (t & 4) px = size - 1 - px;
  for (let k = 0; k < (t & 3); k++) {
    const ny = size - 1 - px;
    px = py;
    py = ny;
  }
  return [py, px];
}

/**
 * Destination pixel index of source (y, x) is `base + y·perY + x·perX` (in pixels): the linear
 * form of d4Map, so the copy loop needs no per-pixel function call.
 */
export function d4Steps(t: number, size: number): { base: number; perY: number; perX: number } {
  const [oy, ox] = d4Map(t, 0, 0, size);
  const [yy, yx] = d4Map(t, 1, 0, size);
  const [xy, xx] = d4Map(t, 0, 1, size);
  return {
    base: oy * size + ox,
    perY: (yy - oy) * size + (yx - ox),
    perX: (xy - oy) * size + (xx - ox),
  };
}

/** Applies transform t to an S×S×C channel-last image. */
export function applyD4<T extends Float32Array | Uint8Array>(
  src: T,
  size: number,
  channels: number,
  t: number,
  out?: T,
): T {
  const dst = out ?? new (src.constructor as new (n: number) => T)(src.length);
  const { base, perY, perX } = d4Steps(t, size);
  for (let y = 0; y < size; y++) {
    let d = base + y * perY;
    let s = y * size * channels;
    for (let x = 0; x < size; x++, d += perX, s += channels) {
      const o = d * channels;
      for (let c = 0; c < channels; c++) dst[o + c] = src[s + c]!;
    }
  }
  return dst;
}

/** Transform equal to applying a, then b. */
export function d4Compose(a: number, b: number): number {
  const size = 3;
  for (let t = 0; t < D4_COUNT; t++) {
    let same = true;
    for (const [y, x] of [
      [0, 0],
      [0, 1],
      [1, 0],
    ] as Point[]) {
      const [ay, ax] = d4Map(a, y, x, size);
      const [by, bx] = d4Map(b, ay, ax, size);
      const [ty, tx] = d4Map(t, y, x, size);
      if (by !== ty || bx !== tx) same = false;
    }
    if (same) return t;
  }
  throw new Error(`no D4 element equals ${a} then ${b}`);
}

/** The transform undoing t (for mapping TTA predictions or masks back). */
export function d4Inverse(t: number): number {
  for (let u = 0; u < D4_COUNT; u++) if (d4Compose(t, u) === 0) return u;
  throw new Error(`D4 transform ${t} has no inverse`);
}
