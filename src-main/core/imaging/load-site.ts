// Loads the 6 channel PNGs of a site into one H×W×6 channel-last array, raw (uint8) or
// normalised (float32). Small PNGs: two sharp pipelines join channels 1–3 and 4–6 into 3-band
// images, interleaved here; large ones (and any trouble) decode the 6 channels in parallel,
// which also names a missing/corrupt/mismatched file in an INVALID_INPUT error.
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
 * Joined decodes for small same-depth PNGs: channels 1–3 and 4–6 each through one sharp pipeline
 * (3-band output), then interleaved. Two pipelines per site cost less CPU than six (sharp's
 * per-image overhead dominates small PNGs) yet keep two threads busy. Null when unsuitable:
 * large images decode faster as 6 parallel pipelines, and anything odd goes the careful way.
 */
async function decodeJoined(files: string[]): Promise<RawSite | null> {
  const heads = files.map(peekPng);
  const h0 = heads[0];
  if (!h0 || h0.pixels > JOIN_MAX_PIXELS) return null;
  if (heads.some((h) => !h || h.depth !== h0.depth || h.pixels !== h0.pixels)) return null;
  const wide = h0.depth === 16;
  try {
    const halves = await Promise.all(
      [files.slice(0, 3), files.slice(3)].map((g) => {
        const img = sharp(g[0]!, { failOn: 'error' }).joinChannel(g.slice(1), { failOn: 'error' });
        return (wide ? img.raw({ depth: 'ushort' }) : img.raw()).toBuffer({
          resolveWithObject: true,
        });
      }),
    );
    const [a, b] = halves as [(typeof halves)[0], (typeof halves)[0]];
    const { width, height } = a.info;
    const n = width * height;
    const bytes = n * 3 * (wide ? 2 : 1);
    for (const h of halves) {
      if ((h.info.channels as number) !== 3 || h.info.width !== width || h.info.height !== height)
        return null;
      if (h.data.length !== bytes) return null;
    }
    const data = new Uint8Array(n * CHANNELS);
    if (!wide) {
      const pa = a.data;
      const pb = b.data;
      for (let i = 0, j = 0, k = 0; i < n; i++, j += 6, k += 3) {
        data[j] = pa[k]!;
        data[j + 1] = pa[k + 1]!;
        data[j + 2] = pa[k + 2]!;
        data[j + 3] = pb[k]!;
        data[j + 4] = pb[k + 1]!;
        data[j + 5] = pb[k + 2]!;
      }
    } else {
      const ua = new Uint16Array(a.data.buffer.slice(a.data.byteOffset, a.data.byteOffset + bytes));
      const ub = new Uint16Array(b.data.buffer.slice(b.data.byteOffset, b.data.byteOffset + bytes));
      for (let i = 0, j = 0, k = 0; i < n; i++, j += 6, k += 3) {
        for (let c = 0; c < 3; c++) {
          data[j + c] = Math.round(ua[k + c]! / 257);
          data[j + 3 + c] = Math.round(ub[k + c]! / 257);
        }
      }
    }
    return { width, height, data };
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
    // Per-channel decodes in parallel; each names its file when it fails. The error reported is
    // the first failing channel in channel order, not whichever decode happened to fail first.
    const settled = await Promise.allSettled(files.map((f) => decodeChannel(f)));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    site = interleave(
      settled.map(
        (r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof decodeChannel>>>).value,
      ),
      files,
    );
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
