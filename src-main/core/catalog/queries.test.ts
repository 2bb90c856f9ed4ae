// The typed read functions over a catalog indexed from a fixture tree with a few planted problems.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from './db';
import { indexDataset } from './indexer';
import {
  datasetSummary,
  listExperiments,
  listPlates,
  listProblems,
  listSites,
  plateWells,
  wellDetail,
} from './queries';
import { buildFixture, tempDir, tinyPng } from '../../../test-support/catalog/fixture';
import { catalogSites } from '../imaging/catalog-sites';
import { loadSiteRows } from '../learn/data/site-rows';

let root: string;
let dbDir: string;
let db: Catalog;

beforeAll(async () => {
  root = tempDir('q-tree');
  await buildFixture(root, { withImages: (e, p) => !(e === 'HUVEC-01' && p === 2) });
  const plate = path.join(root, 'train/HUVEC-01/Plate1');
  fs.rmSync(path.join(plate, 'C03_s2_w4.png'));
  fs.writeFileSync(path.join(plate, 'D04_s1_w2.png'), 'broken');
  fs.writeFileSync(path.join(plate, 'notes_1.txt'), 'x');
  for (let c = 1; c <= 6; c++)
    fs.writeFileSync(path.join(plate, `G07_s1_w${c}.png`), await tinyPng(c));
  dbDir = tempDir('q-db');
  const dbFile = path.join(dbDir, 'q.db');
  await indexDataset({ root, dbFile });
  db = openCatalog(dbFile);
});
afterAll(() => {
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(dbDir, { recursive: true, force: true });
});

describe('catalog queries', () => {
  it('summarises the dataset with counts and one row per plate', () => {
    const s = datasetSummary(db);
    expect(s.root).toBe(root);
    expect(s.format).toBe('rxrx1-2019');
    expect(s.indexedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // 4 plates × 4 wells + G07 (no CSV row); HUVEC-01 plate 2 has no images.
    expect(s.counts).toEqual({
      experiments: 3,
      plates: 3,
      wells: 17,
      sites: 3 * 4 * 2 + 1,
      images: 3 * 4 * 12 + 6 - 1,
      // bad name, corrupt, 4 wells without images, G07 without CSV row, missing channel, G07 without site 2
      problems: 1 + 1 + 4 + 1 + 1 + 1,
    });
    expect(
      s.plates.map((p) => `${p.experiment}/${p.plate}:${p.wells}/${p.sites}/${p.images}`),
    ).toEqual(['HUVEC-01/1:5/9/53', 'HUVEC-01/2:4/0/0', 'RPE-01/1:4/8/48', 'HEPG2-02/1:4/8/48']);
    expect(s.plates[1]!.hasImages).toBe(false);
  });

  it('lists experiments and plates with an optional filter', () => {
    const e = listExperiments(db);
    expect(
      e.map((x) => [
        x.name,
        x.split,
        x.cellType,
        x.batch,
        x.plates,
        x.platesWithImages,
        x.wells,
        x.images,
      ]),
    ).toEqual([
      ['HUVEC-01', 'train', 'HUVEC', 1, 2, 1, 9, 53],
      ['RPE-01', 'train', 'RPE', 1, 1, 1, 4, 48],
      ['HEPG2-02', 'test', 'HEPG2', 2, 1, 1, 4, 48],
    ]);
    expect(listPlates(db, { experiment: 'HUVEC-01' }).map((p) => p.plate)).toEqual([1, 2]);
    expect(
      listPlates(db, { experiment: 'HUVEC-01', withImages: true }).map((p) => p.plate),
    ).toEqual([1]);
  });

  it('gives every well of a plate with type, label, sites and broken flag', () => {
    const p = plateWells(db, 'HUVEC-01', 1);
    expect(p).toMatchObject({
      experiment: 'HUVEC-01',
      plate: 1,
      split: 'train',
      cellType: 'HUVEC',
    });
    const by = new Map(p.wells.map((w) => [w.well, w]));
    expect([...by.keys()]).toEqual(['B02', 'B03', 'C03', 'D04', 'G07']);
    expect(by.get('B02')).toMatchObject({
      row: 1,
      col: 2,
      idCode: 'HUVEC-01_1_B02',
      wellType: 'negative_control',
      sirnaId: 1138,
      sites: 2,
      hasImages: true,
      broken: false,
    });
    expect(by.get('C03')!.broken).toBe(true); // channel missing
    expect(by.get('D04')!.broken).toBe(true); // unreadable PNG
    expect(by.get('G07')).toMatchObject({
      wellType: 'unknown',
      inMetadata: false,
      sirna: null,
      sites: 1,
    });
    expect(plateWells(db, 'HUVEC-01', 2).wells.every((w) => !w.hasImages && w.sites === 0)).toBe(
      true,
    );
    expect(() => plateWells(db, 'NOPE', 1)).toThrow(/not in the catalog/);
  });

  it('details a well: sites, channel paths and ok flags, with a reason for broken sites', () => {
    const d = wellDetail(db, 'HUVEC-01_1_D04');
    expect(d.well.sirnaId).toBe((3 * 7 + 1) % 1108);
    expect(d.sites.map((s) => [s.site, s.channels.length, s.complete, s.error])).toEqual([
      [1, 6, false, 'unreadable channel 2'],
      [2, 6, true, null],
    ]);
    expect(d.sites[0]!.channels[0]).toEqual({
      channel: 1,
      path: 'train/HUVEC-01/Plate1/D04_s1_w1.png',
      ok: true,
      width: 8,
      height: 8,
      bitDepth: 8,
    });
    expect(wellDetail(db, 'HUVEC-01_1_C03').sites[1]!.error).toBe('missing channel 4');
    expect(() => wellDetail(db, 'HUVEC-01_9_B02')).toThrow(/not in the catalog/);
  });

  it('lists sites with six paths and labels, filtered by split, experiment, well type and completeness', () => {
    const all = listSites(db);
    expect(all).toHaveLength(25);
    const s = all.find((x) => x.idCode === 'RPE-01_1_C03' && x.site === 2)!;
    expect(s).toMatchObject({
      split: 'train',
      experiment: 'RPE-01',
      cellType: 'RPE',
      plate: 1,
      well: 'C03',
      wellType: 'positive_control',
      sirnaId: 1108,
      complete: true,
    });
    expect(s.paths).toEqual([1, 2, 3, 4, 5, 6].map((c) => `train/RPE-01/Plate1/C03_s2_w${c}.png`));
    const gap = all.find((x) => x.idCode === 'HUVEC-01_1_C03' && x.site === 2)!;
    expect(gap.paths[3]).toBe('');
    expect(gap.complete).toBe(false);
    expect(listSites(db, { completeOnly: true })).toHaveLength(23);
    expect(
      listSites(db, { split: 'test' }).every(
        (x) => x.split === 'test' && x.experiment === 'HEPG2-02',
      ),
    ).toBe(true);
    expect(listSites(db, { split: 'test' })).toHaveLength(8);
    expect(
      listSites(db, { experiments: ['RPE-01'], wellTypes: ['negative_control'] }).map(
        (x) => x.idCode,
      ),
    ).toEqual(['RPE-01_1_B02', 'RPE-01_1_B02']);
    expect(listSites(db, { experiments: [] })).toEqual([]);
    expect(() => listSites(db, { experiments: ['NOPE-01'] })).toThrow(
      /NOPE-01 is not in the catalog/,
    );
    expect(listSites(db, { experiments: ['RPE-01'], plate: 1, site: 2 })).toHaveLength(4);
  });

  it('has one rule for a complete site, shared by wells, learning and imaging', () => {
    // D04 site 1 has all six files but channel 2 is unreadable; C03 site 2 lacks channel 4.
    const all = listSites(db);
    const corrupt = all.find((x) => x.idCode === 'HUVEC-01_1_D04' && x.site === 1)!;
    expect(corrupt.paths.every((p) => p !== '')).toBe(true);
    expect(corrupt.complete).toBe(false);
    const key = (x: { idCode: string; site: number }) => `${x.idCode}/${x.site}`;
    const complete = all.filter((x) => x.complete).map(key);
    expect(listSites(db, { completeOnly: true }).map(key)).toEqual(complete);
    expect(loadSiteRows(db).map((x) => [key(x), x.complete])).toEqual(
      all.map((x) => [key(x), x.complete]),
    );
    const huvec = catalogSites(db, { experiment: 'HUVEC-01' }).map(key);
    expect(huvec).toEqual(complete.filter((k) => k.startsWith('HUVEC-01_')));
    expect(huvec).not.toContain('HUVEC-01_1_D04/1');
    const broken = plateWells(db, 'HUVEC-01', 1)
      .wells.filter((w) => w.broken)
      .map((w) => w.well);
    expect(broken).toEqual(['C03', 'D04']);
  });

  it('pages and filters problems, with exact per-kind counts', () => {
    const all = listProblems(db, { limit: 2 });
    expect(all.kinds).toEqual([
      { kind: 'bad-file-name', count: 1 },
      { kind: 'corrupt-png', count: 1 },
      { kind: 'csv-row-without-images', count: 4 },
      { kind: 'image-without-csv-row', count: 1 },
      { kind: 'missing-channel', count: 1 },
      { kind: 'missing-site', count: 1 },
    ]);
    expect(all.total).toBe(6);
    expect(all.totalCount).toBe(9);
    expect(all.items).toHaveLength(2);
    const page2 = listProblems(db, { offset: 2, limit: 2 });
    expect(page2.items[0]!.kind).toBe('csv-row-without-images');
    expect(page2.items[0]!.count).toBe(4);
    expect(listProblems(db, { kind: 'corrupt-png' }).items.map((p) => p.path)).toEqual([
      'train/HUVEC-01/Plate1/D04_s1_w2.png',
    ]);
    // '_' in a search is literal, not a LIKE wildcard.
    expect(listProblems(db, { search: 'notes_1' }).items.map((p) => p.kind)).toEqual([
      'bad-file-name',
    ]);
    expect(listProblems(db, { search: 'notesX1' }).total).toBe(0);
  });
});
