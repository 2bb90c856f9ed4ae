// Resizes many same-sized 6-channel sites with a handful of sharp calls instead of two per site:
// sites are stacked vertically (channels 1–3 and 4–6 as two 3-band images) with gap rows that
// repeat each site's edge rows, so the resampling kernel never mixes neighbouring sites, and the
// gap is sized so every site starts on a whole output row. Per-call overhead in sharp (~0.5 ms)
// is what dominates small thumbnails, hence the batching.
import sharp from 'sharp';
import type { RawSite } from './load-site';

const CH = 6;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Gap rows between stacked sites: room for the lanczos3 kernel on both sides; a multiple of the
 * source rows per whole output row (so each site starts on an output row); half of it a multiple
 * of libvips' integer pre-shrink, so box-shrink blocks never straddle two sites.
 */
export function stackGap(srcRows: number, dstRows: number): number {
  const unit = srcRows / gcd(srcRows, dstRows);
  const pre = Math.max(1, Math.floor(srcRows / dstRows / 2));
  const need = 2 * (Math.ceil((3 * srcRows) / dstRows) + 1);
  let k = Math.ceil(need / unit);
  while ((k * unit) % (2 * pre) !== 0 || ((k * dstRows) / gcd(srcRows, dstRows)) % 2 !== 0) k++;
  return k * unit;
}

/** All sites must be w×h×6 (same w, h); returns n×size×size×6, site after site. */
export async function resizeMany(
  sites: readonly RawSite[],
  size: number,
  maxBytes = 48 << 20,
): Promise<Uint8Array> {
  const out = new Uint8Array(sites.length * size * size * CH);
  if (sites.length === 0) return out;
  const { width: w, height: h } = sites[0]!;
  const gap = stackGap(h, size);
  const pitch = h + gap;
  const outPitch = (pitch * size) / h;
  const perChunk = Math.max(1, Math.floor(maxBytes / (pitch * w * 3)));
  for (let start = 0; start < sites.length; start += perChunk) {
    const chunk = sites.slice(start, start + perChunk);
    const rows = chunk.length * pitch;
    const halves = [0, 3].map((first) => {
      const buf = new Uint8Array(rows * w * 3);
      chunk.forEach((site, k) => {
        const top = k * pitch;
        // Rows: gap/2 copies of the first row, the site, gap/2 copies of the last row.
        const half = gap / 2;
        for (let r = 0; r < pitch; r++) {
          const srcRow = Math.min(h - 1, Math.max(0, r - half));
          const s0 = srcRow * w * CH + first;
          let d = (top + r) * w * 3;
          for (let x = 0, s = s0; x < w; x++, s += CH, d += 3) {
            buf[d] = site.data[s]!;
            buf[d + 1] = site.data[s + 1]!;
            buf[d + 2] = site.data[s + 2]!;
          }
        }
      });
      return sharp(buf, { raw: { width: w, height: rows, channels: 3 } })
        .resize(size, chunk.length * outPitch, { fit: 'fill' })
        .raw()
        .toBuffer();
    });
    const [a, b] = await Promise.all(halves);
    const outHalf = outPitch - size;
    chunk.forEach((_, k) => {
      const base = (start + k) * size * size * CH;
      const rowOff = k * outPitch + outHalf / 2;
      for (let y = 0; y < size; y++) {
        let s = (rowOff + y) * size * 3;
        let d = base + y * size * CH;
        for (let x = 0; x < size; x++, s += 3, d += CH) {
          out[d] = a![s]!;
          out[d + 1] = a![s + 1]!;
          out[d + 2] = a![s + 2]!;
          out[d + 3] = b![s]!;
          out[d + 4] = b![s + 1]!;
          out[d + 5] = b![s + 2]!;
        }
      }
    });
  }
  return out;
}
