// Per-channel statistics of H×W×6 uint8 sites and the normalisations built on them:
// 'per-image' (the site's own mean/std), 'per-experiment' and 'per-plate-controls' (given stats).
import { CHANNELS } from '../dataset/plate';

export type Normalization = 'none' | 'per-image' | 'per-experiment' | 'per-plate-controls';

/** Mean and standard deviation per channel, on the 0–255 scale. */
export interface ChannelStats {
  mean: number[];
  std: number[];
}

/** Smallest std used when dividing, so a flat channel gives zeros instead of Infinity. */
export const MIN_STD = 1e-3;

/** Running sums so stats can be pooled over many sites without keeping pixels. */
export interface StatsAccumulator {
  count: number;
  sum: Float64Array;
  sumSq: Float64Array;
}

export function newAccumulator(channels = CHANNELS): StatsAccumulator {
  return { count: 0, sum: new Float64Array(channels), sumSq: new Float64Array(channels) };
}

/** Adds a channel-last uint8 image to the accumulator (per-channel histograms: exact and fast). */
export function accumulate(acc: StatsAccumulator, data: Uint8Array, channels = CHANNELS): void {
  // Uint32 counts overflow only past 4G pixels per channel, far beyond one site.
  const hist = new Uint32Array(256 * channels);
  if (channels === 6) {
    for (let i = 0; i < data.length; i += 6) {
      hist[data[i]!]!++;
      hist[256 + data[i + 1]!]!++;
      hist[512 + data[i + 2]!]!++;
      hist[768 + data[i + 3]!]!++;
      hist[1024 + data[i + 4]!]!++;
      hist[1280 + data[i + 5]!]!++;
    }
  } else {
    for (let i = 0; i < data.length; i += channels) {
      for (let c = 0; c < channels; c++) hist[c * 256 + data[i + c]!]!++;
    }
  }
  for (let c = 0; c < channels; c++) {
    let s = 0;
    let s2 = 0;
    for (let v = 1; v < 256; v++) {
      const h = hist[c * 256 + v]!;
      s += h * v;
      s2 += h * v * v;
    }
    acc.sum[c]! += s;
    acc.sumSq[c]! += s2;
  }
  acc.count += data.length / channels;
}

export function finish(acc: StatsAccumulator): ChannelStats {
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < acc.sum.length; c++) {
    const m = acc.count ? acc.sum[c]! / acc.count : 0;
    const v = acc.count ? acc.sumSq[c]! / acc.count - m * m : 0;
    mean.push(m);
    std.push(Math.sqrt(Math.max(0, v)));
  }
  return { mean, std };
}

/** Per-channel mean/std of one channel-last uint8 image. */
export function channelStats(data: Uint8Array, channels = CHANNELS): ChannelStats {
  const acc = newAccumulator(channels);
  accumulate(acc, data, channels);
  return finish(acc);
}

/** (v − mean_c) / std_c for every pixel, into a new (or the given) Float32Array. */
export function normalize(
  data: Uint8Array,
  stats: ChannelStats,
  channels = CHANNELS,
  out = new Float32Array(data.length),
): Float32Array {
  // One lookup table per channel: 256 entries replace a subtract and a divide per pixel.
  const lut = new Float32Array(256 * channels);
  for (let c = 0; c < channels; c++) {
    const m = stats.mean[c] ?? 0;
    const inv = 1 / Math.max(stats.std[c] ?? 1, MIN_STD);
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v - m) * inv;
  }
  if (channels === 6) {
    for (let i = 0; i < data.length; i += 6) {
      out[i] = lut[data[i]!]!;
      out[i + 1] = lut[256 + data[i + 1]!]!;
      out[i + 2] = lut[512 + data[i + 2]!]!;
      out[i + 3] = lut[768 + data[i + 3]!]!;
      out[i + 4] = lut[1024 + data[i + 4]!]!;
      out[i + 5] = lut[1280 + data[i + 5]!]!;
    }
  } else {
    for (let i = 0; i < data.length; i += channels) {
      for (let c = 0; c < channels; c++) out[i + c] = lut[c * 256 + data[i + c]!]!;
    }
  }
  return out;
}
