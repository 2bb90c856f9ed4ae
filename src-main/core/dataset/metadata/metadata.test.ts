// readMetadata against the real 2019 CSVs in ../shared/rxrx1 and small written fixtures for the
// string-label re-release, the 2020 metadata.csv and every problem kind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetadata } from './index';
import { realSampleDir } from '../../../../test-support/dataset/real-sample';

const REAL = realSampleDir() ?? path.resolve(__dirname, '../../../../../shared/rxrx1');
const dirs: string[] = [];

function fixture(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-meta-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const CONTROLS_HEADER = 'id_code,experiment,plate,well,sirna,well_type';

describe.skipIf(!fs.existsSync(path.join(REAL, 'train.csv')))('real RxRx1 2019 CSVs', () => {
  const r = readMetadata(REAL);
  it('finds the 2019 format with the documented row counts and no problems', () => {
    expect(r.format).toBe('rxrx1-2019');
    const bySource: Record<string, number> = {};
    for (const w of r.wells) bySource[w.sourceFile] = (bySource[w.sourceFile] ?? 0) + 1;
    expect(bySource).toEqual({
      'train.csv': 36515,
      'test.csv': 19897,
      'train_controls.csv': 4097,
      'test_controls.csv': 2246,
    });
    expect(r.wells).toHaveLength(62755);
    expect(r.problems).toEqual([]);
    expect(r.pixelStats).toBeNull();
    expect(r.testOrder).toHaveLength(19897);
  });
  it('has 33 train and 18 test experiments, 4 plates each, and the documented labels', () => {
    const exps = (split: string) =>
      new Set(r.wells.filter((w) => w.split === split).map((w) => w.experiment));
    expect(exps('train').size).toBe(33);
    expect(exps('test').size).toBe(18);
    expect(new Set(r.wells.map((w) => `${w.experiment}/${w.plate}`)).size).toBe(204);
    const first = r.wells.find((w) => w.idCode === 'HEPG2-01_1_B03')!;
    expect(first).toMatchObject({
      split: 'train',
      sirna: '513',
      sirnaId: 513,
      wellType: 'treatment',
      cellType: 'HEPG2',
      sourceLine: 2,
    });
    const neg = r.wells.filter((w) => w.wellType === 'negative_control');
    expect(neg.every((w) => w.sirnaId === 1138)).toBe(true);
    expect(neg).toHaveLength(246);
    const test = r.wells.find((w) => w.idCode === 'HEPG2-08_1_B03')!;
    expect(test).toMatchObject({
      split: 'test',
      sirna: null,
      sirnaId: null,
      wellType: 'treatment',
    });
  });
});

describe('string-label re-release', () => {
  it('keeps sirna_N as text without a 2019 id (another numbering) and UNTREATED as a negative control', () => {
    const dir = fixture({
      'train.csv':
        'id_code,experiment,plate,well,sirna\nHEPG2-01_1_B03,HEPG2-01,1,B03,sirna_250\nHEPG2-01_1_B04,HEPG2-01,1,B04,sirna_1115\n',
      'train_controls.csv': `${CONTROLS_HEADER}\nHEPG2-01_1_B02,HEPG2-01,1,B02,UNTREATED,negative_control\nHEPG2-01_1_C03,HEPG2-01,1,C03,sirna_852,positive_control\n`,
      'test.csv': 'id_code,experiment,plate,well\nHEPG2-08_1_B03,HEPG2-08,1,B03\n',
      'test_controls.csv': `${CONTROLS_HEADER}\nHEPG2-08_1_B02,HEPG2-08,1,B02,UNTREATED,negative_control\n`,
    });
    const r = readMetadata(dir);
    expect(r.format).toBe('rxrx1-strings');
    expect(r.labelStyle).toBe('string');
    expect(r.problems).toEqual([]);
    const by = new Map(r.wells.map((w) => [w.idCode, w]));
    expect(by.get('HEPG2-01_1_B03')).toMatchObject({
      sirna: 'sirna_250',
      sirnaId: null,
      wellType: 'treatment',
    });
    // The re-release renumbers: sirna_1115 is a treatment there, not a 2019 positive control.
    expect(by.get('HEPG2-01_1_B04')).toMatchObject({ sirnaId: null, wellType: 'treatment' });
    expect(by.get('HEPG2-01_1_B02')).toMatchObject({
      sirna: 'UNTREATED',
      sirnaId: null,
      wellType: 'negative_control',
    });
    expect(by.get('HEPG2-01_1_C03')).toMatchObject({
      sirna: 'sirna_852',
      sirnaId: null,
      wellType: 'positive_control',
    });
    expect(by.get('HEPG2-08_1_B03')).toMatchObject({ split: 'test', sirna: null });
  });
});

describe('2020 metadata.csv', () => {
  const header =
    'site_id,well_id,cell_type,dataset,experiment,plate,well,site,well_type,sirna,sirna_id';
  it('folds site rows into wells and reads sirna_id, cell_type and dataset', () => {
    const dir = fixture({
      'metadata.csv': [
        header,
        'HUVEC-01_1_B02_1,HUVEC-01_1_B02,HUVEC,train,HUVEC-01,1,B02,1,negative_control,EMPTY,1138',
        'HUVEC-01_1_B02_2,HUVEC-01_1_B02,HUVEC,train,HUVEC-01,1,B02,2,negative_control,EMPTY,1138',
        'HUVEC-01_1_B03_1,HUVEC-01_1_B03,HUVEC,train,HUVEC-01,1,B03,1,treatment,s21721,513',
        'HUVEC-01_1_B03_2,HUVEC-01_1_B03,HUVEC,train,HUVEC-01,1,B03,2,treatment,s21721,513',
        'U2OS-04_2_C05_1,U2OS-04_2_C05,U2OS,test,U2OS-04,2,C05,1,treatment,s1234,77',
      ].join('\n'),
    });
    const r = readMetadata(dir);
    expect(r.format).toBe('rxrx1-2020');
    expect(r.problems).toEqual([]);
    expect(r.wells).toHaveLength(3);
    const by = new Map(r.wells.map((w) => [w.idCode, w]));
    expect(by.get('HUVEC-01_1_B02')).toMatchObject({
      wellType: 'negative_control',
      sirna: 'EMPTY',
      sirnaId: 1138,
    });
    expect(by.get('HUVEC-01_1_B03')).toMatchObject({
      sirna: 's21721',
      sirnaId: 513,
      cellType: 'HUVEC',
    });
    expect(by.get('U2OS-04_2_C05')).toMatchObject({ split: 'test', sirnaId: 77, plate: 2 });
  });
  it('reports a repeated site as a duplicate and differing sites of a well as a conflict', () => {
    const dir = fixture({
      'metadata.csv': [
        header,
        'HUVEC-01_1_B03_1,HUVEC-01_1_B03,HUVEC,train,HUVEC-01,1,B03,1,treatment,s1,5',
        'HUVEC-01_1_B03_1,HUVEC-01_1_B03,HUVEC,train,HUVEC-01,1,B03,1,treatment,s1,5',
        'HUVEC-01_1_B03_2,HUVEC-01_1_B03,HUVEC,train,HUVEC-01,1,B03,2,treatment,s2,6',
        'HUVEC-01_1_B04_1,HUVEC-01_1_B04,HUVEC,validation,HUVEC-01,1,B04,1,treatment,s2,6',
      ].join('\n'),
    });
    const r = readMetadata(dir);
    expect(r.wells.map((w) => w.sirnaId)).toEqual([5]);
    expect(r.problems.map((p) => [p.kind, p.message.slice(0, 7)])).toEqual([
      ['duplicate-row', 'line 3:'],
      ['conflicting-label', 'line 4:'],
      ['malformed-row', 'line 5:'],
    ]);
  });
});

describe('problems', () => {
  it('reports duplicates, conflicts, malformed rows and missing files with file and line, keeping good rows', () => {
    const dir = fixture({
      'train.csv': [
        'id_code,experiment,plate,well,sirna',
        'HUVEC-01_1_B03,HUVEC-01,1,B03,10', // line 2: good
        'HUVEC-01_1_B03,HUVEC-01,1,B03,10', // line 3: duplicate
        'HUVEC-01_1_B04,HUVEC-01,1,B04,11', // line 4: good
        'HUVEC-01_1_B04,HUVEC-01,1,B04,12', // line 5: conflict
        'HUVEC-01_x_B05,HUVEC-01,x,B05,13', // line 6: bad plate
        'HUVEC-01_1_Z99,HUVEC-01,1,Z99,13', // line 7: bad well
        'HUVEC-01_1_B06,HUVEC-01,1,B06', // line 8: too few fields
        'HUVEC-01_1_B07,HUVEC-01,1,B07,abc', // line 9: not an integer label in an integer file
        'WRONG_1_B08,HUVEC-01,1,B08,14', // line 10: id_code mismatch
        'HUVEC-01_1_B09,HUVEC-01,1,B9,15', // line 11: good (B9 → B09)
      ].join('\n'),
      'train_controls.csv': `${CONTROLS_HEADER}\nHUVEC-01_1_B02,HUVEC-01,1,B02,1138,negative_control\nHUVEC-01_1_B03,HUVEC-01,1,B03,1138,negative_control\n`,
      'test.csv': 'id_code,experiment,plate,well\n',
    });
    const r = readMetadata(dir);
    // 'abc' is a string label among integer ones: read as text, and the two styles are reported;
    // the files are taken as the release most labels follow.
    expect(r.format).toBe('rxrx1-2019');
    expect(r.labelStyle).toBe('mixed');
    expect(r.wells.map((w) => w.idCode).sort()).toEqual(
      [
        'HUVEC-01_1_B02',
        'HUVEC-01_1_B03',
        'HUVEC-01_1_B04',
        'HUVEC-01_1_B07',
        'HUVEC-01_1_B09',
      ].sort(),
    );
    expect(r.wells.find((w) => w.idCode === 'HUVEC-01_1_B04')!.sirnaId).toBe(11);
    const summary = r.problems.map((p) => `${p.kind} ${p.path} ${p.message.split(/[:]/)[0]}`);
    expect(summary).toEqual([
      'malformed-row train.csv line 8',
      'missing-file test_controls.csv test_controls.csv is missing',
      'mixed-label-style train.csv siRNA labels mix 2019 integer ids (first',
      'duplicate-row train.csv line 3',
      'conflicting-label train.csv line 5',
      'malformed-row train.csv line 6',
      'malformed-row train.csv line 7',
      'malformed-row train.csv line 10',
      'conflicting-label train_controls.csv line 3',
    ]);
  });

  it('rejects a non-integer label in an all-integer 2019 file set only when it is not a string label', () => {
    const dir = fixture({
      'train.csv':
        'id_code,experiment,plate,well,sirna\nHUVEC-01_1_B03,HUVEC-01,1,B03,10\nHUVEC-01_1_B04,HUVEC-01,1,B04,\n',
      'test.csv': 'experiment,plate,well\nHEPG2-08,1,B03\n',
    });
    const r = readMetadata(dir);
    expect(r.format).toBe('rxrx1-2019');
    // An empty label is read as unlabelled, not as an error; test.csv without id_code is fine.
    expect(r.wells.map((w) => [w.idCode, w.sirnaId])).toEqual([
      ['HUVEC-01_1_B03', 10],
      ['HUVEC-01_1_B04', null],
      ['HEPG2-08_1_B03', null],
    ]);
    expect(r.problems.map((p) => p.path).sort()).toEqual([
      'test_controls.csv',
      'train_controls.csv',
    ]);
  });

  it('reports a missing required column and unparseable CSV without throwing', () => {
    const dir = fixture({
      'train.csv': 'id_code,experiment,plate\nA_1_B02,A,1\n',
      'test.csv': 'id_code,experiment,plate,well\n"HEPG2-08_1_B03,HEPG2-08,1,B03\n',
    });
    const r = readMetadata(dir);
    expect(r.wells).toEqual([]);
    const kinds = r.problems.filter((p) => p.kind === 'malformed-row');
    expect(kinds.map((p) => p.path)).toEqual(['train.csv', 'test.csv']);
    expect(kinds[0]!.message).toContain('missing columns well, sirna');
  });

  it('reads pixel_stats.csv by header name, tolerating absent columns', () => {
    const dir = fixture({
      'train.csv': 'id_code,experiment,plate,well,sirna\nHUVEC-01_1_B03,HUVEC-01,1,B03,10\n',
      'pixel_stats.csv':
        'channel,mean,experiment,std\n1,12.5,HUVEC-01,3.5\n2,oops,HUVEC-01,1\n3,7,HUVEC-01,\n',
    });
    const r = readMetadata(dir);
    expect(r.pixelStats).toEqual([
      {
        experiment: 'HUVEC-01',
        plate: null,
        well: null,
        site: null,
        channel: 1,
        mean: 12.5,
        std: 3.5,
        median: null,
        min: null,
        max: null,
      },
      {
        experiment: 'HUVEC-01',
        plate: null,
        well: null,
        site: null,
        channel: 3,
        mean: 7,
        std: null,
        median: null,
        min: null,
        max: null,
      },
    ]);
    expect(
      r.problems.some((p) => p.path === 'pixel_stats.csv' && p.message.startsWith('line 3:')),
    ).toBe(true);
  });

  it("says 'none' for a folder without metadata and throws an input error for a missing folder", () => {
    const dir = fixture({ 'notes.txt': 'hello' });
    const r = readMetadata(dir);
    expect(r.format).toBe('none');
    expect(r.wells).toEqual([]);
    expect(r.problems[0]!.kind).toBe('missing-file');
    expect(() => readMetadata(path.join(dir, 'nope'))).toThrow(/nope does not exist/);
  });
});
