// Loads the 6 channel PNGs of a site into one H×W×6 channel-last array, raw (uint8) or
// normalised (float32). Small PNGs: one sharp pipeline joins the 6 channels into a 6-band image
// that libvips hands back channel-last; large ones (and any trouble) decode the 6 channels in
// parallel, which also names a missing/corrupt/mismatched file in an INVALID_INPUT error.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { CHANNELS } from '../dataset/plate';
import { inputError, PlateLabError, throwIfCancelled } from '../errors';
import { decodeChannel, pngBitDepth, type Plane } from './decode';
import { channelStats, normalize, type ChannelStats, type Normalization } from './normalize';

export interface RawSite {
  width: number;
  height: number;
  /** H×W×6, channel-last, 0–255. */
  data: Uint8Array;
}

export interface LoadSiteOptions {
  /** 'none' returns uint8; the others return float32 (v − mean) / std per channel. Default 'none'. */
  normalization?: Normalization;
  /** Stats for 'per-experiment' and 'per-plate-controls' (see stats-provider.ts). */
  stats?: ChannelStats;
  /** Resize to size×size (every channel the same way). */
  size?: number;
  signal?: AbortSignal;
}

export interface LoadedSite {
  width: number;
  height: number;
  data: Float32Array | Uint8Array;
  /** The stats the data was normalised with (absent for 'none'). */
  stats?: ChannelStats;
}

// Small images decode in well under a millisecond: libvips' operation cache only adds overhead.
sharp.cache(false);

/** Images up to this many pixels decode through one joined pipeline (per-image overhead wins). */
const JOIN_MAX_PIXELS = 256 * 256;

interface PngHead {
  depth: number;
  pixels: number;
}

/** Bit depth and pixel count from a PNG's header; null when unreadable or not a PNG. */
function peekPng(file: string): PngHead | null {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(29);
    fs.readSync(fd, head, 0, 29, 0);
    const depth = pngBitDepth(head);
    return depth === null ? null : { depth, pixels: head.readUInt32BE(16) * head.readUInt32BE(20) };
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * One joined 6-band decode for small same-depth PNGs; null otherwise (large images decode
 * faster as 6 parallel pipelines, and anything odd goes the careful per-channel way).
 */
async function decodeJoined(files: string[]): Promise<RawSite | null> {
  const heads = files.map(peekPng);
  const h0 = heads[0];
  if (!h0 || h0.pixels > JOIN_MAX_PIXELS) return null;
  if (heads.some((h) => !h || h.depth !== h0.depth || h.pixels !== h0.pixels)) return null;
  const wide = h0.depth === 16;
  try {
    const img = sharp(files[0]!, { failOn: 'error' }).joinChannel(files.slice(1), {
      failOn: 'error',
    });
    const { data, info } = await (wide ? img.raw({ depth: 'ushort' }) : img.raw()).toBuffer({
      resolveWithObject: true,
    });
    if ((info.channels as number) !== CHANNELS) return null;
    const n = info.width * info.height * CHANNELS;
    if (!wide) {
      if (data.length !== n) return null;
      return {
        width: info.width,
        height: info.height,
        data: new Uint8Array(data.buffer, data.byteOffset, n),
      };
    }
    if (data.length !== n * 2) return null;
    const src = new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + n * 2));
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.round(src[i]! / 257);
    return { width: info.width, height: info.height, data: out };
  } catch {
    return null;
  }
}

/** Decodes the 6 channels and interleaves them channel-last (resized when `size` is given). */
export async function loadRawSite(
  root: string,
  relPaths: readonly string[],
  opts: { size?: number; signal?: AbortSignal } = {},
): Promise<RawSite> {
  if (relPaths.length !== CHANNELS) {
    throw inputError(`a site needs ${CHANNELS} channel images, got ${relPaths.length}`, {
      relPaths,
    });
  }
  throwIfCancelled(opts.signal);
  const files = relPaths.map((p) => path.resolve(root, p));
  let site = await decodeJoined(files);
  if (!site) {
    // Per-channel decodes in parallel; each names its file when it fails.
    const planes = await Promise.all(files.map((f) => decodeChannel(f)));
    site = interleave(planes, files);
  }
  throwIfCancelled(opts.signal);
  if (opts.size && (site.width !== opts.size || site.height !== opts.size)) {
    site = await resizeSite(site, opts.size, opts.size);
  }
  return site;
}

/**
 * Resizes a channel-last 6-band image with sharp. sharp takes at most 4 raw bands, so the
 * channels go through as two 3-band images and are interleaved back.
 */
export async function resizeSite(site: RawSite, width: number, height: number): Promise<RawSite> {
  const n = site.width * site.height;
  const halves = [0, 3].map((first) => {
    const buf = new Uint8Array(n * 3);
    for (let i = 0, j = first; i < buf.length; i += 3, j += CHANNELS) {
      buf[i] = site.data[j]!;
      buf[i + 1] = site.data[j + 1]!;
      buf[i + 2] = site.data[j + 2]!;
    }
    return sharp(buf, { raw: { width: site.width, height: site.height, channels: 3 } })
      .resize(width, height, { fit: 'fill' })
      .raw()
      .toBuffer();
  });
  const [a, b] = await Promise.all(halves);
  const m = width * height;
  const data = new Uint8Array(m * CHANNELS);
  for (let i = 0, j = 0, k = 0; i < m; i++, j += CHANNELS, k += 3) {
    data[j] = a![k]!;
    data[j + 1] = a![k + 1]!;
    data[j + 2] = a![k + 2]!;
    data[j + 3] = b![k]!;
    data[j + 4] = b![k + 1]!;
    data[j + 5] = b![k + 2]!;
  }
  return { width, height, data };
}

/** Six same-sized planes → one channel-last array. */
export function interleave(planes: readonly Plane[], files: readonly string[] = []): RawSite {
  const { width, height } = planes[0]!;
  planes.forEach((p, c) => {
    if (p.width !== width || p.height !== height) {
      throw inputError(
        `${files[c] ?? `channel ${c + 1}`}: size ${p.width}×${p.height} differs from channel 1 (${width}×${height})`,
        { file: files[c] },
      );
    }
  });
  const n = width * height;
  const data = new Uint8Array(n * CHANNELS);
  for (let c = 0; c < CHANNELS; c++) {
    const p = planes[c]!.data;
    for (let i = 0, j = c; i < n; i++, j += CHANNELS) data[j] = p[i]!;
  }
  return { width, height, data };
}

/** Applies a normalisation to a raw site. */
export function normalizeSite(
  raw: RawSite,
  normalization: Normalization,
  stats?: ChannelStats,
): LoadedSite {
  if (normalization === 'none') return raw;
  let s: ChannelStats;
  if (normalization === 'per-image') s = channelStats(raw.data);
  else if (stats) s = stats;
  else
    throw new PlateLabError(
      'VALIDATION',
      `normalisation '${normalization}' needs stats (see stats-provider)`,
    );
  return { width: raw.width, height: raw.height, data: normalize(raw.data, s), stats: s };
}

/** Loads one site: H×W×6 channel-last, uint8 for 'none', else float32 normalised per channel. */
export async function loadSite(
  root: string,
  relPaths: readonly string[],
  opts: LoadSiteOptions = {},
): Promise<LoadedSite> {
  const raw = await loadRawSite(root, relPaths, opts);
  return normalizeSite(raw, opts.normalization ?? 'none', opts.stats);
}
