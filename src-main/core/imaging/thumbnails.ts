// Plate sprites (one PNG holding every well's thumbnail on the plate grid) and single-site PNGs
// for the well viewer, both rendered with a DisplayState and cached on disk under a key made of
// the source files (path+size+mtime) and the display state. All files are written atomically.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Catalog } from '../catalog/db';
import { parseWellName } from '../dataset/plate';
import { inputError, throwIfCancelled } from '../errors';
import { catalogSites } from './catalog-sites';
import { compositeLuts, renderComposite, type DisplayState } from './display';
import { writeFileAtomic } from '../util/atomic-write';
import { safeName, sourceDigest } from './files';
import { loadRawSite, resizeSite, type RawSite } from './load-site';
import { resizeMany } from './resize-many';

export interface SpriteWell {
  well: string;
  relPaths: string[];
}

export interface PlateSpriteOptions {
  root: string;
  /** The catalog to list the plate's wells from; or give `wells` directly. */
  db?: Catalog;
  wells?: SpriteWell[];
  experiment: string;
  plate: number;
  site?: number;
  /** Thumbnail edge in pixels. Default 96. */
  size?: number;
  display: DisplayState;
  cacheDir: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, message: string) => void;
  /** Sites decoded at once (6 PNGs each). Default 8. */
  concurrency?: number;
}

export interface PlateSprite {
  file: string;
  /** Edge of one cell in pixels. */
  cell: number;
  columns: number;
  rows: number;
  /** Cell index (row-major) of each well. */
  wells: Array<{ well: string; index: number }>;
  cached: boolean;
}

const SPRITE_VERSION = 1;

/**
 * Grid of the plate: the 14×22 used block (B–O × 02–23) when every well lies in it, else the
 * full 16×24 plate. Cells without a well stay black.
 */
export function spriteLayout(wells: readonly string[]): {
  columns: number;
  rows: number;
  index: (well: string) => number;
} {
  const pos = wells.map((w) => {
    const p = parseWellName(w);
    if (!p) throw inputError(`"${w}" is not a 384-well plate well`);
    return p;
  });
  const compact = pos.every((p) => p.row >= 1 && p.row <= 14 && p.col >= 2 && p.col <= 23);
  const columns = compact ? 22 : 24;
  const rows = compact ? 14 : 16;
  return {
    columns,
    rows,
    index: (well) => {
      const p = parseWellName(well)!;
      return compact ? (p.row - 1) * 22 + (p.col - 2) : p.row * 24 + (p.col - 1);
    },
  };
}

function spriteWells(opts: PlateSpriteOptions): SpriteWell[] {
  if (opts.wells) return opts.wells;
  if (!opts.db) throw inputError('plateSprite needs either a catalog (db) or a wells list');
  return catalogSites(opts.db, {
    experiment: opts.experiment,
    plate: opts.plate,
    site: opts.site ?? 1,
  }).map((s) => ({
    well: s.well,
    relPaths: s.paths,
  }));
}

/** Runs `fn` over items with at most `limit` in flight. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Builds (or finds in the cache) the sprite of one plate. Two cache levels: the sprite PNG (key:
 * sources + display) and the plate's downscaled 6-channel thumbnails (key: sources only), so a
 * new display state re-renders without decoding a single PNG.
 */
export async function plateSprite(opts: PlateSpriteOptions): Promise<PlateSprite> {
  const size = opts.size ?? 96;
  const site = opts.site ?? 1;
  const wells = spriteWells(opts);
  const layout = spriteLayout(wells.map((w) => w.well));
  const cells = wells.map((w) => ({ well: w.well, index: layout.index(w.well) }));
  const sources = sourceDigest(
    opts.root,
    wells.flatMap((w) => w.relPaths),
    { v: SPRITE_VERSION, size, site, wells: wells.map((w) => w.well) },
  );
  const digest = crypto
    .createHash('sha1')
    .update(sources)
    .update(JSON.stringify(opts.display))
    .digest('hex');
  const prefix = `${safeName(opts.experiment)}_P${opts.plate}_s${site}_${size}_`;
  const dir = path.join(opts.cacheDir, 'sprites');
  const file = path.join(dir, `${prefix}${digest.slice(0, 20)}.png`);
  const rawFile = path.join(dir, 'raw', `${prefix}${sources.slice(0, 20)}.bin`);
  const result = { file, cell: size, columns: layout.columns, rows: layout.rows, wells: cells };
  if (fs.existsSync(file)) return { ...result, cached: true };

  let thumbs = readThumbs(rawFile, wells.length, size);
  const fresh = thumbs === null;
  if (!thumbs) thumbs = await decodeThumbs(opts, wells, size);
  throwIfCancelled(opts.signal);
  const width = layout.columns * size;
  const height = layout.rows * size;
  const rgb = new Uint8Array(width * height * 3);
  const stride = width * 3;
  const cellBytes = size * size * 6;
  const luts = compositeLuts(opts.display);
  cells.forEach((c, i) => {
    const x0 = (c.index % layout.columns) * size;
    const y0 = Math.floor(c.index / layout.columns) * size;
    const cell = thumbs.data.subarray(i * cellBytes, (i + 1) * cellBytes);
    renderComposite(
      cell,
      size,
      size,
      opts.display,
      rgb.subarray(y0 * stride + x0 * 3),
      stride,
      luts,
    );
  });
  // Fast settings: sprites are regenerated from the cache key, size matters less than latency.
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
  if (fresh) {
    await writeFileAtomic(rawFile, encodeThumbs(thumbs));
    removeStale(path.dirname(rawFile), prefix, path.basename(rawFile));
  } else {
    opts.onProgress?.(wells.length, wells.length, 'rendered from cached thumbnails');
  }
  await writeFileAtomic(file, png);
  removeStale(dir, prefix, path.basename(file));
  return { ...result, cached: false };
}

/** The plate's wells decoded at size×size×6, one after another. */
interface Thumbs {
  w: number;
  h: number;
  data: Uint8Array;
}

/** Larger sources are resized as soon as they are decoded (memory); smaller ones in one batch. */
const NATIVE_MAX_PIXELS = 256 * 256;

async function decodeThumbs(
  opts: PlateSpriteOptions,
  wells: SpriteWell[],
  size: number,
): Promise<Thumbs> {
  const sites: RawSite[] = new Array<RawSite>(wells.length);
  let done = 0;
  await forEachLimited(wells, opts.concurrency ?? 4, async (w, i) => {
    throwIfCancelled(opts.signal);
    let raw = await loadRawSite(opts.root, w.relPaths, { signal: opts.signal });
    if (raw.width * raw.height > NATIVE_MAX_PIXELS) raw = await resizeSite(raw, size, size);
    sites[i] = raw;
    done++;
    opts.onProgress?.(done, wells.length, w.well);
  });
  throwIfCancelled(opts.signal);
  const cellBytes = size * size * 6;
  const data = new Uint8Array(wells.length * cellBytes);
  const first = sites[0];
  const same =
    first !== undefined && sites.every((r) => r.width === first.width && r.height === first.height);
  if (same && (first.width !== size || first.height !== size)) {
    data.set(await resizeMany(sites, size));
  } else {
    for (let i = 0; i < sites.length; i++) {
      const r = sites[i]!;
      data.set(
        (r.width === size && r.height === size ? r : await resizeSite(r, size, size)).data,
        i * cellBytes,
      );
    }
  }
  return { w: size, h: size, data };
}

const THUMBS_MAGIC = 0x504c5431; // 'PLT1'

/** 16-byte header (magic, width, height, count) + the wells' pixels. */
function encodeThumbs(t: Thumbs): Uint8Array {
  const out = new Uint8Array(16 + t.data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, THUMBS_MAGIC);
  view.setUint32(4, t.w);
  view.setUint32(8, t.h);
  view.setUint32(12, t.w ? t.data.length / (t.w * t.h * 6) : 0);
  out.set(t.data, 16);
  return out;
}

/** The cached thumbnails when the file is whole and holds `count` wells, else null. */
function readThumbs(file: string, count: number, size: number): Thumbs | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return null;
  }
  if (buf.length < 16 || buf.readUInt32BE(0) !== THUMBS_MAGIC || buf.readUInt32BE(12) !== count)
    return null;
  const w = buf.readUInt32BE(4);
  const h = buf.readUInt32BE(8);
  if (w !== size || h !== size || buf.length !== 16 + count * w * h * 6) return null;
  return { w, h, data: new Uint8Array(buf.buffer, buf.byteOffset + 16, buf.length - 16) };
}

/** RGB composite of a raw site, resized to size×size when `size` is given and differs. */
export async function compositeRgb(
  raw: RawSite,
  display: DisplayState,
  size?: number,
): Promise<Uint8Array> {
  const full = renderComposite(raw.data, raw.width, raw.height, display);
  if (!size || (raw.width === size && raw.height === size)) return full;
  const out = await sharp(full, { raw: { width: raw.width, height: raw.height, channels: 3 } })
    .resize(size, size, { fit: 'fill' })
    .raw()
    .toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, size * size * 3);
}

/**
 * Older files of the same plate/site/size (other sources or displays) are dropped, keeping the
 * newest few so a sprite just handed to a concurrent caller is not deleted under it.
 */
function removeStale(dir: string, prefix: string, keep: string, keepNewest = 6): void {
  const old = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && n !== keep && /\.(png|bin)$/.test(n))
    .map((n) => ({ n, t: fs.statSync(path.join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of old.slice(keepNewest - 1)) fs.rmSync(path.join(dir, n), { force: true });
}

export interface SitePngOptions {
  root: string;
  relPaths: string[];
  display: DisplayState;
  /** Square output edge; native size when omitted. */
  size?: number;
  /** When given, the PNG is also written there (cached by sources + display + size). */
  cacheDir?: string;
  signal?: AbortSignal;
}

export interface SitePng {
  png: Buffer;
  width: number;
  height: number;
  file?: string;
  cached: boolean;
}

/** One site as a colour composite PNG (the well viewer, exports). */
export async function sitePng(opts: SitePngOptions): Promise<SitePng> {
  let file: string | undefined;
  if (opts.cacheDir) {
    const digest = sourceDigest(opts.root, opts.relPaths, {
      v: 1,
      size: opts.size ?? null,
      display: opts.display,
    });
    file = path.join(opts.cacheDir, 'sites', `${digest.slice(0, 24)}.png`);
    if (fs.existsSync(file)) {
      const png = await fs.promises.readFile(file);
      const meta = await sharp(png).metadata();
      return { png, width: meta.width ?? 0, height: meta.height ?? 0, file, cached: true };
    }
  }
  const raw = await loadRawSite(opts.root, opts.relPaths, { signal: opts.signal });
  const rgb = await compositeRgb(raw, opts.display, opts.size);
  const width = opts.size ?? raw.width;
  const height = opts.size ?? raw.height;
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  if (file) await writeFileAtomic(file, png);
  return { png, width, height, file, cached: false };
}
