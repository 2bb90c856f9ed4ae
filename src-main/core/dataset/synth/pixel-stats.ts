// Per-image intensity statistics in the columns of RxRx1's pixel_stats.csv, from 8-bit pixels.

export interface PixelStats {
  mean: number;
  std: number;
  median: number;
  min: number;
  max: number;
}

export const PIXEL_STATS_HEADER = [
  'experiment',
  'plate',
  'well',
  'site',
  'channel',
  'mean',
  'std',
  'median',
  'min',
  'max',
];

/** Mean, population std, median (mean of the middle two for even counts), min and max. */
export function pixelStats(pixels: Uint8Array): PixelStats {
  const hist = new Float64Array(256);
  for (let i = 0; i < pixels.length; i++) hist[pixels[i]!]!++;
  const n = pixels.length;
  let sum = 0;
  let sumSq = 0;
  let min = -1;
  let max = 0;
  for (let v = 0; v < 256; v++) {
    const h = hist[v]!;
    if (h === 0) continue;
    if (min < 0) min = v;
    max = v;
    sum += h * v;
    sumSq += h * v * v;
  }
  const mean = n > 0 ? sum / n : 0;
  const variance = n > 0 ? Math.max(0, sumSq / n - mean * mean) : 0;
  const at = (k: number): number => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += hist[v]!;
      if (seen > k) return v;
    }
    return 255;
  };
  const median = n === 0 ? 0 : n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
  return { mean, std: Math.sqrt(variance), median, min: Math.max(0, min), max };
}

/** Formats stats for the CSV (4 decimals for mean/std, integers stay integers). */
export function pixelStatsFields(s: PixelStats): string[] {
  return [s.mean.toFixed(4), s.std.toFixed(4), String(s.median), String(s.min), String(s.max)];
}
