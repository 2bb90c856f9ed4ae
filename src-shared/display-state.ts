// The channel display state (visible, colour, range, gamma per channel), its operations and the
// RxRx1 colour composite. Pure (no Node/DOM): one state and one set of operations drive the
// renderer's controls, thumbnails, the well viewer and exported PNGs alike.
//
// Per channel c: x = ((v − lo)/255) / ((hi − lo)/255), clipped to [0, 1]; x ← x^(1/gamma);
// contribution = trunc(x · rgb_c); the visible channels' contributions are summed and clipped at
// 255. With lo = 0 (every rxrx1-utils range) and gamma = 1 this is bit-for-bit rxrx1-utils'
// `convert_tensor_to_rgb` (same float64 operations in the same order). For lo > 0 rxrx1-utils
// *adds* lo/255, which brightens instead of windowing; we window from lo instead (x = 0 at v ≤ lo),
// which is what an auto-contrast range needs. hi ≤ lo is a step: x = 1 where v > lo, else 0.
import type { DisplayState } from './contract';
import { CHANNELS } from './plate';

export type { DisplayState };
export type ChannelDisplay = DisplayState['channels'][number];

/**
 * The stain imaged in each RxRx1 channel (w1…w6), from the RxRx1 paper / rxrx1-utils: w1 Hoechst
 * (nuclei), w2 ConA (endoplasmic reticulum), w3 Phalloidin (actin), w4 Syto14 (nucleoli, RNA),
 * w5 MitoTracker (mitochondria), w6 WGA (Golgi, membrane).
 */
export const CHANNEL_STAINS = ['Hoechst', 'ConA', 'Phalloidin', 'Syto14', 'MitoTracker', 'WGA'];

/** 'w2 ConA' for 1-based channel 2; 'channel 7' past the six stains. */
export function channelLabel(channel: number): string {
  const stain = CHANNEL_STAINS[channel - 1];
  return stain ? `w${channel} ${stain}` : `channel ${channel}`;
}

/** rxrx1-utils' RGB_MAP: colours and ranges of the 6 stains. */
const RXRX1: Array<Pick<ChannelDisplay, 'color' | 'range'>> = [
  { color: [19, 0, 249], range: [0, 51] },
  { color: [42, 255, 31], range: [0, 107] },
  { color: [255, 0, 25], range: [0, 64] },
  { color: [45, 255, 252], range: [0, 191] },
  { color: [250, 0, 253], range: [0, 89] },
  { color: [254, 255, 40], range: [0, 191] },
];

export function rxrx1DefaultDisplay(): DisplayState {
  return {
    channels: RXRX1.map((c) => ({
      visible: true,
      color: [...c.color] as [number, number, number],
      range: [...c.range] as [number, number],
      gamma: 1,
    })),
  };
}

/** Shows only the listed channels (1-based), keeping colours and ranges. */
export function withVisibleChannels(
  display: DisplayState,
  channels: readonly number[],
): DisplayState {
  return {
    channels: display.channels.map((c, i) => ({ ...c, visible: channels.includes(i + 1) })),
  };
}

/** Flips the visibility of one channel (0-based). */
export function toggleChannel(display: DisplayState, index: number): DisplayState {
  return {
    channels: display.channels.map((c, i) => (i === index ? { ...c, visible: !c.visible } : c)),
  };
}

/** Copies one setting (range and gamma, or colour…) of channel `from` to every channel. */
export function applyToAllChannels(
  display: DisplayState,
  from: number,
  fields: ReadonlyArray<keyof ChannelDisplay> = ['range', 'gamma'],
): DisplayState {
  const src = display.channels[from];
  if (!src) return display;
  return {
    channels: display.channels.map((c) => {
      const next = { ...c };
      for (const f of fields) Object.assign(next, { [f]: structuredClone(src[f]) });
      return next;
    }),
  };
}

/** The intensity transfer of one channel: value 0–255 → x in [0, 1]. */
export function channelIntensity(v: number, ch: Pick<ChannelDisplay, 'range' | 'gamma'>): number {
  const [lo, hi] = ch.range;
  let x: number;
  if (hi <= lo) x = v > lo ? 1 : 0;
  else {
    x = (v - lo) / 255 / ((hi - lo) / 255);
    if (x > 1) x = 1;
    else if (x < 0) x = 0;
  }
  if (ch.gamma !== 1) x = Math.pow(x, 1 / ch.gamma);
  return x;
}

/**
 * Lookup tables per channel and value: `rg` packs the red and green contributions (r | g << 16),
 * `b` holds blue; hidden channels are all zeros. Sums of six stay below 2^16 per field, so
 * rendering is 12 lookups, adds and two clamps per pixel.
 */
export function compositeLuts(display: DisplayState): { rg: Uint32Array; b: Uint16Array } {
  const rg = new Uint32Array(CHANNELS * 256);
  const b = new Uint16Array(CHANNELS * 256);
  display.channels.forEach((ch, c) => {
    if (!ch.visible || c >= CHANNELS) return;
    for (let v = 0; v < 256; v++) {
      const x = channelIntensity(v, ch);
      rg[c * 256 + v] = Math.trunc(x * ch.color[0]) | (Math.trunc(x * ch.color[1]) << 16);
      b[c * 256 + v] = Math.trunc(x * ch.color[2]);
    }
  });
  return { rg, b };
}

/**
 * Renders a channel-last uint8 site (width×height×6) to RGB (width×height×3).
 * `out` may be a view into a larger buffer (a sprite) when `outStride` (bytes per output row) is
 * given; `luts` (from compositeLuts) can be passed when rendering many sites with one display.
 */
export function renderComposite(
  channels: Uint8Array,
  width: number,
  height: number,
  display: DisplayState,
  out?: Uint8Array,
  outStride = width * 3,
  luts = compositeLuts(display),
): Uint8Array {
  const { rg, b } = luts;
  const dst = out ?? new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    let s = y * width * 6;
    let d = y * outStride;
    for (let x = 0; x < width; x++, s += 6, d += 3) {
      const i0 = channels[s]!;
      const i1 = 256 + channels[s + 1]!;
      const i2 = 512 + channels[s + 2]!;
      const i3 = 768 + channels[s + 3]!;
      const i4 = 1024 + channels[s + 4]!;
      const i5 = 1280 + channels[s + 5]!;
      const sumRg = rg[i0]! + rg[i1]! + rg[i2]! + rg[i3]! + rg[i4]! + rg[i5]!;
      const r = sumRg & 0xffff;
      const g = sumRg >>> 16;
      const bl = b[i0]! + b[i1]! + b[i2]! + b[i3]! + b[i4]! + b[i5]!;
      dst[d] = r > 255 ? 255 : r;
      dst[d + 1] = g > 255 ? 255 : g;
      dst[d + 2] = bl > 255 ? 255 : bl;
    }
  }
  return dst;
}

/** Per-channel 256-bin histograms of channel-last uint8 data (added into `into` when given). */
export function channelHistograms(data: Uint8Array, into?: Float64Array[]): Float64Array[] {
  const hist = into ?? Array.from({ length: CHANNELS }, () => new Float64Array(256));
  for (let i = 0; i < data.length; i += CHANNELS) {
    for (let c = 0; c < CHANNELS; c++) hist[c]![data[i + c]!]!++;
  }
  return hist;
}

/** The value below which `p` percent of the histogram's pixels lie (0–255). */
export function histogramPercentile(hist: Float64Array, p: number): number {
  let total = 0;
  for (let v = 0; v < 256; v++) total += hist[v]!;
  if (total === 0) return 0;
  const target = (Math.min(100, Math.max(0, p)) / 100) * total;
  let cum = 0;
  for (let v = 0; v < 256; v++) {
    cum += hist[v]!;
    if (cum >= target && cum > 0) return v;
  }
  return 255;
}

/**
 * Auto-contrast: sets each channel's range to the [pLo, pHi] percentiles of the given histograms
 * (from one site, a whole plate, or an experiment's control wells — the caller pools them).
 * Colours, visibility and gamma are kept; hi is forced above lo.
 */
export function autoContrast(
  base: DisplayState,
  histograms: readonly Float64Array[],
  percentiles: readonly [number, number] = [1, 99],
): DisplayState {
  return {
    channels: base.channels.map((ch, c) => {
      const h = histograms[c];
      if (!h) return ch;
      const lo = histogramPercentile(h, percentiles[0]);
      let hi = histogramPercentile(h, percentiles[1]);
      if (hi <= lo) hi = Math.min(255, lo + 1);
      return { ...ch, range: [lo === 255 ? 254 : lo, hi] as [number, number] };
    }),
  };
}
