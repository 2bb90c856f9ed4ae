// Writes small synthetic RxRx1-layout sites (real PNGs through sharp) for tests and benchmarks:
// blobby "cells" per channel, deterministic for a seed. Not the app's synth generator.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { CHANNELS } from '../../src-main/core/dataset/plate';
import { siteRelPaths, type SiteRef } from '../../src-main/core/dataset/layout';

export interface FixtureSite extends SiteRef {
  relPaths: string[];
}

/** Deterministic pseudo-random plane: smooth blobs plus noise, different per channel and site. */
export function fixturePlane(
  size: number,
  seed: number,
  bitDepth: 8 | 16 = 8,
): Uint8Array | Uint16Array {
  let s = seed >>> 0 || 1;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const plane = new Float32Array(size * size);
  const blobs = 3 + Math.floor(rnd() * 6);
  for (let b = 0; b < blobs; b++) {
    const cx = rnd() * size;
    const cy = rnd() * size;
    const r = size * (0.05 + rnd() * 0.12);
    const amp = 60 + rnd() * 180;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const d2 = ((x - cx) ** 2 + (y - cy) ** 2) / (r * r);
        if (d2 < 4) plane[y * size + x]! += amp * Math.exp(-d2);
      }
    }
  }
  const max = bitDepth === 16 ? 65535 : 255;
  const out = bitDepth === 16 ? new Uint16Array(size * size) : new Uint8Array(size * size);
  for (let i = 0; i < plane.length; i++) {
    const v = Math.min(255, plane[i]! + rnd() * 12);
    out[i] = Math.round((v / 255) * max);
  }
  return out;
}

export async function writePlanePng(
  file: string,
  plane: Uint8Array | Uint16Array,
  size: number,
): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const is16 = plane instanceof Uint16Array;
  // A Uint16Array input makes sharp treat the raw samples as 16-bit.
  await sharp(plane, { raw: { width: size, height: size, channels: 1 } })
    .toColourspace(is16 ? 'grey16' : 'b-w')
    .png({ compressionLevel: 1 })
    .toFile(file);
}

/** Writes the 6 channels of each site; returns the sites with their relative paths. */
export async function writeFixtureSites(
  root: string,
  sites: SiteRef[],
  opts: { size?: number; bitDepth?: 8 | 16; seed?: number } = {},
): Promise<FixtureSite[]> {
  const size = opts.size ?? 64;
  const out: FixtureSite[] = [];
  let k = 0;
  for (const ref of sites) {
    const relPaths = siteRelPaths(ref);
    const seedBase = (opts.seed ?? 1) * 7919 + k++ * 131;
    await Promise.all(
      relPaths.map((rel, c) =>
        writePlanePng(
          path.join(root, rel),
          fixturePlane(size, seedBase + c * 17 + 1, opts.bitDepth ?? 8),
          size,
        ),
      ),
    );
    out.push({ ...ref, relPaths });
  }
  return out;
}

export const FIXTURE_CHANNELS = CHANNELS;

/** Registers fixture sites in a catalog (tests only: the indexer does this for real datasets). */
export function insertCatalogSites(
  db: import('../../src-main/core/catalog/db').Catalog,
  root: string,
  sites: Array<FixtureSite & { wellType?: string }>,
): void {
  const tx = db.transaction(() => {
    for (const s of sites) {
      db.prepare(
        'INSERT OR IGNORE INTO experiments (name, split, cell_type, batch) VALUES (?, ?, ?, ?)',
      ).run(s.experiment, s.split, s.experiment.split('-')[0], 1);
      const exp = db.prepare('SELECT id FROM experiments WHERE name = ?').get(s.experiment) as {
        id: number;
      };
      db.prepare('INSERT OR IGNORE INTO plates (experiment_id, plate) VALUES (?, ?)').run(
        exp.id,
        s.plate,
      );
      const plate = db
        .prepare('SELECT id FROM plates WHERE experiment_id = ? AND plate = ?')
        .get(exp.id, s.plate) as {
        id: number;
      };
      const row = 'ABCDEFGHIJKLMNOP'.indexOf(s.well[0]!);
      const col = Number(s.well.slice(1));
      db.prepare(
        `INSERT OR IGNORE INTO wells (plate_id, well, row, col, id_code, well_type, in_metadata, has_images)
         VALUES (?, ?, ?, ?, ?, ?, 1, 1)`,
      ).run(
        plate.id,
        s.well,
        row,
        col,
        `${s.experiment}_${s.plate}_${s.well}`,
        s.wellType ?? 'treatment',
      );
      const well = db
        .prepare('SELECT id FROM wells WHERE plate_id = ? AND well = ?')
        .get(plate.id, s.well) as { id: number };
      db.prepare('INSERT OR IGNORE INTO sites (well_id, site, channels) VALUES (?, ?, 6)').run(
        well.id,
        s.site,
      );
      const site = db
        .prepare('SELECT id FROM sites WHERE well_id = ? AND site = ?')
        .get(well.id, s.site) as { id: number };
      s.relPaths.forEach((rel, c) => {
        const st = fs.statSync(path.join(root, rel));
        db.prepare(
          'INSERT OR REPLACE INTO images (site_id, channel, path, size, mtime_ms, ok) VALUES (?, ?, ?, ?, ?, 1)',
        ).run(site.id, c + 1, rel, st.size, Math.round(st.mtimeMs));
      });
    }
  });
  tx();
}
