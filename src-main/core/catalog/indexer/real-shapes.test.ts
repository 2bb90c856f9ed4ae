// Real RxRx1 inputs as they exist in the wild, built from the real sample (../shared/rxrx1: real
// 2019 CSV rows, real PNGs): the 2020 layout, the string-label re-release and its submission,
// mixed label styles, untidy well names, wells missing a site. Each indexes into a real SQLite file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../db';
import { datasetLabelStyle } from '../queries';
import { tempDir } from '../../../../test-support/catalog/fixture';
import { indexDataset } from './index';
import { realSampleDir } from '../../../../test-support/dataset/real-sample';
import { buildClassList } from '../../learn/data/classes';
import { loadSiteRows } from '../../learn/data/site-rows';
import {
  buildSubmission,
  readSampleSubmission,
  readTestIds,
  submissionLabel,
} from '../../learn/evaluate/submission';

const REAL = realSampleDir();
const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});
function temp(prefix: string): string {
  const d = tempDir(prefix);
  made.push(d);
  return d;
}

function read<T>(dbFile: string, fn: (db: ReturnType<typeof openCatalog>) => T): T {
  const db = openCatalog(dbFile);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The real PNGs: `{split}/{EXP}/Plate{p}/{file}` relative to the sample folder. */
function realImages(): string[] {
  const out: string[] = [];
  for (const split of ['train', 'test'])
    for (const exp of fs.readdirSync(path.join(REAL!, split)))
      for (const plate of fs.readdirSync(path.join(REAL!, split, exp)))
        for (const f of fs.readdirSync(path.join(REAL!, split, exp, plate)))
          out.push(`${split}/${exp}/${plate}/${f}`);
  return out.sort();
}

/** `EXP_plate` of every imaged plate. */
function imagedPlates(): Set<string> {
  return new Set(
    realImages().map((p) => {
      const [, exp, plate] = p.split('/');
      return `${exp}_${plate!.replace('Plate', '')}`;
    }),
  );
}

type Layout = '2019' | 'images' | 'images-split';

/** Copies the real PNGs into `root` in the given layout. */
function copyImages(root: string, layout: Layout, top = 'images'): void {
  for (const rel of realImages()) {
    const [split, ...rest] = rel.split('/');
    const target =
      layout === '2019'
        ? rel
        : layout === 'images'
          ? `${top}/${rest.join('/')}`
          : `${top}/${split}/${rest.join('/')}`;
    fs.mkdirSync(path.dirname(path.join(root, target)), { recursive: true });
    fs.copyFileSync(path.join(REAL!, rel), path.join(root, target));
  }
}

interface RealCsv {
  header: string;
  rows: string[];
}

/** One of the real CSVs, restricted to the rows of imaged plates (the id_code's EXP_plate). */
function realRows(name: string): RealCsv {
  const plates = imagedPlates();
  const [header, ...lines] = fs.readFileSync(path.join(REAL!, name), 'utf8').trim().split('\n');
  const rows = lines.filter((l) => plates.has(l.split(',')[0]!.split('_').slice(0, 2).join('_')));
  return { header: header!, rows };
}

const WELL_FILES = ['train.csv', 'train_controls.csv', 'test.csv', 'test_controls.csv'];

/** Writes the 2019 CSVs (and sample_submission.csv) from real rows, each row passed through `edit`. */
function write2019(root: string, edit: (file: string, row: string) => string = (_f, r) => r) {
  for (const name of [...WELL_FILES, 'sample_submission.csv']) {
    const t = realRows(name);
    fs.writeFileSync(
      path.join(root, name),
      `${[t.header, ...t.rows.map((r) => edit(name, r))].join('\n')}\n`,
    );
  }
}

/**
 * A 2020 metadata.csv from the real 2019 rows: two site rows per well, the 2019 integer label as
 * sirna_id. Written with a BOM, CRLF line ends, another column order, a capitalised header and
 * an extra column, as files edited by hand come.
 */
function write2020(root: string): number {
  const wells: Array<{ id: string; split: string; sirna: string; type: string }> = [];
  for (const name of WELL_FILES) {
    const t = realRows(name);
    const cols = t.header.split(',');
    for (const r of t.rows) {
      const v = Object.fromEntries(r.split(',').map((x, i) => [cols[i]!, x]));
      wells.push({
        id: v.id_code!,
        split: name.startsWith('train') ? 'train' : 'test',
        sirna: v.sirna ?? '',
        type: v.well_type ?? 'treatment',
      });
    }
  }
  const lines = [
    'Well,Plate,Experiment,site_id,well_id,Cell_Type,dataset,site,well_type,sirna,sirna_id,notes',
  ];
  for (const w of wells) {
    const [exp, plate, well] = w.id.split('_') as [string, string, string];
    const name = w.sirna === '1138' ? 'EMPTY' : w.sirna === '' ? '' : `s${w.sirna}`;
    for (const site of [1, 2])
      lines.push(
        `${well},${plate},${exp},${w.id}_${site},${w.id},${exp.split('-')[0]},${w.split},${site},${w.type},${name},${w.sirna},`,
      );
  }
  fs.writeFileSync(path.join(root, 'metadata.csv'), `\uFEFF${lines.join('\r\n')}\r\n`);
  return wells.length;
}

function problems(dbFile: string, kind: string) {
  return read(
    dbFile,
    (db) =>
      db
        .prepare('SELECT path, message, count FROM problems WHERE kind = ? ORDER BY path')
        .all(kind) as Array<{ path: string; message: string; count: number }>,
  );
}

describe.skipIf(!REAL)('real RxRx1 inputs in the shapes they come in', () => {
  it.each([
    ['images/{EXP}/Plate{p}', 'images' as const, 'images/HEPG2-01/Plate1'],
    ['images/{train|test}/{EXP}/Plate{p}', 'images-split' as const, 'images/train/HEPG2-01/Plate1'],
  ])('indexes the 2020 release with its images under %s', async (_name, layout, firstPlate) => {
    const root = temp('r2020');
    const wells = write2020(root);
    copyImages(root, layout);
    const dbFile = path.join(temp('db'), 'c.db');
    const r = await indexDataset({ root, dbFile });
    expect(r).toMatchObject({
      format: 'rxrx1-2020',
      experiments: 5,
      plates: 18,
      wells,
      sites: 18,
      images: 108,
    });
    read(dbFile, (db) => {
      expect(
        db.prepare('SELECT name, split, cell_type FROM experiments ORDER BY name').all(),
      ).toEqual([
        { name: 'HEPG2-01', split: 'train', cell_type: 'HEPG2' },
        { name: 'HEPG2-08', split: 'test', cell_type: 'HEPG2' },
        { name: 'HUVEC-01', split: 'train', cell_type: 'HUVEC' },
        { name: 'RPE-01', split: 'train', cell_type: 'RPE' },
        { name: 'U2OS-01', split: 'train', cell_type: 'U2OS' },
      ]);
      // Real 512×512 PNG headers, under the release's own folders.
      expect(
        db
          .prepare(
            'SELECT COUNT(*) AS n, MIN(width) AS w, MAX(height) AS h, SUM(ok) AS ok FROM images',
          )
          .get(),
      ).toEqual({ n: 108, w: 512, h: 512, ok: 108 });
      expect(
        db
          .prepare(
            `SELECT w.well_type, w.sirna, w.sirna_id, w.has_images, i.path FROM wells w
               JOIN sites s ON s.well_id = w.id JOIN images i ON i.site_id = s.id
               WHERE w.id_code = 'HEPG2-01_1_B02' AND i.channel = 1`,
          )
          .get(),
      ).toEqual({
        well_type: 'negative_control',
        sirna: 'EMPTY',
        sirna_id: 1138,
        has_images: 1,
        path: `${firstPlate}/B02_s1_w1.png`,
      });
    });
    expect(problems(dbFile, 'no-image-folder')).toEqual([]);
    expect(problems(dbFile, 'untidy-value')).toEqual([]);
    // metadata.csv lists site 2 of every well, the sample has site 1 only: each well is named.
    const missing = problems(dbFile, 'missing-site');
    expect(missing).toHaveLength(18);
    expect(missing.find((p) => p.path === `${firstPlate}/B02`)).toEqual({
      path: `${firstPlate}/B02`,
      message: 'well B02 has images for site 1 but none for site 2',
      count: 1,
    });
    const again = await indexDataset({ root, dbFile });
    expect(again.changed).toEqual({ added: 0, updated: 0, removed: 0 });
    expect(again.images).toBe(108);
  });

  it('says where it looked when the 2020 metadata is found but no image folder matches', async () => {
    const root = temp('r2020-lost');
    write2020(root);
    copyImages(root, 'images', 'rxrx1_images');
    const dbFile = path.join(temp('db'), 'c.db');
    const r = await indexDataset({ root, dbFile });
    expect(r).toMatchObject({ format: 'rxrx1-2020', images: 0 });
    const [p, ...rest] = problems(dbFile, 'no-image-folder');
    expect(rest).toEqual([]);
    expect(p!.path).toBe('.');
    for (const tried of [
      'images/<EXPERIMENT>/Plate<N>',
      'images/train/<EXPERIMENT>/Plate<N>',
      'train/<EXPERIMENT>/Plate<N>',
      'test/<EXPERIMENT>/Plate<N>',
    ])
      expect(p!.message).toContain(tried);
    expect(p!.message).toContain('rxrx1_images/');
    expect(p!.message).toContain('rxrx1-2020');
  });

  it('keeps the re-release string labels apart from the 2019 ids and writes its submission in strings', async () => {
    const root = temp('strings');
    // The re-release writes every label as text: controls UNTREATED, siRNAs sirna_N (its own numbering).
    write2019(root, (file, row) => {
      const f = row.split(',');
      if (file === 'sample_submission.csv') return `${f[0]},sirna_826`;
      if (file === 'test.csv' || f.length < 5) return row;
      f[4] = f[4] === '1138' ? 'UNTREATED' : `sirna_${f[4]}`;
      return f.join(',');
    });
    copyImages(root, '2019');
    const dbFile = path.join(temp('db'), 'c.db');
    const r = await indexDataset({ root, dbFile });
    expect(r.format).toBe('rxrx1-strings');
    read(dbFile, (db) => {
      expect(datasetLabelStyle(db)).toBe('string');
      // No string label is given a 2019 integer id: sirna_513 is not the 2019 siRNA 513.
      expect(
        db.prepare('SELECT COUNT(*) AS n FROM wells WHERE sirna_id IS NOT NULL').get(),
      ).toEqual({ n: 0 });
      expect(
        db
          .prepare("SELECT sirna, sirna_id, well_type FROM wells WHERE id_code = 'HEPG2-01_1_B03'")
          .get(),
      ).toEqual({ sirna: 'sirna_513', sirna_id: null, well_type: 'treatment' });
      expect(
        db.prepare("SELECT sirna, well_type FROM wells WHERE id_code = 'HEPG2-01_1_B02'").get(),
      ).toEqual({ sirna: 'UNTREATED', well_type: 'negative_control' });
    });
    expect(problems(dbFile, 'mixed-label-style')).toEqual([]);

    const ids = readTestIds(root);
    const sample = readSampleSubmission(root)!;
    expect(sample).toMatchObject({ style: 'string', ids });
    // Predicted classes as a run over this dataset labels them: written as the same strings.
    const preds = new Map(
      ids.map((id, i) => [id, submissionLabel(`sirna_${i % 7}`, null, 'string')]),
    );
    const csv = buildSubmission(ids, preds, 'run', { style: 'string', sample });
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('id_code,sirna');
    expect(lines.slice(1)).toEqual(ids.map((id, i) => `${id},sirna_${i % 7}`));
    // A run whose classes are 2019 integer ids cannot answer in this numbering: refused, not converted.
    const ints = new Map(ids.map((id) => [id, submissionLabel('513', 513, 'string')]));
    expect(() => buildSubmission(ids, ints, 'run', { style: 'string', sample })).toThrow(
      /are not string labels like sirna_250.*another numbering/,
    );
  });

  it('checks a 2019 submission against the real sample_submission.csv: ids, order and label style', () => {
    const ids = readTestIds(REAL!);
    const sample = readSampleSubmission(REAL!)!;
    expect(ids).toHaveLength(19897);
    expect(sample).toMatchObject({ style: 'integer', ids, first: { line: 2, value: '911' } });
    const preds = new Map(ids.map((id) => [id, submissionLabel('sirna_3', 3, 'integer')]));
    expect(buildSubmission(ids, preds, 'run', { style: 'integer', sample }).split('\n')[1]).toBe(
      'HEPG2-08_1_B03,3',
    );
    const swapped = [ids[1]!, ids[0]!, ...ids.slice(2)];
    expect(() => buildSubmission(swapped, preds, 'run', { style: 'integer', sample })).toThrow(
      /row 1 is HEPG2-08_1_B04 but sample_submission\.csv has HEPG2-08_1_B03 there/,
    );
    expect(() => buildSubmission(ids.slice(1), preds, 'run', { style: 'integer', sample })).toThrow(
      /1 id\(s\) of sample_submission\.csv are not test wells: HEPG2-08_1_B03/,
    );
    const strings = new Map(ids.map((id) => [id, 'sirna_3']));
    expect(() => buildSubmission(ids, strings, 'run', { style: 'string', sample })).toThrow(
      /sample_submission\.csv writes integer labels \(line 2: 911\) but this dataset's labels are string/,
    );
  });

  it('reports a dataset whose labels mix the two styles, naming the first file and line of each', async () => {
    const root = temp('mixed');
    // One edited cell: HEPG2-01_1_B04 written in the re-release's style among 2019 ids.
    write2019(root, (file, row) =>
      file === 'train.csv' && row.startsWith('HEPG2-01_1_B04,')
        ? row.replace(/,(\d+)$/, ',sirna_$1')
        : row,
    );
    copyImages(root, '2019');
    const dbFile = path.join(temp('db'), 'c.db');
    const r = await indexDataset({ root, dbFile });
    // Still the 2019 release (all labels but one are its ids), with the odd one out reported.
    expect(r.format).toBe('rxrx1-2019');
    const edited = fs
      .readFileSync(path.join(root, 'train.csv'), 'utf8')
      .split('\n')
      .findIndex((l) => l.startsWith('HEPG2-01_1_B04,'));
    const [p, ...rest] = problems(dbFile, 'mixed-label-style');
    expect(rest).toEqual([]);
    expect(p!.path).toBe('train.csv');
    expect(p!.message).toContain('first: train.csv line 2, "513"');
    expect(p!.message).toContain(`first: train.csv line ${edited + 1}, "sirna_840"`);
    const style = read(dbFile, (db) => datasetLabelStyle(db));
    expect(style).toBe('mixed');
    const ids = readTestIds(root);
    const preds = new Map(ids.map((id) => [id, '3']));
    expect(() => buildSubmission(ids, preds, 'run', { style })).toThrow(/mix 2019 integer ids/);
  });

  it('refuses to train on one control relabelled UNTREATED among 2019 ids instead of making two classes', async () => {
    const root = temp('mixed-controls');
    write2019(root, (file, row) =>
      file === 'train_controls.csv' && row.startsWith('HEPG2-01_1_B02,')
        ? row.replace(',1138,', ',UNTREATED,')
        : row,
    );
    copyImages(root, '2019');
    const dbFile = path.join(temp('db'), 'c.db');
    await indexDataset({ root, dbFile });
    const [p] = problems(dbFile, 'mixed-label-style');
    expect(p!.path).toBe('train_controls.csv');
    expect(p!.message).toContain('first: train.csv line 2, "513"');
    expect(p!.message).toContain('first: train_controls.csv line 2, "UNTREATED"');
    // The 16 imaged train controls: 15 say 1138, one UNTREATED, the same siRNA in two numberings.
    const rows = read(dbFile, (db) => loadSiteRows(db, 'train'));
    expect(new Set(rows.filter((r) => r.complete).map((r) => r.sirna))).toEqual(
      new Set(['1138', 'UNTREATED']),
    );
    expect(() => buildClassList(rows, { target: 'sirna', includeControls: true })).toThrow(
      /mix 2019 integer ids \(e\.g\. 1138\) and the re-release's string labels \(e\.g\. UNTREATED\)/,
    );
    // Other targets do not use the siRNA numbering.
    expect(buildClassList(rows, { target: 'cell_type', includeControls: true }).labels).toEqual([
      'HEPG2',
      'HUVEC',
      'RPE',
      'U2OS',
    ]);
  });

  it('reads the real CSVs as spreadsheets re-export them into the same catalog as the originals', async () => {
    const clean = temp('clean');
    write2019(clean);
    copyImages(clean, '2019');
    const messy = temp('messy');
    copyImages(messy, '2019');
    // Columns reversed, headers in quotes with capitals and spaces ("Well Type"), a BOM, CRLF line
    // ends, a trailing separator on every row, integer labels as a float export writes them (1138.0).
    for (const name of [...WELL_FILES, 'sample_submission.csv']) {
      const t = realRows(name);
      const cols = t.header.split(',');
      const order = cols.map((_, i) => cols.length - 1 - i);
      const title = (c: string) =>
        c
          .split('_')
          .map((w) => w[0]!.toUpperCase() + w.slice(1))
          .join(' ');
      const lines = [
        order.map((i) => `"${title(cols[i]!)}"`).join(','),
        ...t.rows.map((r) => {
          const f = r.split(',');
          return `${order.map((i) => (cols[i] === 'sirna' && name !== 'sample_submission.csv' ? `${f[i]}.0` : f[i])).join(',')},`;
        }),
      ];
      fs.writeFileSync(path.join(messy, name), `\uFEFF${lines.join('\r\n')}\r\n`);
    }
    const dump = async (root: string) => {
      const dbFile = path.join(temp('db'), 'c.db');
      const r = await indexDataset({ root, dbFile });
      return {
        r,
        wells: read(dbFile, (db) =>
          db
            .prepare(
              'SELECT id_code, well_type, sirna, sirna_id, in_metadata, has_images FROM wells ORDER BY id_code',
            )
            .all(),
        ),
        problems: read(dbFile, (db) =>
          db.prepare('SELECT kind, path, message FROM problems ORDER BY kind, path').all(),
        ),
        style: read(dbFile, (db) => datasetLabelStyle(db)),
      };
    };
    const a = await dump(clean);
    const b = await dump(messy);
    expect(a.r).toMatchObject({ format: 'rxrx1-2019', images: 108, wells: 18 * 308 });
    expect(b.wells).toEqual(a.wells);
    expect(b.problems).toEqual(a.problems);
    expect(b.style).toBe('integer');
    expect(readTestIds(messy)).toEqual(readTestIds(clean));
  });

  it('trims well names written with spaces or quotes, keeps their labels and names file and line', async () => {
    const root = temp('untidy');
    let quotedLine = 0;
    write2019(root, (file, row) => {
      if (file === 'train_controls.csv' && row.startsWith('HEPG2-01_1_B02,'))
        return row.replace(',B02,', ',"B02 ",');
      if (file === 'train_controls.csv' && row.startsWith('HUVEC-01_1_B02,'))
        return row.replace(',B02,', ', B02 ,');
      return row;
    });
    quotedLine =
      fs
        .readFileSync(path.join(root, 'train_controls.csv'), 'utf8')
        .split('\n')
        .findIndex((l) => l.startsWith('HEPG2-01_1_B02,')) + 1;
    copyImages(root, '2019');
    const dbFile = path.join(temp('db'), 'c.db');
    await indexDataset({ root, dbFile });
    read(dbFile, (db) => {
      const wells = db
        .prepare(
          `SELECT id_code, well_type, sirna, in_metadata, has_images FROM wells
           WHERE id_code IN ('HEPG2-01_1_B02', 'HUVEC-01_1_B02') ORDER BY id_code`,
        )
        .all();
      expect(wells).toEqual([
        {
          id_code: 'HEPG2-01_1_B02',
          well_type: 'negative_control',
          sirna: '1138',
          in_metadata: 1,
          has_images: 1,
        },
        {
          id_code: 'HUVEC-01_1_B02',
          well_type: 'negative_control',
          sirna: '1138',
          in_metadata: 1,
          has_images: 1,
        },
      ]);
    });
    expect(problems(dbFile, 'malformed-row')).toEqual([]);
    expect(problems(dbFile, 'image-without-csv-row')).toEqual([]);
    expect(problems(dbFile, 'untidy-value')).toEqual([
      {
        path: 'train_controls.csv',
        message: `line ${quotedLine}: well "B02 " has surrounding spaces or quotes; read as "B02" (2 rows of train_controls.csv in all, first shown)`,
        count: 2,
      },
    ]);
  });
});
