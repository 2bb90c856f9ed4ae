// Provenance end to end on real run folders and real SQLite catalogs: two tiny datasets with the
// same well ids (A, where the run is trained, and B), dataset identity in catalog/run/sets,
// predicting and submitting across datasets only when asked, checkpoint verification, incomplete
// runs, and runs/sets stored before provenance was recorded.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  datasetDigest,
  datasetIdentity,
  matchDataset,
  type DatasetRef,
} from '../../catalog/dataset-identity';
import { indexDataset } from '../../catalog/indexer';
import { openCatalog } from '../../catalog/db';
import { makeSubmission } from '../evaluate/make-submission';
import { listRuns } from '../runs/list-runs';
import { readRunInfo, sha256File, updateRunInfo } from '../runs/run-folder';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { tinyTrainConfig } from '../../../../test-support/learn/tiny-config';
import { runTraining } from '../train/trainer';
import { loadPredictionSet, predictRun } from './predict';
import { predictionSetInfo } from './provenance';

let a: TinyDataset;
let b: TinyDataset;
let idA: DatasetRef;
let idB: DatasetRef;
let runsRoot: string;
let pristine: string;

const tinyOpts = {
  classes: 8,
  groups: 2,
  plates: 2,
  trainExperiments: ['HUVEC-01', 'RPE-01'],
  testExperiments: ['U2OS-01'],
};

function identity(dbFile: string): DatasetRef {
  const db = openCatalog(dbFile);
  try {
    return datasetIdentity(db, dbFile);
  } finally {
    db.close();
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & { code?: string },
  );
}

/** A fresh copy of the trained run (its own id), so each test changes only its own copy. */
function copyRun(name: string): string {
  const dir = path.join(runsRoot, name);
  fs.cpSync(pristine, dir, { recursive: true });
  updateRunInfo(dir, { runId: name });
  return dir;
}

beforeAll(async () => {
  a = await makeTinyDataset(tinyOpts);
  // Same layout and well ids, other images: what a second catalog of "the same" test wells is.
  b = await makeTinyDataset({ ...tinyOpts, seed: 99 });
  idA = identity(a.dbFile);
  idB = identity(b.dbFile);
  runsRoot = path.join(a.root, 'runs');
  pristine = path.join(a.root, 'pristine');
  const s = await runTraining(
    {
      dbFile: a.dbFile,
      runDir: pristine,
      config: tinyTrainConfig({
        epochs: 2,
        split: { strategy: 'random', valFraction: 0.25, seed: 3 },
      }),
    },
    { emit: () => {}, isCancelled: () => false },
  );
  expect(s.status).toBe('done');
});
afterAll(() => {
  a.cleanup();
  b.cleanup();
});

describe('dataset identity', () => {
  it('is made once with the catalog and recorded by run.json, the sets and the catalog rows', async () => {
    expect(idA.id).toMatch(/^[0-9a-f]{32}$/);
    expect(idB.id).not.toBe(idA.id);
    expect(identity(a.dbFile).id).toBe(idA.id); // stable across opens
    expect(idA.name).toBe(path.basename(a.root));
    const info = readRunInfo(pristine);
    expect(info.dataset?.id).toBe(idA.id);
    expect(info.dataset?.catalog).toBe(path.resolve(a.dbFile));

    const run = copyRun('ident');
    const r = await predictRun({ runDir: run, split: 'val', assign: true });
    expect(r.set.dataset?.id).toBe(idA.id);
    expect(r.set.runStatus).toBe('done');
    const bestInfo = JSON.parse(fs.readFileSync(path.join(run, 'best', 'info.json'), 'utf8')) as {
      epoch: number;
    };
    expect(r.set.checkpoint).toEqual({
      path: 'best',
      epoch: bestInfo.epoch + 1,
      midEpoch: false,
      sha256: sha256File(path.join(run, 'best', 'weights.bin')),
    });
    const saved = JSON.parse(
      fs.readFileSync(path.join(run, 'predictions', 'val.json'), 'utf8'),
    ) as {
      dataset: DatasetRef;
      checkpoint: { sha256: string };
    };
    expect(saved.dataset.id).toBe(idA.id);
    expect(saved.checkpoint.sha256).toBe(r.set.checkpoint!.sha256);
    const db = openCatalog(a.dbFile);
    const row = db
      .prepare(
        `SELECT dataset_id, dataset_digest, catalog, checkpoint_path, checkpoint_sha256, run_status, tta, assigned
           FROM learn_prediction_sets WHERE run_id = 'ident' AND split = 'val'`,
      )
      .get() as Record<string, unknown>;
    expect(row).toEqual({
      dataset_id: idA.id,
      dataset_digest: datasetDigest(db),
      catalog: path.resolve(a.dbFile),
      checkpoint_path: 'best',
      checkpoint_sha256: r.set.checkpoint!.sha256,
      run_status: 'done',
      tta: 0,
      assigned: 1,
    });
    db.close();
  });

  it('digest changes when a re-index records a changed plate folder', () => {
    const db = openCatalog(b.dbFile);
    try {
      const before = datasetDigest(db);
      db.prepare(
        `INSERT INTO plate_scans (dir, split, experiment, plate, digest, files) VALUES ('test/U2OS-01/Plate1', 'test', 'U2OS-01', 1, 'abc-6', 6)`,
      ).run();
      const after = datasetDigest(db);
      expect(after).not.toBe(before);
      db.prepare(`UPDATE plate_scans SET digest = 'abd-6'`).run();
      expect(datasetDigest(db)).not.toBe(after);
      db.prepare(`DELETE FROM plate_scans`).run();
      expect(datasetDigest(db)).toBe(before);
    } finally {
      db.close();
    }
  });
});

describe('another dataset', () => {
  it('a run predicts on another dataset only when asked, into its own file', async () => {
    const run = copyRun('foreign');
    await predictRun({ runDir: run, split: 'test', assign: true });
    const own = fs.readFileSync(path.join(run, 'predictions', 'test.json'), 'utf8');
    const err = await failure(predictRun({ runDir: run, split: 'test', dbFile: b.dbFile }));
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain(`trained on ${idA.name}`);
    expect(err.message).toContain(`not on the open dataset ${idB.name}`);
    const r = await predictRun({
      runDir: run,
      split: 'test',
      assign: true,
      dbFile: b.dbFile,
      allowOtherDataset: true,
    });
    expect(r.set.dataset?.id).toBe(idB.id);
    expect(fs.existsSync(path.join(run, 'predictions', `test.${idB.id}.json`))).toBe(true);
    // The run's own test set is still there, untouched.
    expect(fs.readFileSync(path.join(run, 'predictions', 'test.json'), 'utf8')).toBe(own);
    expect(loadPredictionSet(run, 'test', idA)!.dataset?.id).toBe(idA.id);
    expect(loadPredictionSet(run, 'test', idB)!.dataset?.id).toBe(idB.id);
  });

  it('the same folder indexed into a second catalog is the same dataset; equal digests alone are not', async () => {
    const c = await makeTinyDataset(tinyOpts);
    try {
      // The folder indexed twice more, as the CLI and the app each do with their own catalog.
      const catalog = (n: string) =>
        path.join(path.dirname(c.root), `${path.basename(c.root)}-${n}.db`);
      const [one, second] = [catalog('one'), catalog('two')];
      await indexDataset({ root: c.root, dbFile: one });
      await indexDataset({ root: c.root, dbFile: second });
      const first = identity(one);
      const id2 = identity(second);
      expect(id2.id).not.toBe(first.id);
      expect(id2.root).toBe(first.root);
      expect(id2.digest).toBe(first.digest);
      expect(matchDataset(first, id2)).toBe('same');
      // A and B share layout, names and sizes (so their digests may agree) but are other folders.
      expect(matchDataset(idA, idB)).toBe('other');
      for (const f of [one, second]) fs.rmSync(f, { force: true });
    } finally {
      c.cleanup();
    }
  });

  it('submit --db another catalog never reuses the run catalog’s stored predictions', async () => {
    const run = copyRun('submit-db');
    const outA = path.join(a.root, 'sub-a.csv');
    const ra = await makeSubmission({ runDir: run, out: outA });
    expect(ra.source.dataset?.id).toBe(idA.id);
    const outB = path.join(a.root, 'sub-b.csv');
    // The run was trained on A: B needs the explicit choice…
    await expect(makeSubmission({ runDir: run, out: outB, dbFile: b.dbFile })).rejects.toThrow(
      /not on the open dataset/,
    );
    expect(fs.existsSync(outB)).toBe(false);
    // …and then B's own predictions are made and used, never A's.
    const rb = await makeSubmission({
      runDir: run,
      out: outB,
      dbFile: b.dbFile,
      allowOtherDataset: true,
    });
    expect(rb.source.dataset?.id).toBe(idB.id);
    expect(rb.source.label).toContain(idB.name);
    const setB = loadPredictionSet(run, 'test', idB)!;
    const lines = fs.readFileSync(outB, 'utf8').trim().split('\n').slice(1);
    const byId = new Map(setB.wells.map((w) => [w.idCode, setB.labels[w.assigned ?? w.top]]));
    expect(lines.every((l) => byId.get(l.split(',')[0]!) === l.split(',')[1])).toBe(true);
  });

  it('export refuses another dataset’s set, naming both datasets', async () => {
    const run = copyRun('export-foreign');
    await makeSubmission({ runDir: run, out: path.join(a.root, 'x.csv') });
    const err = await failure(
      makeSubmission({
        runDir: run,
        out: path.join(a.root, 'y.csv'),
        dbFile: b.dbFile,
        predictIfMissing: false,
        allowOtherDataset: true,
      }),
    );
    expect(err.message).toContain(`made on ${idA.name} (${idA.id.slice(0, 8)})`);
    expect(err.message).toContain(`the open dataset is ${idB.name} (${idB.id.slice(0, 8)})`);
    expect(fs.existsSync(path.join(a.root, 'y.csv'))).toBe(false);
  });

  it('export refuses well ids not in test.csv and a mix of assigned and unassigned wells', async () => {
    const run = copyRun('export-mix');
    await makeSubmission({ runDir: run, out: path.join(a.root, 'm.csv') });
    const file = path.join(run, 'predictions', 'test.json');
    const good = fs.readFileSync(file, 'utf8');
    const edit = (
      f: (j: { wells: Array<{ idCode: string; assigned: number | null }> }) => void,
    ) => {
      const j = JSON.parse(good) as { wells: Array<{ idCode: string; assigned: number | null }> };
      f(j);
      fs.writeFileSync(file, JSON.stringify(j));
    };
    const opts = { runDir: run, out: path.join(a.root, 'm2.csv'), predictIfMissing: false };
    edit((j) => (j.wells[0]!.idCode = 'HUVEC-99_1_B03'));
    await expect(makeSubmission(opts)).rejects.toThrow(
      /1 of its \d+ non-control wells are not in .*test\.csv .*\(e\.g\. HUVEC-99_1_B03\)/,
    );
    edit((j) => (j.wells[1]!.assigned = null));
    await expect(makeSubmission(opts)).rejects.toThrow(
      /\d+ of its \d+ treatment wells have a plate-group assignment and 1 do not/,
    );
    expect(fs.existsSync(opts.out)).toBe(false);
  });
});

describe('checkpoints and run status', () => {
  it('predict verifies the weights against the manifest before loading them', async () => {
    const run = copyRun('tampered');
    const weights = path.join(run, 'best', 'weights.bin');
    const buf = fs.readFileSync(weights);
    buf.writeFloatLE(buf.readFloatLE(0) + 1, 0);
    fs.writeFileSync(weights, buf);
    const err = await failure(predictRun({ runDir: run, split: 'val' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain(`${weights}: does not match the run's manifest.json`);
  });

  it('an incomplete run predicts and exports only when asked, naming its checkpoint', async () => {
    const run = copyRun('cancelled');
    updateRunInfo(run, { status: 'cancelled' });
    await expect(predictRun({ runDir: run, split: 'test', assign: true })).rejects.toThrow(
      /run cancelled is cancelled, not completed: its weights would be best/,
    );
    const r = await predictRun({ runDir: run, split: 'test', assign: true, allowIncomplete: true });
    expect(r.set.runStatus).toBe('cancelled');
    expect(predictionSetInfo(r.set).label).toMatch(
      /run cancelled \(best \(epoch \d\), run cancelled\)/,
    );
    const out = path.join(a.root, 'inc.csv');
    await expect(makeSubmission({ runDir: run, out, predictIfMissing: false })).rejects.toThrow(
      /is cancelled, not completed/,
    );
    const s = await makeSubmission({
      runDir: run,
      out,
      predictIfMissing: false,
      allowIncomplete: true,
    });
    expect(s.source.runStatus).toBe('cancelled');
    expect(s.source.checkpoint?.path).toBe('best');
  });
});

describe('runs per dataset and old runs', () => {
  it('lists runs with their dataset and how it relates to the open one', () => {
    const runs = listRuns(runsRoot, idA);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.dataset?.id === idA.id && r.datasetMatch === 'same')).toBe(true);
    expect(listRuns(runsRoot, idB).every((r) => r.datasetMatch === 'other')).toBe(true);
  });

  it('loads runs and sets stored before provenance as unknown dataset, and never exports them', async () => {
    const run = copyRun('legacy');
    await predictRun({ runDir: run, split: 'test', assign: true });
    const info = JSON.parse(fs.readFileSync(path.join(run, 'run.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    delete info.dataset;
    fs.writeFileSync(path.join(run, 'run.json'), JSON.stringify(info));
    const setFile = path.join(run, 'predictions', 'test.json');
    const set = JSON.parse(fs.readFileSync(setFile, 'utf8')) as Record<string, unknown>;
    for (const k of ['dataset', 'checkpoint', 'runStatus', 'createdAt']) delete set[k];
    fs.writeFileSync(setFile, JSON.stringify(set));

    const listed = listRuns(runsRoot, idA).find((r) => r.runId === 'legacy')!;
    expect(listed.dataset).toBeNull();
    expect(listed.datasetMatch).toBe('same'); // its recorded catalog is A's
    expect(listRuns(runsRoot, idB).find((r) => r.runId === 'legacy')!.datasetMatch).toBe('unknown');
    const old = loadPredictionSet(run, 'test', idA)!;
    expect(old.wells.length).toBeGreaterThan(0);
    expect(predictionSetInfo(old).label).toContain('on unknown dataset');
    expect(loadPredictionSet(run, 'test', idB)).toBeNull();
    await expect(
      makeSubmission({ runDir: run, out: path.join(a.root, 'l.csv'), predictIfMissing: false }),
    ).rejects.toThrow(/unknown dataset.*its dataset is unknown/);
    // The CLI path predicts again instead of reusing it.
    const s = await makeSubmission({ runDir: run, out: path.join(a.root, 'l.csv') });
    expect(s.source.dataset?.id).toBe(idA.id);
  });
});
