// Test helper (not a test): writes a small RxRx1-layout dataset with 2019 CSVs and real PNGs
// encoded by sharp, so catalog, query and CLI tests run against real files in a temp folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Catalog } from '../../src-main/core/catalog/db';

export interface FixtureExperiment {
  name: string;
  split: 'train' | 'test';
  plates: number;
}

export interface FixtureOptions {
  experiments?: FixtureExperiment[];
  /** Wells on every plate: B02 is the negative control, C03 a positive control, the rest treatments. */
  wells?: string[];
  sites?: number;
  /** Write images only for plates where this returns true (default: all). */
  withImages?: (experiment: string, plate: number) => boolean;
}

export const DEFAULT_EXPERIMENTS: FixtureExperiment[] = [
  { name: 'HUVEC-01', split: 'train', plates: 2 },
  { name: 'RPE-01', split: 'train', plates: 1 },
  { name: 'HEPG2-02', split: 'test', plates: 1 },
];
export const DEFAULT_WELLS = ['B02', 'B03', 'C03', 'D04'];

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `platelab-${prefix}-`));
}

/** An 8×8 8-bit grayscale PNG, different bytes per value. */
export async function tinyPng(value: number, size = 8): Promise<Buffer> {
  return sharp(Buffer.alloc(size * size, value), {
    raw: { width: size, height: size, channels: 1 },
  })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}

export interface FixtureInfo {
  root: string;
  wells: number;
  sites: number;
  images: number;
  plates: number;
}

export async function buildFixture(root: string, opts: FixtureOptions = {}): Promise<FixtureInfo> {
  const experiments = opts.experiments ?? DEFAULT_EXPERIMENTS;
  const wells = opts.wells ?? DEFAULT_WELLS;
  const sites = opts.sites ?? 2;
  const pngs = await Promise.all([1, 2, 3, 4, 5, 6].map((c) => tinyPng(c * 30)));
  const lines: Record<string, string[]> = {
    'train.csv': ['id_code,experiment,plate,well,sirna'],
    'train_controls.csv': ['id_code,experiment,plate,well,sirna,well_type'],
    'test.csv': ['id_code,experiment,plate,well'],
    'test_controls.csv': ['id_code,experiment,plate,well,sirna,well_type'],
    'sample_submission.csv': ['id_code,sirna'],
  };
  const info: FixtureInfo = { root, wells: 0, sites: 0, images: 0, plates: 0 };
  for (const e of experiments) {
    for (let plate = 1; plate <= e.plates; plate++) {
      const images = opts.withImages?.(e.name, plate) ?? true;
      const dir = path.join(root, e.split, e.name, `Plate${plate}`);
      if (images) {
        fs.mkdirSync(dir, { recursive: true });
        info.plates++;
      }
      wells.forEach((well, i) => {
        const id = `${e.name}_${plate}_${well}`;
        info.wells++;
        if (well === 'B02')
          lines[`${e.split}_controls.csv`]!.push(
            `${id},${e.name},${plate},${well},1138,negative_control`,
          );
        else if (well === 'C03')
          lines[`${e.split}_controls.csv`]!.push(
            `${id},${e.name},${plate},${well},1108,positive_control`,
          );
        else if (e.split === 'train')
          lines['train.csv']!.push(`${id},${e.name},${plate},${well},${(i * 7 + plate) % 1108}`);
        else {
          lines['test.csv']!.push(`${id},${e.name},${plate},${well}`);
          lines['sample_submission.csv']!.push(`${id},0`);
        }
        if (!images) return;
        for (let s = 1; s <= sites; s++) {
          info.sites++;
          for (let c = 1; c <= 6; c++) {
            fs.writeFileSync(path.join(dir, `${well}_s${s}_w${c}.png`), pngs[c - 1]!);
            info.images++;
          }
        }
      });
    }
  }
  for (const [name, rows] of Object.entries(lines))
    fs.writeFileSync(path.join(root, name), `${rows.join('\n')}\n`);
  return info;
}

/** Every table's rows in a stable order (ids left out), for comparing two catalogs. */
export function dumpCatalog(
  db: Catalog,
  opts: { skipMetaKeys?: string[] } = {},
): Record<string, unknown[]> {
  // dataset_id is each catalog's own random identity (migration 3), not indexed content.
  const skip = new Set(opts.skipMetaKeys ?? ['indexed_at', 'dataset_id']);
  return {
    meta: (
      db.prepare('SELECT key, value FROM meta ORDER BY key').all() as Array<{ key: string }>
    ).filter((r) => !skip.has(r.key)),
    experiments: db
      .prepare('SELECT name, split, cell_type, batch FROM experiments ORDER BY name')
      .all(),
    plates: db
      .prepare(
        'SELECT e.name, p.plate FROM plates p JOIN experiments e ON e.id = p.experiment_id ORDER BY 1, 2',
      )
      .all(),
    wells: db
      .prepare(
        'SELECT id_code, well, row, col, well_type, sirna, sirna_id, in_metadata, has_images FROM wells ORDER BY id_code',
      )
      .all(),
    sites: db
      .prepare(
        'SELECT w.id_code, s.site, s.channels FROM sites s JOIN wells w ON w.id = s.well_id ORDER BY 1, 2',
      )
      .all(),
    images: db
      .prepare(
        `SELECT i.path, w.id_code, s.site, i.channel, i.size, i.mtime_ms, i.width, i.height, i.bit_depth, i.ok
         FROM images i JOIN sites s ON s.id = i.site_id JOIN wells w ON w.id = s.well_id ORDER BY i.path`,
      )
      .all(),
    pixel_stats: db
      .prepare(
        `SELECT e.name, ps.plate, ps.well, ps.site, ps.channel, ps.mean, ps.std, ps.median, ps.min, ps.max, ps.source
         FROM pixel_stats ps JOIN experiments e ON e.id = ps.experiment_id ORDER BY 1, 2, 3, 4, 5`,
      )
      .all(),
    problems: db
      .prepare(
        'SELECT kind, path, message, scope, count FROM problems ORDER BY kind, path, message',
      )
      .all(),
    plate_scans: db.prepare('SELECT * FROM plate_scans ORDER BY dir').all(),
  };
}

/** Raw rows including ids, for "nothing was rewritten" checks. */
export function dumpWithIds(db: Catalog): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of [
    'experiments',
    'plates',
    'wells',
    'sites',
    'images',
    'pixel_stats',
    'problems',
    'plate_scans',
  ])
    out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all();
  return out;
}
