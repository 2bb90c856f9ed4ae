// Review exclusions in the run set-up: excluded wells' sites are in neither the training nor the
// validation samples, suspect-label wells stay in but are listed, the run folder records the list
// (its SHA-256 in the manifest changes with the list), and a resume keeps the recorded list.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../catalog/db';
import { setReviewDecision, undoReviewDecision } from '../../catalog/review-decisions';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { tinyTrainConfig } from '../../../../test-support/learn/tiny-config';
import { buildSamples } from '../data/samples';
import { readReviewExclusions, readRunInfo, runFiles, writeManifest } from '../runs/run-folder';
import { setUpRun } from './run-setup';

let ds: TinyDataset;
let wells: string[];
beforeAll(async () => {
  ds = await makeTinyDataset({ classes: 4, plates: 2, size: 8 });
  const db = openCatalog(ds.dbFile);
  wells = (
    db
      .prepare(
        `SELECT w.id_code FROM wells w JOIN plates p ON p.id = w.plate_id
         JOIN experiments e ON e.id = p.experiment_id WHERE e.split = 'train' ORDER BY w.id_code`,
      )
      .all() as { id_code: string }[]
  ).map((r) => r.id_code);
  db.close();
});
afterAll(() => ds.cleanup());

function decide(fn: (db: ReturnType<typeof openCatalog>) => void): void {
  const db = openCatalog(ds.dbFile);
  try {
    fn(db);
  } finally {
    db.close();
  }
}

const config = tinyTrainConfig({ split: { strategy: 'random', valFraction: 0.3, seed: 3 } });

/** Sets up a new run; returns its set-up and the id_codes of its training and validation samples. */
function newRun(name: string, cfg = config) {
  const runDir = path.join(ds.root, 'runs', name);
  const run = setUpRun({ dbFile: ds.dbFile, runDir, config: cfg }, 'cpu');
  const wellsOf = (list: string[]) =>
    new Set(
      buildSamples(run.rows, new Set(list), run.classes, cfg.target).rows.map((r) => r.idCode),
    );
  return { run, runDir, train: wellsOf(run.split.train), val: wellsOf(run.split.val) };
}

const manifestSha = (runDir: string) =>
  writeManifest(runDir).files[runFiles.reviewExclusions]!.sha256;

describe('review exclusions in training', () => {
  it('leaves excluded wells out of training and validation; suspect-label wells stay in, listed', () => {
    // Without decisions every training well is used: the reference.
    const base = newRun('base');
    expect(base.run.review.excludedWells).toBe(0);
    const all = new Set([...base.train, ...base.val]);
    expect(all.size).toBe(wells.length);

    // Exclude two wells (one from each side of the reference split) and suspect a third.
    const fromTrain = [...base.train][0]!;
    const fromVal = [...base.val][0]!;
    const suspect = [...base.train][1]!;
    decide((db) => {
      setReviewDecision(db, fromTrain, 'exclude', 'debris');
      setReviewDecision(db, fromVal, 'exclude');
      setReviewDecision(db, suspect, 'suspect_label', 'looks like another class');
    });
    const r = newRun('excluded');
    expect(r.run.review).toMatchObject({ applied: true, excludedWells: 2 });
    for (const w of [fromTrain, fromVal]) {
      expect(r.train.has(w)).toBe(false);
      expect(r.val.has(w)).toBe(false);
      expect(r.run.split.train.includes(w) || r.run.split.val.includes(w)).toBe(false);
      expect(r.run.rows.some((row) => row.idCode === w)).toBe(false);
    }
    expect(r.train.size + r.val.size).toBe(wells.length - 2);
    // A decision moves no other well between training and validation: the split is the reference's
    // minus the excluded wells (runs before and after a review stay comparable, nothing leaks).
    expect([...r.train].sort()).toEqual([...base.train].filter((w) => w !== fromTrain).sort());
    expect([...r.val].sort()).toEqual([...base.val].filter((w) => w !== fromVal).sort());
    expect(r.train.has(suspect) || r.val.has(suspect)).toBe(true);
    const record = readReviewExclusions(r.runDir)!;
    expect(record.applied).toBe(true);
    expect(record.excluded.map((d) => d.idCode)).toEqual([fromTrain, fromVal].sort());
    expect(record.suspectLabel.map((d) => [d.idCode, d.note])).toEqual([
      [suspect, 'looks like another class'],
    ]);
    expect(readRunInfo(r.runDir).reviewExcluded).toBe(2);

    // Switched off: everything trains, the list is still recorded (applied: false).
    const off = newRun('off', { ...config, useReviewExclusions: false });
    expect(off.run.review).toMatchObject({ applied: false, excludedWells: 0 });
    expect(off.train.size + off.val.size).toBe(wells.length);
    expect(readReviewExclusions(off.runDir)!.excluded).toHaveLength(2);

    decide((db) => {
      undoReviewDecision(db, { idCode: suspect });
      undoReviewDecision(db, { idCode: fromVal });
      undoReviewDecision(db, { idCode: fromTrain });
    });
  });

  it('the manifest hash follows the list; a resume keeps the recorded list, not later decisions', () => {
    const [w1, w2] = wells as [string, string];
    decide((db) => setReviewDecision(db, w1, 'exclude'));
    const a = newRun('hash-a');
    const b = newRun('hash-b');
    // Same decisions, same list, same hash.
    expect(manifestSha(a.runDir)).toBe(manifestSha(b.runDir));
    decide((db) => setReviewDecision(db, w2, 'exclude'));
    const c = newRun('hash-c');
    expect(manifestSha(c.runDir)).not.toBe(manifestSha(a.runDir));
    expect(c.run.review.excludedWells).toBe(2);

    // Run a was made with w1 only; a decision since (w2) and undoing w1 change nothing on resume.
    decide((db) => undoReviewDecision(db, { idCode: w1 }));
    const shaA = manifestSha(a.runDir);
    const resumed = setUpRun({ dbFile: ds.dbFile, runDir: a.runDir, resume: true }, 'cpu');
    expect(resumed.resuming).toBe(true);
    expect(resumed.review.excludedWells).toBe(1);
    expect(resumed.rows.some((r) => r.idCode === w1)).toBe(false);
    expect(resumed.rows.some((r) => r.idCode === w2)).toBe(true);
    expect(resumed.split).toEqual(a.run.split);
    expect(manifestSha(a.runDir)).toBe(shaA);

    // A recorded list edited after the manifest is refused on resume.
    const file = path.join(c.runDir, runFiles.reviewExclusions);
    writeManifest(c.runDir);
    const edited = JSON.parse(fs.readFileSync(file, 'utf8')) as { excluded: unknown[] };
    edited.excluded = [];
    fs.writeFileSync(file, JSON.stringify(edited));
    expect(() => setUpRun({ dbFile: ds.dbFile, runDir: c.runDir, resume: true }, 'cpu')).toThrow(
      /review-exclusions\.json: does not match the run's manifest/,
    );
    decide((db) => undoReviewDecision(db, { idCode: w2 }));
  });
});
