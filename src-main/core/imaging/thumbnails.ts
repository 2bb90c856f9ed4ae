// Plate sprites (one PNG holding every well's thumbnail on the plate grid) and single-site PNGs
// for the well viewer, both rendered with a DisplayState and cached on disk under a key made of
// the source files (path+size+mtime) and the display state.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Catalog } from '../catalog/db';
import { parseWellName } from '../dataset/plate';
import { inputError, throwIfCancelled } from '../errors';
import { catalogSites } from './catalog-sites';
import { renderComposite, type DisplayState } from './display';
import { safeName, sourceDigest, writeFileAtomic } from './files';
import { loadRawSite, type RawSite } from './load-site';

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
    relPaths: s.relPaths,
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

/** Builds (or finds in the cache) the sprite of one plate. */
export async function plateSprite(opts: PlateSpriteOptions): Promise<PlateSprite> {
  const size = opts.size ?? 96;
  const site = opts.site ?? 1;
  const wells = spriteWells(opts);
  const layout = spriteLayout(wells.map((w) => w.well));
  const cells = wells.map((w) => ({ well: w.well, index: layout.index(w.well) }));
  const digest = sourceDigest(
    opts.root,
    wells.flatMap((w) => w.relPaths),
    { v: SPRITE_VERSION, size, site, display: opts.display, wells: wells.map((w) => w.well) },
  );
  const prefix = `${safeName(opts.experiment)}_P${opts.plate}_s${site}_${size}_`;
  const file = path.join(opts.cacheDir, 'sprites', `${prefix}${digest.slice(0, 20)}.png`);
  const result = { file, cell: size, columns: layout.columns, rows: layout.rows, wells: cells };
  if (fs.existsSync(file)) return { ...result, cached: true };

  const width = layout.columns * size;
  const height = layout.rows * size;
  const rgb = new Uint8Array(width * height * 3);
  const stride = width * 3;
  let done = 0;
  await forEachLimited(wells, opts.concurrency ?? 4, async (w, i) => {
    throwIfCancelled(opts.signal);
    const idx = cells[i]!.index;
    const x0 = (idx % layout.columns) * size;
    const y0 = Math.floor(idx / layout.columns) * size;
    const view = rgb.subarray(y0 * stride + x0 * 3);
    const raw = await loadRawSite(opts.root, w.relPaths, { signal: opts.signal });
    if (raw.width === size && raw.height === size) {
      renderComposite(raw.data, size, size, opts.display, view, stride);
    } else {
      // Composite at full resolution, then one 3-band resize (cheaper than resizing 6 bands).
      const cell = await compositeRgb(raw, opts.display, size);
      for (let y = 0; y < size; y++)
        view.set(cell.subarray(y * size * 3, (y + 1) * size * 3), y * stride);
    }
    done++;
    opts.onProgress?.(done, wells.length, w.well);
  });
  throwIfCancelled(opts.signal);
  // Fast settings: sprites are regenerated from the cache key, size matters less than latency.
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
  await writeFileAtomic(file, png);
  removeStale(path.dirname(file), prefix, path.basename(file));
  return { ...result, cached: false };
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

/** Older sprites of the same plate/site/size (other sources or display) are dropped. */
function removeStale(dir: string, prefix: string, keep: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(prefix) && name !== keep && name.endsWith('.png'))
      fs.rmSync(path.join(dir, name), { force: true });
  }
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
