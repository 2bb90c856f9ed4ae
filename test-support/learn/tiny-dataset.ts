// Test fixture: a tiny RxRx1-layout dataset (real PNGs through sharp) and a real catalog for it,
// written with the migration-1 schema. Each class lights a class-specific channel pattern, so a tiny
// network can learn it in a couple of epochs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openCatalog } from '../../src-main/core/catalog/db';
import { writeMeta } from '../../src-main/core/catalog/meta';
import { siteRelPaths } from '../../src-main/core/dataset/layout';
import {
  idCode,
  parseExperimentName,
  parseWellName,
  wellName,
} from '../../src-main/core/dataset/plate';
import { SeededRng } from '../../src-main/core/util/rng';

export interface TinyDatasetOptions {
  classes?: number;
  trainExperiments?: string[];
  testExperiments?: string[];
  plates?: number;
  size?: number;
  seed?: number;
  /** Classes per plate group (plates rotate through groups); default: all classes on every plate. */
  groups?: number;
  /** Adds a negative-control well (B02, siRNA 1138, background only) to every plate. */
  negativeControls?: boolean;
  /**
   * A batch effect: every image of the i-th experiment gets this much more intensity in channel
   * (i + 1) mod 6 within its own horizontal band (rows i mod 4 quarters), whatever the class.
   */
  batchEffect?: number;
  /**
   * Classes seen in some training experiments only: class → the experiments whose plates hold it
   * (default: every experiment), for class-coverage tests (a class in 1 of 4 experiments).
   */
  classExperiments?: Record<number, string[]>;
}

export interface TinyDataset {
  root: string;
  dbFile: string;
  classes: number;
  /** sirna id of each test well, by id_code (the hidden truth). */
  testTruth: Map<string, number>;
  cleanup(): void;
}

function pattern(
  cls: number,
  size: number,
  rng: SeededRng,
  batch: { index: number; amount: number } | null = null,
): Uint8Array[] {
  const planes = Array.from({ length: 6 }, () => new Uint8Array(size * size));
  const ch = cls % 6;
  const quadrant = Math.floor(cls / 6) % 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const q = (y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1);
      for (let c = 0; c < 6; c++) {
        let v = 30 + rng.next() * 40;
        if (c === ch && q === quadrant) v += 150;
        if (batch && c === (batch.index + 1) % 6 && Math.floor((4 * y) / size) === batch.index % 4)
          v += batch.amount;
        planes[c]![y * size + x] = Math.min(255, v);
      }
    }
  }
  return planes;
}

export async function makeTinyDataset(opts: TinyDatasetOptions = {}): Promise<TinyDataset> {
  const classes = opts.classes ?? 4;
  const trainExps = opts.trainExperiments ?? ['HUVEC-01', 'RPE-01'];
  const testExps = opts.testExperiments ?? [];
  const plates = opts.plates ?? 2;
  const size = opts.size ?? 16;
  const groups = opts.groups ?? 1;
  const rng = new SeededRng(opts.seed ?? 7);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-learn-'));
  const dbFile = path.join(root, 'catalog.sqlite');
  const db = openCatalog(dbFile);
  writeMeta(db, 'root', root);
  const testTruth = new Map<string, number>();
  const groupSize = Math.floor(classes / groups);
  let expIndex = 0;
  for (const [split, exps] of [
    ['train', trainExps],
    ['test', testExps],
  ] as const) {
    for (const exp of exps) {
      const { cellType, batch } = parseExperimentName(exp);
      const e = db
        .prepare(`INSERT INTO experiments (name, split, cell_type, batch) VALUES (?, ?, ?, ?)`)
        .run(exp, split, cellType, batch);
      const rotation = expIndex++ % groups;
      for (let p = 1; p <= plates; p++) {
        const pl = db
          .prepare(`INSERT INTO plates (experiment_id, plate) VALUES (?, ?)`)
          .run(e.lastInsertRowid, p);
        const group = (p - 1 + rotation) % groups;
        const members =
          groups === 1
            ? Array.from({ length: classes }, (_, i) => i)
            : Array.from({ length: groupSize }, (_, i) => group * groupSize + i);
        const here = members.filter((c) => opts.classExperiments?.[c]?.includes(exp) ?? true);
        const order: number[] = rng.shuffle(here);
        // -1: the negative control (no class pattern), at B02 as in RxRx1.
        if (opts.negativeControls) order.unshift(-1);
        for (let k = 0; k < order.length; k++) {
          const cls = order[k]!;
          const control = cls < 0;
          const slot = opts.negativeControls ? k - 1 : k;
          const well = control
            ? 'B02'
            : wellName({ row: 1 + Math.floor(slot / 22), col: 3 + (slot % 21) });
          const pos = parseWellName(well)!;
          const code = idCode(exp, p, well);
          if (split === 'test' && !control) testTruth.set(code, cls);
          const w = db
            .prepare(
              `INSERT INTO wells (plate_id, well, row, col, id_code, well_type, sirna, sirna_id, in_metadata, has_images)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1)`,
            )
            .run(
              pl.lastInsertRowid,
              well,
              pos.row,
              pos.col,
              code,
              control ? 'negative_control' : 'treatment',
              control ? '1138' : split === 'train' ? String(cls) : null,
              control ? 1138 : split === 'train' ? cls : null,
            );
          for (const site of [1, 2]) {
            const s = db
              .prepare(`INSERT INTO sites (well_id, site, channels) VALUES (?, ?, 6)`)
              .run(w.lastInsertRowid, site);
            const rels = siteRelPaths({ split, experiment: exp, plate: p, well, site });
            const planes = pattern(
              cls,
              size,
              rng,
              opts.batchEffect ? { index: expIndex - 1, amount: opts.batchEffect } : null,
            );
            for (let c = 0; c < 6; c++) {
              const file = path.join(root, rels[c]!);
              fs.mkdirSync(path.dirname(file), { recursive: true });
              await sharp(Buffer.from(planes[c]!), {
                raw: { width: size, height: size, channels: 1 },
              })
                .png()
                .toFile(file);
              db.prepare(
                `INSERT INTO images (site_id, channel, path, size, mtime_ms, width, height, bit_depth, ok) VALUES (?, ?, ?, 0, 0, ?, ?, 8, 1)`,
              ).run(s.lastInsertRowid, c + 1, rels[c]!, size, size);
            }
          }
        }
      }
    }
  }
  db.close();
  const testLines = ['id_code,experiment,plate,well'];
  for (const code of testTruth.keys()) {
    const [exp, plate, well] = code.split('_');
    testLines.push(`${code},${exp},${plate},${well}`);
  }
  fs.writeFileSync(path.join(root, 'test.csv'), `${testLines.join('\n')}\n`);
  return {
    root,
    dbFile,
    classes,
    testTruth,
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
