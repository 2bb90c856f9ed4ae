// Heat overlays of a cached saliency map as RGBA PNGs (sharp) over the whole resized site: the
// model's crop is coloured by |attribution|, the rest transparent, so the overlay lies exactly on
// the rendered site image at any display size.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../util/atomic-write';
import type { SaliencyMeta } from './saliency-cache';

/** Magnitudes at or above this quantile of the map's non-zero values show at full strength. */
export const OVERLAY_QUANTILE = 0.99;

/** The q-quantile (0..1) of the non-zero values of `values` (nearest rank); 0 when all are 0. */
export function quantile(values: Float32Array, q: number): number {
  const nz = Array.from(values).filter((v) => v > 0);
  if (nz.length === 0) return 0;
  nz.sort((a, b) => a - b);
  return nz[Math.min(nz.length - 1, Math.floor(q * (nz.length - 1)))]!;
}

/**
 * Σ_c∈channels |a(p, c)| per pixel (H × W, row-major) of channel-last signed `values`; `channels`
 * are 1-based stain channels.
 */
export function summedMagnitude(
  values: Float32Array,
  meta: Pick<SaliencyMeta, 'height' | 'width' | 'channels'>,
  channels: readonly number[],
): Float32Array {
  const out = new Float32Array(meta.height * meta.width);
  for (let p = 0; p < out.length; p++)
    for (const c of channels) out[p]! += Math.abs(values[p * meta.channels + c - 1]!);
  return out;
}

/**
 * RGBA bytes (imageSize² × 4) of `plane` (the crop's H × W magnitudes) placed at the crop corner:
 * t = min(1, v / scale) through a black-body ramp (red, then yellow, then white) with alpha t, so
 * weak attribution stays see-through. scale 0 gives a fully transparent overlay.
 */
export function overlayRgba(
  plane: Float32Array,
  meta: Pick<SaliencyMeta, 'height' | 'width' | 'geometry'>,
  scale: number,
): Uint8Array {
  const size = meta.geometry.imageSize;
  const out = new Uint8Array(size * size * 4);
  if (!(scale > 0)) return out;
  const clamp = (v: number) => Math.max(0, Math.min(1, v));
  for (let y = 0; y < meta.height; y++)
    for (let x = 0; x < meta.width; x++) {
      const t = clamp(plane[y * meta.width + x]! / scale);
      const o = ((y + meta.geometry.y0) * size + x + meta.geometry.x0) * 4;
      out[o] = Math.round(255 * clamp(3 * t));
      out[o + 1] = Math.round(255 * clamp(3 * t - 1));
      out[o + 2] = Math.round(255 * clamp(3 * t - 2));
      out[o + 3] = Math.round(255 * t);
    }
  return out;
}

/** Writes `rgba` (imageSize² × 4) as a PNG at `file` (atomically) unless it is there already. */
export async function writeOverlayPng(file: string, rgba: Uint8Array, size: number): Promise<void> {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const png = await sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), {
    raw: { width: size, height: size, channels: 4 },
  })
    .png()
    .toBuffer();
  await writeFileAtomic(file, png);
}
