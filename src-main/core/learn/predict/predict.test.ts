// Prediction end to end on a tiny trained run: per-well results in the run folder and the catalog,
// TTA, plate-group assignment (distinct in-group siRNAs per plate), evaluation and the submission.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../catalog/db';
import { summarizePredictions } from '../evaluate/summary';
import { makeSubmission } from '../evaluate/make-submission';
import { buildSubmission } from '../evaluate/submission';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { tinyTrainConfig } from '../../../../test-support/learn/tiny-config';
import { runTraining } from '../train/trainer';
import { loadPredictionSet, predictRun } from './predict';
import { plateWellPredictions, reviewQueue, wellPrediction, wellTopPredictions } from './store';
import { predictionsCsv } from './csv';

let ds: TinyDataset;
let runDir: string;
beforeAll(async () => {
  ds = await makeTinyDataset({
    classes: 8,
    groups: 2,
    plates: 2,
    trainExperiments: ['HUVEC-01', 'RPE-01', 'HUVEC-02'],
    testExperiments: ['U2OS-01'],
  });
  runDir = path.join(ds.root, 'runs', 'p1');
  const s = await runTraining(
    {
      dbFile: ds.dbFile,
      runDir,
      config: tinyTrainConfig({
        epochs: 2,
        split: { strategy: 'random', valFraction: 0.25, seed: 3 },
      }),
    },
    { emit: () => {}, isCancelled: () => false },
  );
  expect(s.status).toBe('done');
});
afterAll(() => ds.cleanup());

describe('predictRun', () => {
  it('predicts validation wells with TTA and assignment, stores them and summarises them', async () => {
    const r = await predictRun({ runDir, split: 'val', tta: true, assign: true });
    const split = JSON.parse(fs.readFileSync(path.join(runDir, 'split.json'), 'utf8')) as {
      val: string[];
    };
    expect(r.set.wells.map((w) => w.idCode).sort()).toEqual([...split.val].sort());
    expect(r.set.tta).toBe(true);
    for (const w of r.set.wells) {
      expect(w.sites).toBe(2);
      expect(w.topK[0]!.label).toBe(w.top);
      expect(w.assigned).not.toBeNull();
      const row = r.set.probs.subarray(r.set.wells.indexOf(w) * 8, r.set.wells.indexOf(w) * 8 + 8);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    expect(r.accuracy).not.toBeNull();
    const summary = summarizePredictions(r.set);
    expect(summary.wells).toBe(split.val.length);
    expect(summary.accuracyAssigned).toBe(r.accuracyAssigned);
    expect(summary.perCellType.map((c) => c.cellType)).toEqual(
      [...new Set(r.set.wells.map((w) => w.cellType))].sort(),
    );

    const db = openCatalog(ds.dbFile);
    const first = r.set.wells[0]!;
    const stored = wellPrediction(db, 'p1', first.idCode)!;
    expect(stored.top).toBe(r.set.labels[first.top]);
    expect(stored.correct).toBe(r.set.labels[first.assigned!] === first.truth);
    expect(wellTopPredictions(db, 'p1', first.idCode).length).toBe(5);
    expect(
      plateWellPredictions(db, 'p1', first.experiment, first.plate).get(first.well)?.idCode,
    ).toBe(first.idCode);
    expect(reviewQueue(db, 'p1', 'val', 'least-confident', 3).length).toBeLessThanOrEqual(3);
    db.close();
    expect(predictionsCsv(r.set).split('\n')[0]).toBe(
      'id_code,experiment,plate,well,predicted,probability,assigned,truth,sites,sites_disagree',
    );
  });

  it('assigns each test plate one group with distinct siRNAs, and writes a valid submission', async () => {
    const out = path.join(ds.root, 'submission.csv');
    const res = await makeSubmission({ runDir, out });
    const set = loadPredictionSet(runDir, 'test')!;
    const byPlate = new Map<number, number[]>();
    for (const w of set.wells) byPlate.set(w.plate, [...(byPlate.get(w.plate) ?? []), w.assigned!]);
    for (const cls of byPlate.values()) {
      expect(new Set(cls).size).toBe(cls.length);
      expect(new Set(cls.map((c) => Math.floor(c / 4))).size).toBe(1);
    }
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    const testIds = fs
      .readFileSync(path.join(ds.root, 'test.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    expect(lines[0]).toBe('id_code,sirna');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(testIds);
    expect(res.rows).toBe(testIds.length);
    expect(lines.slice(1).every((l) => /^[^,]+,\d+$/.test(l))).toBe(true);
  });

  it('detects a probabilities file that does not belong to its predictions json', () => {
    const dir = path.join(runDir, 'predictions');
    const probsFile = path.join(dir, 'test-probs.f32');
    const jsonFile = path.join(dir, 'test.json');
    const goodProbs = fs.readFileSync(probsFile);
    const goodJson = fs.readFileSync(jsonFile, 'utf8');
    try {
      // Same size, other contents: what a crash between the two atomic writes leaves behind.
      const other = Buffer.from(goodProbs);
      other.writeFloatLE(other.readFloatLE(0) + 0.25, 0);
      fs.writeFileSync(probsFile, other);
      expect(() => loadPredictionSet(runDir, 'test')).toThrow(
        /test-probs\.f32: does not belong to test\.json/,
      );
      // A set saved before the checksum existed still loads when the size fits.
      const legacy = JSON.parse(goodJson) as Record<string, unknown>;
      delete legacy.probsSha256;
      fs.writeFileSync(jsonFile, JSON.stringify(legacy));
      expect(loadPredictionSet(runDir, 'test')!.probs[0]).toBeCloseTo(
        goodProbs.readFloatLE(0) + 0.25,
        5,
      );
      fs.writeFileSync(probsFile, goodProbs.subarray(4));
      expect(() => loadPredictionSet(runDir, 'test')).toThrow(/does not belong to test\.json/);
    } finally {
      fs.writeFileSync(probsFile, goodProbs);
      fs.writeFileSync(jsonFile, goodJson);
    }
    expect(loadPredictionSet(runDir, 'test')!.probs.length).toBe(goodProbs.byteLength / 4);
  });

  it('refuses an invalid submission, naming the problem', () => {
    const preds = new Map([
      ['A_1_B02', '3'],
      ['A_1_B03', 'x'],
    ]);
    expect(() => buildSubmission(['A_1_B02', 'A_1_B03', 'A_1_B04'], preds, 'test')).toThrow(
      /1 test well\(s\) have no prediction.*A_1_B04.*not an integer siRNA id: A_1_B03=x/,
    );
    expect(() => buildSubmission(['A_1_B02', 'A_1_B02'], preds, 'test')).toThrow(
      /duplicate id_code/,
    );
  });
});
