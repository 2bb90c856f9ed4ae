// Class coverage (minClassExperiments) in the run set-up, on a real catalog of real PNGs: 'auto'
// leaves out a class seen in 1 of 4 training experiments and keeps those seen in all, counts after
// review exclusions, gives the same class list whatever the split, and a resume keeps the recorded
// setting and class list.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../../../src-shared/contract';
import { openCatalog } from '../../catalog/db';
import { setReviewDecision, undoReviewDecision } from '../../catalog/review-decisions';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { tinyTrainConfig } from '../../../../test-support/learn/tiny-config';
import { buildClassList, coverageThreshold } from '../data/classes';
import { loadSiteRows } from '../data/site-rows';
import { readClassList, readRunConfig, readRunInfo } from '../runs/run-folder';
import { setUpRun, trainingSet } from './run-setup';

const EXPS = ['HUVEC-01', 'HUVEC-02', 'RPE-01', 'U2OS-01'];
let ds: TinyDataset;
/** id_code → siRNA of every training well, read back from the catalog. */
let sirnaOf: Map<string, string>;
beforeAll(async () => {
  // Classes 0–3 on every plate of the 4 experiments; class 4 in HUVEC-01 only; class 5 in 3.
  ds = await makeTinyDataset({
    classes: 6,
    trainExperiments: EXPS,
    plates: 1,
    size: 8,
    classExperiments: { 4: ['HUVEC-01'], 5: ['HUVEC-01', 'HUVEC-02', 'RPE-01'] },
  });
  const db = openCatalog(ds.dbFile);
  try {
    sirnaOf = new Map(loadSiteRows(db, 'train').map((r) => [r.idCode, r.sirna!]));
  } finally {
    db.close();
  }
});
afterAll(() => ds.cleanup());

const rows = () => {
  const db = openCatalog(ds.dbFile);
  try {
    return loadSiteRows(db, 'train');
  } finally {
    db.close();
  }
};
const wellsOfClass = (label: string) => [...sirnaOf].filter(([, s]) => s === label).map(([w]) => w);
const cfg = (over: Partial<TrainConfig> = {}) =>
  tinyTrainConfig({ split: { strategy: 'random', valFraction: 0.25, seed: 3 }, ...over });

describe('class coverage', () => {
  it("'auto' is three quarters of the most experiments any class is seen in, rounded up (at least 1; cell types: 1)", () => {
    // The demo: 16 training experiments; the fill siRNAs of the group plate 1 holds most often
    // are in 8 of them, and must be left out.
    expect(coverageThreshold('auto', 'sirna', 16)).toBe(12);
    // RxRx1: every siRNA is in 29–33 of the 33 training experiments; none may be left out.
    expect(coverageThreshold('auto', 'sirna', 33)).toBe(25);
    expect(coverageThreshold('auto', 'sirna', 1)).toBe(1);
    expect(coverageThreshold('auto', 'sirna', 0)).toBe(1);
    expect(coverageThreshold('auto', 'well_type', 5)).toBe(4);
    // RxRx1: HUVEC in 16 training experiments, U2OS in 3; every cell type is still learnable.
    expect(coverageThreshold('auto', 'cell_type', 16)).toBe(1);
    expect(coverageThreshold(5, 'cell_type', 16)).toBe(5);
    // Configs from before the setting trained on every class.
    expect(coverageThreshold(undefined, 'sirna', 16)).toBe(1);
  });

  it("'auto' leaves out the class seen in 1 of 4 experiments and keeps the others", () => {
    const set = trainingSet(rows(), cfg(), null);
    expect(set.classes.labels).toEqual(['0', '1', '2', '3', '5']);
    expect(set.classes.coverage).toEqual({
      setting: 'auto',
      threshold: 3,
      mostExperiments: 4,
      leftOutClasses: 1,
      leftOutWells: wellsOfClass('4').length,
    });
    expect(wellsOfClass('4')).toHaveLength(1);
    // Its wells are in neither side of the split; every other usable well is in one.
    const inSplit = new Set([...set.split.train, ...set.split.val]);
    for (const w of wellsOfClass('4')) expect(inSplit.has(w)).toBe(false);
    expect(inSplit.size).toBe(sirnaOf.size - 1);
    // A number is the threshold itself: 4 also leaves out class 5 (3 experiments, 3 wells).
    const four = trainingSet(rows(), cfg({ minClassExperiments: 4 }), null);
    expect(four.classes.labels).toEqual(['0', '1', '2', '3']);
    expect(four.classes.coverage).toMatchObject({ threshold: 4, leftOutClasses: 2 });
    expect(four.classes.coverage.leftOutWells).toBe(4);
    // 1 (and configs without the setting) keep every class.
    for (const c of [cfg({ minClassExperiments: 1 }), { ...cfg(), minClassExperiments: undefined }])
      expect(trainingSet(rows(), c, null).classes.labels).toEqual(['0', '1', '2', '3', '4', '5']);
    // The split is drawn over every well: leaving a class out moves no other well.
    const all = trainingSet(rows(), cfg({ minClassExperiments: 1 }), null);
    const gone = new Set(wellsOfClass('4'));
    expect(set.split.train).toEqual(all.split.train.filter((w) => !gone.has(w)));
    expect(set.split.val).toEqual(all.split.val.filter((w) => !gone.has(w)));
  });

  it('counts experiments after review exclusions', () => {
    // Excluding class 5's HUVEC-02 well leaves it in 2 experiments: 'auto' now leaves it out too.
    const w5 = wellsOfClass('5').find((w) => w.startsWith('HUVEC-02'))!;
    const set = trainingSet(rows(), cfg(), new Set([w5]));
    expect(set.excludedWells).toBe(1);
    expect(set.classes.labels).toEqual(['0', '1', '2', '3']);
    expect(set.classes.coverage).toMatchObject({ leftOutClasses: 2, leftOutWells: 3 });
    const inSplit = new Set([...set.split.train, ...set.split.val]);
    for (const w of [...wellsOfClass('4'), ...wellsOfClass('5')])
      expect(inSplit.has(w)).toBe(false);
  });

  it('the whole-experiment split gives the same class list as the random split', () => {
    const random = trainingSet(rows(), cfg(), null);
    // HUVEC-01 holds the only well of class 4 and one of class 5's three: held out whole, it must
    // not change which classes the run knows (counted before the split).
    for (const split of [
      { strategy: 'experiment' as const, valFraction: 0.25, seed: 3, valExperiments: ['HUVEC-01'] },
      { strategy: 'experiment' as const, valFraction: 0.25, seed: 9 },
      { strategy: 'plate' as const, valFraction: 0.5, seed: 1 },
    ]) {
      const held = trainingSet(rows(), cfg({ split }), null);
      expect(held.classes).toEqual(random.classes);
      const inSplit = new Set([...held.split.train, ...held.split.val]);
      expect(inSplit.has(wellsOfClass('4')[0]!)).toBe(false);
      expect(inSplit.size).toBe(sirnaOf.size - 1);
    }
    const byExp = trainingSet(
      rows(),
      cfg({
        split: { strategy: 'experiment', valFraction: 0.25, seed: 3, valExperiments: ['HUVEC-01'] },
      }),
      null,
    );
    expect(byExp.split.val.every((w) => w.startsWith('HUVEC-01_'))).toBe(true);
    // Class 5 is validated on HUVEC-01 and trained on from HUVEC-02: both sides of the split.
    const [v5, t5] = ['HUVEC-01', 'HUVEC-02'].map((e) =>
      wellsOfClass('5').find((w) => w.startsWith(`${e}_`)),
    );
    expect(byExp.split.val).toContain(v5);
    expect(byExp.split.train).toContain(t5);
  });

  it('records the setting and what it left out; a resume keeps both, whatever changed since', () => {
    const runDir = path.join(ds.root, 'runs', 'coverage');
    const run = setUpRun({ dbFile: ds.dbFile, runDir, config: cfg() }, 'cpu');
    expect(run.classes.labels).toEqual(['0', '1', '2', '3', '5']);
    expect(readRunConfig(runDir).minClassExperiments).toBe('auto');
    expect(readClassList(runDir).coverage).toEqual(run.classes.coverage);
    expect(readRunInfo(runDir).classCoverage).toMatchObject({ leftOutClasses: 1, threshold: 3 });
    const split = JSON.parse(fs.readFileSync(path.join(runDir, 'split.json'), 'utf8')) as {
      train: string[];
      val: string[];
    };
    expect([...split.train, ...split.val]).not.toContain(wellsOfClass('4')[0]);

    // A review decision since would leave class 5 out of a new run; the resume keeps the list.
    const w5 = wellsOfClass('5').find((w) => w.startsWith('HUVEC-02'))!;
    const db = openCatalog(ds.dbFile);
    setReviewDecision(db, w5, 'exclude');
    db.close();
    try {
      const fresh = setUpRun(
        { dbFile: ds.dbFile, runDir: path.join(ds.root, 'runs', 'fresh'), config: cfg() },
        'cpu',
      );
      expect(fresh.classes.labels).not.toContain('5');
      const resumed = setUpRun({ dbFile: ds.dbFile, runDir, resume: true }, 'cpu');
      expect(resumed.resuming).toBe(true);
      expect(resumed.config.minClassExperiments).toBe('auto');
      expect(resumed.classes).toEqual(run.classes);
      expect(resumed.split).toEqual(run.split);
    } finally {
      const d = openCatalog(ds.dbFile);
      undoReviewDecision(d, { idCode: w5 });
      d.close();
    }
  });

  it('buildClassList without the setting (older callers) keeps every class', () => {
    const list = buildClassList(rows(), { target: 'sirna', includeControls: false });
    expect(list.labels).toHaveLength(6);
    expect(list.coverage).toMatchObject({ setting: 1, threshold: 1, leftOutClasses: 0 });
  });
});
