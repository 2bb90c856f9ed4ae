// A submission in the dataset's own label style, end to end: a tiny dataset (real PNGs) labelled
// as the Kaggle re-release writes it (sirna_N, its own numbering) is indexed from its CSVs into a
// real catalog, trained on and submitted; the file uses the same strings, never 2019 integers.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../catalog/db';
import { indexDataset } from '../../catalog/indexer';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { trainTinyRun } from '../../../../test-support/learn/tiny-config';
import { makeSubmission } from './make-submission';

let ds: TinyDataset;
let dbFile: string;
let runDir: string;
let testIds: string[];

beforeAll(async () => {
  ds = await makeTinyDataset({
    classes: 4,
    plates: 1,
    trainExperiments: ['HUVEC-01', 'RPE-01'],
    testExperiments: ['U2OS-01'],
  });
  // The re-release's CSVs: train labels as sirna_N, the same test.csv, a sample submission in strings.
  const db = openCatalog(ds.dbFile);
  const train = db
    .prepare(
      `SELECT w.id_code, e.name, p.plate, w.well, w.sirna FROM wells w JOIN plates p ON p.id = w.plate_id
       JOIN experiments e ON e.id = p.experiment_id WHERE e.split = 'train' ORDER BY w.id_code`,
    )
    .all() as Array<{ id_code: string; name: string; plate: number; well: string; sirna: string }>;
  db.close();
  fs.writeFileSync(
    path.join(ds.root, 'train.csv'),
    `${[
      'id_code,experiment,plate,well,sirna',
      ...train.map((w) => `${w.id_code},${w.name},${w.plate},${w.well},sirna_${w.sirna}`),
    ].join('\n')}\n`,
  );
  testIds = fs.readFileSync(path.join(ds.root, 'test.csv'), 'utf8').trim().split('\n').slice(1);
  testIds = testIds.map((l) => l.split(',')[0]!);
  fs.writeFileSync(
    path.join(ds.root, 'sample_submission.csv'),
    `${['id_code,sirna', ...testIds.map((id) => `${id},sirna_826`)].join('\n')}\n`,
  );
  dbFile = path.join(ds.root, 'strings.sqlite');
  const r = await indexDataset({ root: ds.root, dbFile });
  expect(r.format).toBe('rxrx1-strings');
  runDir = path.join(ds.root, 'runs', 's1');
  await trainTinyRun(dbFile, runDir, {
    epochs: 1,
    split: { strategy: 'random', valFraction: 0.25, seed: 3 },
  });
});
afterAll(() => ds.cleanup());

describe('a re-release (string label) dataset', () => {
  it('gets its submission in its own strings, in test.csv order, matching its sample submission', async () => {
    const out = path.join(ds.root, 'submission.csv');
    const res = await makeSubmission({ runDir, out, dbFile });
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id_code,sirna');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(testIds);
    expect(res.rows).toBe(testIds.length);
    // sirna_2 is written as sirna_2: never as the 2019 integer 2, which is another siRNA.
    for (const l of lines.slice(1)) expect(l).toMatch(/^[^,]+,sirna_[0-3]$/);
  });

  it('refuses when its sample submission expects the other label style, naming the file', async () => {
    const sample = path.join(ds.root, 'sample_submission.csv');
    const text = fs.readFileSync(sample, 'utf8');
    try {
      fs.writeFileSync(sample, text.replaceAll(',sirna_826', ',826'));
      await expect(
        makeSubmission({ runDir, out: path.join(ds.root, 'sub2.csv'), dbFile }),
      ).rejects.toThrow(
        /sample_submission\.csv writes integer labels .* this dataset's labels are string/,
      );
      expect(fs.existsSync(path.join(ds.root, 'sub2.csv'))).toBe(false);
    } finally {
      fs.writeFileSync(sample, text);
    }
  });
});
