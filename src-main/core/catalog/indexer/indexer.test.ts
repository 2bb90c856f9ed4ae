// indexDataset on fixture trees of real PNGs: counts, idempotent re-index, incremental updates
// that match a clean index, every problem kind, cancellation, and the real ../shared/rxrx1 sample.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog } from '../db';
import {
  buildFixture,
  dumpCatalog,
  dumpWithIds,
  tempDir,
  tinyPng,
} from '../../../../test-support/catalog/fixture';
import { indexDataset } from './index';
import { PlateLabError } from '../../errors';
import { realSampleDir } from '../../../../test-support/dataset/real-sample';

const REAL = realSampleDir() ?? path.resolve(__dirname, '../../../../../shared/rxrx1');
const made: string[] = [];
function temp(prefix: string): string {
  const d = tempDir(prefix);
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function read<T>(dbFile: string, fn: (db: ReturnType<typeof openCatalog>) => T): T {
  const db = openCatalog(dbFile);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Index the tree into a fresh catalog and dump it: what an incremental run must equal. */
async function cleanDump(root: string): Promise<Record<string, unknown[]>> {
  const dbFile = path.join(temp('clean'), 'c.db');
  await indexDataset({ root, dbFile });
  return read(dbFile, (db) => dumpCatalog(db));
}

describe('indexDataset on a fixture', () => {
  let root: string;
  let dbFile: string;
  beforeEach(async () => {
    root = temp('tree');
    dbFile = path.join(temp('db'), 'catalog.db');
    await buildFixture(root);
  });

  it('records experiments, plates, wells, sites, images with PNG headers, and no problems', async () => {
    const r = await indexDataset({ root, dbFile });
    expect(r).toMatchObject({
      experiments: 3,
      plates: 4,
      wells: 16,
      sites: 32,
      images: 192,
      problems: 0,
      format: 'rxrx1-2019',
    });
    expect(r.changed).toEqual({ added: 192, updated: 0, removed: 0 });
    read(dbFile, (db) => {
      const img = db
        .prepare("SELECT * FROM images WHERE path = 'train/HUVEC-01/Plate2/C03_s2_w5.png'")
        .get() as Record<string, number>;
      expect(img).toMatchObject({
        width: 8,
        height: 8,
        bit_depth: 8,
        ok: 1,
        size: fs.statSync(path.join(root, 'train/HUVEC-01/Plate2/C03_s2_w5.png')).size,
      });
      const w = db.prepare("SELECT * FROM wells WHERE id_code = 'HUVEC-01_2_C03'").get();
      expect(w).toMatchObject({
        well_type: 'positive_control',
        sirna: '1108',
        sirna_id: 1108,
        in_metadata: 1,
        has_images: 1,
        row: 2,
        col: 3,
      });
      expect(
        db.prepare("SELECT split, cell_type, batch FROM experiments WHERE name = 'HEPG2-02'").get(),
      ).toEqual({ split: 'test', cell_type: 'HEPG2', batch: 2 });
      expect(db.prepare("SELECT value FROM meta WHERE key = 'root'").get()).toEqual({
        value: root,
      });
    });
  });

  it('changes nothing on a second run over the same tree', async () => {
    await indexDataset({ root, dbFile });
    const before = read(dbFile, (db) => ({ ...dumpWithIds(db), ...dumpCatalog(db) }));
    const again = await indexDataset({ root, dbFile });
    expect(again.changed).toEqual({ added: 0, updated: 0, removed: 0 });
    expect(again.platesScanned).toBe(0);
    expect(again.metadataRead).toBe(false);
    expect(read(dbFile, (db) => ({ ...dumpWithIds(db), ...dumpCatalog(db) }))).toEqual(before);
  });

  it('follows added, removed, rewritten and touched files and ends equal to a clean index', async () => {
    await indexDataset({ root, dbFile });
    const plate = path.join(root, 'train/HUVEC-01/Plate1');
    fs.rmSync(path.join(plate, 'B03_s1_w2.png')); // removed: site incomplete now
    fs.writeFileSync(path.join(plate, 'B03_s1_w3.png'), await tinyPng(77, 12)); // rewritten: new size
    const touched = path.join(root, 'test/HEPG2-02/Plate1/D04_s2_w6.png');
    fs.utimesSync(touched, new Date(), new Date(Date.now() + 5000)); // touched: same bytes, new mtime
    for (let c = 1; c <= 6; c++)
      fs.writeFileSync(path.join(plate, `E05_s1_w${c}.png`), await tinyPng(c)); // new well, not in CSV
    const r = await indexDataset({ root, dbFile });
    expect(r.changed).toEqual({ added: 6, updated: 2, removed: 1 });
    expect(r.platesScanned).toBe(2);
    expect(r.platesUnchanged).toBe(2);
    expect(r).toMatchObject({ wells: 17, sites: 33, images: 197 });
    const incremental = read(dbFile, (db) => dumpCatalog(db));
    expect(incremental).toEqual(await cleanDump(root));
    read(dbFile, (db) => {
      expect(
        db
          .prepare("SELECT width FROM images WHERE path = 'train/HUVEC-01/Plate1/B03_s1_w3.png'")
          .get(),
      ).toEqual({ width: 12 });
      expect(
        db
          .prepare("SELECT well_type, in_metadata FROM wells WHERE id_code = 'HUVEC-01_1_E05'")
          .get(),
      ).toEqual({ well_type: 'unknown', in_metadata: 0 });
      const kinds = db
        .prepare('SELECT kind, SUM(count) AS n FROM problems GROUP BY kind ORDER BY kind')
        .all();
      expect(kinds).toEqual([
        { kind: 'image-without-csv-row', n: 1 },
        { kind: 'missing-channel', n: 1 },
        { kind: 'missing-site', n: 1 }, // E05 has site 1 only
      ]);
    });

    // Remove a whole plate folder and the added well: back to the CSV's wells, the plate's rows gone.
    fs.rmSync(path.join(root, 'train/RPE-01/Plate1'), { recursive: true });
    for (let c = 1; c <= 6; c++) fs.rmSync(path.join(plate, `E05_s1_w${c}.png`));
    const r2 = await indexDataset({ root, dbFile });
    expect(r2.changed.removed).toBe(48 + 6);
    expect(r2).toMatchObject({ experiments: 2, plates: 3, wells: 16, images: 197 - 54 });
    expect(read(dbFile, (db) => dumpCatalog(db))).toEqual(await cleanDump(root));
  });

  it('re-reads changed CSVs: relabelled, added and dropped wells, and matches a clean index', async () => {
    await indexDataset({ root, dbFile });
    const train = path.join(root, 'train.csv');
    const lines = fs.readFileSync(train, 'utf8').trim().split('\n');
    const edited = lines
      .filter((l) => !l.startsWith('HUVEC-01_1_B03,')) // dropped (still has images)
      .map((l) => (l.startsWith('HUVEC-01_2_D04,') ? 'HUVEC-01_2_D04,HUVEC-01,2,D04,999' : l));
    edited.push('U2OS-01_3_B05,U2OS-01,3,B05,5'); // a well of an experiment without images
    fs.writeFileSync(train, `${edited.join('\n')}\n`);
    const r = await indexDataset({ root, dbFile });
    expect(r.metadataRead).toBe(true);
    expect(r.platesScanned).toBe(0);
    read(dbFile, (db) => {
      expect(
        db.prepare("SELECT sirna_id FROM wells WHERE id_code = 'HUVEC-01_2_D04'").get(),
      ).toEqual({ sirna_id: 999 });
      expect(
        db
          .prepare(
            "SELECT well_type, sirna, in_metadata, has_images FROM wells WHERE id_code = 'HUVEC-01_1_B03'",
          )
          .get(),
      ).toEqual({
        well_type: 'unknown',
        sirna: null,
        in_metadata: 0,
        has_images: 1,
      });
    });
    expect(r).toMatchObject({ wells: 17, experiments: 3, plates: 4 });
    expect(read(dbFile, (db) => dumpCatalog(db))).toEqual(await cleanDump(root));
  });

  it('stops at the next plate when cancelled, and the next run completes it', async () => {
    const controller = new AbortController();
    const err = await indexDataset({
      root,
      dbFile,
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 2) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlateLabError);
    expect((err as PlateLabError).code).toBe('CANCELLED');
    expect(read(dbFile, (db) => db.prepare('SELECT COUNT(*) AS n FROM plate_scans').get())).toEqual(
      { n: 2 },
    );
    const r = await indexDataset({ root, dbFile });
    expect(r.platesScanned).toBe(2);
    expect(read(dbFile, (db) => dumpCatalog(db))).toEqual(await cleanDump(root));
  });

  it('gives the same catalog and digests with scan threads as in-process', async () => {
    const inProcess = path.join(temp('db0'), 'c.db');
    await indexDataset({ root, dbFile, threads: 2 });
    await indexDataset({ root, dbFile: inProcess, threads: 0 });
    expect(read(dbFile, (db) => dumpCatalog(db))).toEqual(read(inProcess, (db) => dumpCatalog(db)));
    const again = await indexDataset({ root, dbFile: inProcess, threads: 2 });
    expect(again.platesScanned).toBe(0);
  });

  it('reads pixel_stats.csv on a worker (same rows as in-process) and re-reads it alone when it changes', async () => {
    const stats = [
      'experiment,plate,well,site,channel,mean,std,median,min,max',
      'HUVEC-01,1,B02,1,1,10.5,2,9,1,200',
      'HUVEC-01,1,B2,2,3,11,,,,', // well canonicalised, absent values null
      'RPE-01,1,C03,1,6,x,1,1,1,1', // malformed mean
      'NOPE-09,1,B02,1,1,5,1,1,1,1', // unknown experiment
    ];
    fs.writeFileSync(path.join(root, 'pixel_stats.csv'), `${stats.join('\n')}\n`);
    const inProcess = path.join(temp('db0'), 'c.db');
    await indexDataset({ root, dbFile, threads: 1 });
    await indexDataset({ root, dbFile: inProcess, threads: 0 });
    const dumped = read(dbFile, (db) => dumpCatalog(db));
    expect(dumped).toEqual(read(inProcess, (db) => dumpCatalog(db)));
    expect(dumped.pixel_stats).toEqual([
      {
        name: 'HUVEC-01',
        plate: 1,
        well: 'B02',
        site: 1,
        channel: 1,
        mean: 10.5,
        std: 2,
        median: 9,
        min: 1,
        max: 200,
        source: 'csv',
      },
      {
        name: 'HUVEC-01',
        plate: 1,
        well: 'B02',
        site: 2,
        channel: 3,
        mean: 11,
        std: null,
        median: null,
        min: null,
        max: null,
        source: 'csv',
      },
    ]);
    const msgs = (dumped.problems as Array<{ path: string; message: string }>)
      .filter((p) => p.path === 'pixel_stats.csv')
      .map((p) => p.message);
    expect(msgs).toEqual([
      'experiment NOPE-09 is not in the well metadata; its pixel stats were skipped',
      'line 4: mean "x" is not a number',
    ]);
    fs.appendFileSync(path.join(root, 'pixel_stats.csv'), 'RPE-01,1,C03,1,6,7,1,1,1,1\n');
    const r = await indexDataset({ root, dbFile });
    expect(r.platesScanned).toBe(0);
    expect(read(dbFile, (db) => db.prepare('SELECT COUNT(*) AS n FROM pixel_stats').get())).toEqual(
      { n: 3 },
    );
  });

  it('reports a missing root as an input error naming the path', async () => {
    await expect(indexDataset({ root: path.join(root, 'nope'), dbFile })).rejects.toThrow(
      /nope does not exist/,
    );
  });
});

describe('problems found in the tree', () => {
  it('stores each kind with its path and keeps the good rows', async () => {
    const root = temp('bad');
    const dbFile = path.join(temp('db'), 'c.db');
    await buildFixture(root, {
      experiments: [
        { name: 'HUVEC-01', split: 'train', plates: 2 },
        { name: 'HEPG2-02', split: 'test', plates: 1 },
      ],
      withImages: (e, p) => !(e === 'HUVEC-01' && p === 2), // plate 2: CSV rows without images
    });
    const plate = path.join(root, 'train/HUVEC-01/Plate1');
    fs.writeFileSync(path.join(plate, 'notes.txt'), 'x'); // bad-file-name
    fs.writeFileSync(path.join(plate, 'B02_s1_w9.png'), await tinyPng(1)); // bad-file-name (channel 9)
    fs.rmSync(path.join(plate, 'C03_s2_w4.png')); // missing-channel
    fs.writeFileSync(
      path.join(plate, 'D04_s1_w1.png'),
      'not a png at all, just text that is long enough',
    ); // corrupt-png
    fs.writeFileSync(path.join(plate, 'B2_s1_w1.png'), await tinyPng(3)); // duplicate-image of B02_s1_w1
    fs.mkdirSync(path.join(plate, 'thumbs')); // outside-layout (folder in a plate)
    fs.writeFileSync(path.join(root, 'train/readme.txt'), 'x'); // outside-layout
    fs.mkdirSync(path.join(root, 'train/HUVEC-01/Plate_extra')); // outside-layout
    for (let c = 1; c <= 6; c++)
      fs.writeFileSync(path.join(plate, `F06_s1_w${c}.png`), await tinyPng(c)); // image-without-csv-row
    fs.appendFileSync(
      path.join(root, 'train.csv'),
      'HUVEC-01_1_B03,HUVEC-01,1,B03,8\nHUVEC-01_1_D04,HUVEC-01,1,D04,1\n',
    ); // duplicate + conflict
    const r = await indexDataset({ root, dbFile });
    const kinds = read(dbFile, (db) =>
      Object.fromEntries(
        (
          db.prepare('SELECT kind, SUM(count) AS n FROM problems GROUP BY kind').all() as Array<{
            kind: string;
            n: number;
          }>
        ).map((k) => [k.kind, k.n]),
      ),
    );
    expect(kinds).toEqual({
      'bad-file-name': 2,
      'missing-channel': 1,
      'missing-site': 1, // F06 has site 1 only
      'corrupt-png': 1,
      'duplicate-image': 1,
      'outside-layout': 3,
      'csv-row-without-images': 4,
      'image-without-csv-row': 1,
      'duplicate-row': 1,
      'conflicting-label': 1,
    });
    expect(r.problems).toBe(16);
    read(dbFile, (db) => {
      const corrupt = db
        .prepare("SELECT path, message FROM problems WHERE kind = 'corrupt-png'")
        .get();
      expect(corrupt).toEqual({
        path: 'train/HUVEC-01/Plate1/D04_s1_w1.png',
        message: 'not a PNG (bad signature)',
      });
      // The corrupt image is still catalogued (ok = 0), the duplicate is not.
      expect(
        db
          .prepare(
            "SELECT ok, width FROM images WHERE path = 'train/HUVEC-01/Plate1/D04_s1_w1.png'",
          )
          .get(),
      ).toEqual({ ok: 0, width: null });
      expect(
        db
          .prepare(
            "SELECT COUNT(*) AS n FROM images WHERE path = 'train/HUVEC-01/Plate1/B2_s1_w1.png'",
          )
          .get(),
      ).toEqual({ n: 0 });
      expect(
        db
          .prepare(
            "SELECT channels FROM sites s JOIN wells w ON w.id = s.well_id WHERE w.id_code = 'HUVEC-01_1_C03' AND s.site = 2",
          )
          .get(),
      ).toEqual({ channels: 5 });
      const missing = db
        .prepare("SELECT path, message, count FROM problems WHERE kind = 'csv-row-without-images'")
        .get();
      expect(missing).toEqual({
        path: 'train/HUVEC-01/Plate2',
        message: '4 wells listed in the metadata have no images (B02, B03, C03, D04)',
        count: 4,
      });
    });
    // Fix two problems: they disappear, the rest stay, and a clean index agrees.
    fs.rmSync(path.join(plate, 'notes.txt'));
    fs.writeFileSync(path.join(plate, 'D04_s1_w1.png'), await tinyPng(5));
    const r2 = await indexDataset({ root, dbFile });
    expect(r2.problems).toBe(14);
    expect(read(dbFile, (db) => dumpCatalog(db))).toEqual(await cleanDump(root));
  });
});

describe.skipIf(!fs.existsSync(path.join(REAL, 'train.csv')))('the real RxRx1 sample', () => {
  it('indexes exactly the 108 images on disk and counts the CSV rows without images', async () => {
    const dbFile = path.join(temp('real'), 'real.db');
    const r = await indexDataset({ root: REAL, dbFile });
    expect(r).toMatchObject({
      format: 'rxrx1-2019',
      experiments: 5,
      plates: 18,
      wells: 62755,
      sites: 18,
      images: 108,
    });
    const kinds = read(dbFile, (db) =>
      db
        .prepare('SELECT kind, SUM(count) AS n, COUNT(*) AS entries FROM problems GROUP BY kind')
        .all(),
    );
    // Every well but the 18 imaged B02 controls lacks images; one summary entry per plate (204).
    // The sample holds site 1 only of each imaged well: each is named as missing site 2.
    expect(kinds).toEqual([
      { kind: 'csv-row-without-images', n: 62755 - 18, entries: 204 },
      { kind: 'missing-site', n: 18, entries: 18 },
    ]);
    expect(r.problems).toBe(62737 + 18);
    expect(
      read(dbFile, (db) =>
        db
          .prepare("SELECT path, message FROM problems WHERE kind = 'missing-site' ORDER BY path")
          .get(),
      ),
    ).toEqual({
      path: 'test/HEPG2-08/Plate1/B02',
      message: 'well B02 has images for site 1 but none for site 2',
    });
    const again = await indexDataset({ root: REAL, dbFile });
    expect(again.changed).toEqual({ added: 0, updated: 0, removed: 0 });
    expect(again.metadataRead).toBe(false);
  });
});
