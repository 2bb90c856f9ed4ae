// Typed-array drawing primitives for the synthetic images: Gaussian spots, smooth value noise,
// separable Gaussian blur. Float32 canvases of size×size, row-major.
import type { Rng } from './prng';

/** Adds an isotropic Gaussian spot (peak `amp`, width `sigma` px) centred at (x, y). */
export function addSpot(
  canvas: Float32Array,
  size: number,
  x: number,
  y: number,
  sigma: number,
  amp: number,
): void {
  const r = Math.ceil(sigma * 2.5);
  const x0 = Math.max(0, Math.floor(x) - r);
  const x1 = Math.min(size - 1, Math.floor(x) + r);
  const y0 = Math.max(0, Math.floor(y) - r);
  const y1 = Math.min(size - 1, Math.floor(y) + r);
  const k = -0.5 / (sigma * sigma);
  for (let py = y0; py <= y1; py++) {
    const dy = py + 0.5 - y;
    const row = py * size;
    for (let px = x0; px <= x1; px++) {
      const dx = px + 0.5 - x;
      canvas[row + px]! += amp * Math.exp(k * (dx * dx + dy * dy));
    }
  }
}

/** Adds an anisotropic Gaussian (sigmas `sa` along angle `theta`, `sb` across it). */
export function addEllipticSpot(
  canvas: Float32Array,
  size: number,
  x: number,
  y: number,
  sa: number,
  sb: number,
  theta: number,
  amp: number,
): void {
  const r = Math.ceil(Math.max(sa, sb) * 2.5);
  const x0 = Math.max(0, Math.floor(x) - r);
  const x1 = Math.min(size - 1, Math.floor(x) + r);
  const y0 = Math.max(0, Math.floor(y) - r);
  const y1 = Math.min(size - 1, Math.floor(y) + r);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const ka = -0.5 / (sa * sa);
  const kb = -0.5 / (sb * sb);
  for (let py = y0; py <= y1; py++) {
    const dy = py + 0.5 - y;
    const row = py * size;
    for (let px = x0; px <= x1; px++) {
      const dx = px + 0.5 - x;
      const u = dx * c + dy * s;
      const v = -dx * s + dy * c;
      canvas[row + px]! += amp * Math.exp(ka * u * u + kb * v * v);
    }
  }
}

/** Smooth value noise in [0, 1] with features about `cell` px wide (bilinear, smoothstep-eased). */
export function valueNoise(rng: Rng, size: number, cell: number): Float32Array {
  const g = Math.ceil(size / cell) + 2;
  const grid = new Float32Array(g * g);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next();
  const out = new Float32Array(size * size);
  for (let py = 0; py < size; py++) {
    const fy = py / cell;
    const iy = Math.floor(fy);
    let ty = fy - iy;
    ty = ty * ty * (3 - 2 * ty);
    for (let px = 0; px < size; px++) {
      const fx = px / cell;
      const ix = Math.floor(fx);
      let tx = fx - ix;
      tx = tx * tx * (3 - 2 * tx);
      const a = grid[iy * g + ix]!;
      const b = grid[iy * g + ix + 1]!;
      const c = grid[(iy + 1) * g + ix]!;
      const d = grid[(iy + 1) * g + ix + 1]!;
      out[py * size + px] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }
  }
  return out;
}

/** In-place separable Gaussian blur with clamped edges; sigma < 0.2 is a no-op. */
export function gaussianBlur(
  canvas: Float32Array,
  size: number,
  sigma: number,
  tmp: Float32Array,
): void {
  if (sigma < 0.2) return;
  const r = Math.max(1, Math.ceil(sigma * 2.5));
  const kernel = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    const w = Math.exp((-0.5 * i * i) / (sigma * sigma));
    kernel[i + r] = w;
    sum += w;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  const last = size - 1;
  // Horizontal pass: clamped taps only near the edges, a plain loop inside.
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let x = 0; x < size; x++) {
      let acc = 0;
      if (x >= r && x <= last - r) {
        const base = row + x - r;
        for (let k = 0; k < kernel.length; k++) acc += kernel[k]! * canvas[base + k]!;
      } else {
        for (let i = -r; i <= r; i++) {
          const xx = x + i < 0 ? 0 : x + i > last ? last : x + i;
          acc += kernel[i + r]! * canvas[row + xx]!;
        }
      }
      tmp[row + x] = acc;
    }
  }
  // Vertical pass, row by row so memory is read in order.
  canvas.fill(0);
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let i = -r; i <= r; i++) {
      const yy = y + i < 0 ? 0 : y + i > last ? last : y + i;
      const w = kernel[i + r]!;
      const src = yy * size;
      for (let x = 0; x < size; x++) canvas[row + x]! += w * tmp[src + x]!;
    }
  }
}
