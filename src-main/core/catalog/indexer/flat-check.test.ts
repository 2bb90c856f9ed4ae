// Flat channel images found at index time (real PNGs through sharp, a real SQLite catalog): black,
// constant and near-constant channels become 'flat-channel' problems, textured ones do not, the
// real RxRx1 sample has none, and the problems follow the files across incremental re-indexes.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../db';
import { buildFixture, tempDir } from '../../../../test-support/catalog/fixture';
import { fixturePlane, writePlanePng } from '../../../../test-support/imaging/fixtures';
import { FLAT_LISTED_PER_PLATE, mayBeFlat } from './flat-check';
import { indexDataset } from './index';

// The real sample beside the repository (../shared), or beside a worktree of it (../../shared).
const REAL =
  ['../../../../../shared/rxrx1', '../../../../../../shared/rxrx1']
    .map((p) => path.resolve(__dirname, p))
    .find((p) => fs.existsSync(path.join(p, 'train.csv'))) ?? '';
const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function flatProblems(dbFile: string): Array<{ path: string; message: string }> {
  const db = openCatalog(dbFile);
  try {
    return db
      .prepare(`SELECT path, message FROM problems WHERE kind = 'flat-channel' ORDER BY path`)
      .all() as Array<{ path: string; message: string }>;
  } finally {
    db.close();
  }
}

async function constantPng(file: string, value: number, size = 64, depth: 8 | 16 = 8) {
  const plane =
    depth === 16
      ? new Uint16Array(size * size).fill(value)
      : new Uint8Array(size * size).fill(value);
  await writePlanePng(file, plane, size);
}

describe('flat channel detection at index time', () => {
  it('reports black, constant and near-constant channels, and keeps them in step with the files', async () => {
    const root = tempDir('flat');
    made.push(root);
    await buildFixture(root, { experiments: [{ name: 'HUVEC-01', split: 'train', plates: 1 }] });
    const plate = 'train/HUVEC-01/Plate1';
    const abs = (name: string) => path.join(root, plate, name);
    // Textured 64×64 channels everywhere in B02 and B03 (the fixture's 8×8 placeholders stay).
    let seed = 1;
    for (const well of ['B02', 'B03'])
      for (const s of [1, 2])
        for (let c = 1; c <= 6; c++)
          await writePlanePng(abs(`${well}_s${s}_w${c}.png`), fixturePlane(64, seed++), 64);
    await constantPng(abs('B02_s1_w3.png'), 0); // all black, in the negative control
    await constantPng(abs('B03_s1_w2.png'), 37);
    await constantPng(abs('B03_s2_w5.png'), 3000, 64, 16); // 16-bit constant
    // Near-constant: 0.25% of a 512×512 image one grey level up (std 0.05).
    const near = new Uint8Array(512 * 512).fill(80);
    for (let i = 0; i < 655; i++) near[i * 397] = 81;
    await writePlanePng(abs('B02_s2_w4.png'), near, 512);

    const dbFile = path.join(root, 'catalog.db');
    const r1 = await indexDataset({ root, dbFile });
    const found = flatProblems(dbFile);
    expect(found.map((p) => p.path)).toEqual([
      `${plate}/B02_s1_w3.png`,
      `${plate}/B02_s2_w4.png`,
      `${plate}/B03_s1_w2.png`,
      `${plate}/B03_s2_w5.png`,
    ]);
    expect(found[0]!.message).toBe('flat channel: every pixel is 0 (all black)');
    expect(found[1]!.message).toMatch(
      /^near-constant channel: std 0\.\d\d grey levels \(mean 80\.0\)/,
    );
    expect(found[2]!.message).toBe('flat channel: every pixel is 37');
    expect(found[3]!.message).toBe('flat channel: every pixel is 12 on the 0–255 scale'); // 3000/257
    expect(r1.problems).toBeGreaterThanOrEqual(4);

    // Unchanged re-index: nothing rescanned, problems kept.
    const r2 = await indexDataset({ root, dbFile });
    expect(r2.platesScanned).toBe(0);
    expect(flatProblems(dbFile)).toEqual(found);

    // The black channel is replaced by a real one: its problem goes, the others stay.
    await writePlanePng(abs('B02_s1_w3.png'), fixturePlane(64, 999), 64);
    const r3 = await indexDataset({ root, dbFile });
    expect(r3.platesScanned).toBe(1);
    expect(flatProblems(dbFile).map((p) => p.path)).toEqual(found.slice(1).map((p) => p.path));
  });

  it('lists 24 flat images per plate and counts the rest in one entry', async () => {
    const root = tempDir('flat-many');
    made.push(root);
    await buildFixture(root, { experiments: [{ name: 'RPE-01', split: 'train', plates: 1 }] });
    const plate = 'train/RPE-01/Plate1';
    const names = fs
      .readdirSync(path.join(root, plate))
      .filter((n) => n.endsWith('.png'))
      .sort()
      .slice(0, 30);
    for (const n of names) await constantPng(path.join(root, plate, n), 20);
    const dbFile = path.join(root, 'catalog.db');
    await indexDataset({ root, dbFile });
    const db = openCatalog(dbFile);
    const rows = db
      .prepare(`SELECT path, message, count FROM problems WHERE kind = 'flat-channel' ORDER BY id`)
      .all() as Array<{ path: string; message: string; count: number }>;
    db.close();
    expect(rows.length).toBe(FLAT_LISTED_PER_PLATE + 1);
    expect(rows.slice(0, 24).map((r) => r.path)).toEqual(
      names.slice(0, 24).map((n) => `${plate}/${n}`),
    );
    expect(rows[24]).toEqual({
      path: plate,
      message: `6 more flat channel images in this plate (first: ${names[24]})`,
      count: 6,
    });
  });

  it.skipIf(!REAL)(
    'finds no flat channel, and no candidate to decode, in the real RxRx1 sample',
    async () => {
      const dir = tempDir('flat-real');
      made.push(dir);
      const dbFile = path.join(dir, 'real.db');
      await indexDataset({ root: REAL, dbFile });
      expect(flatProblems(dbFile)).toEqual([]);
      const db = openCatalog(dbFile);
      const rows = db.prepare('SELECT path, width, height, bit_depth FROM images').all() as Array<{
        path: string;
        width: number;
        height: number;
        bit_depth: number;
      }>;
      db.close();
      expect(rows.length).toBe(108);
      const candidates = rows.filter((r) =>
        mayBeFlat(fs.statSync(path.join(REAL, r.path)).size, r.width, r.height, r.bit_depth),
      );
      expect(candidates).toEqual([]);
      // The same 512×512 image made constant does pass the prefilter.
      const flat = await sharp(Buffer.alloc(512 * 512, 9), {
        raw: { width: 512, height: 512, channels: 1 },
      })
        .png()
        .toBuffer();
      expect(mayBeFlat(flat.length, 512, 512, 8)).toBe(true);
    },
  );
});
