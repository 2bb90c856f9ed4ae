// Degenerate numbers end in one clear input error: a NaN in a trained run's classifier weights stops
// predict (plain, with assignment, through evaluate and the CLI) naming the run, the checkpoint and
// the sites affected, before anything is stored; a diverging run fails as a user error and keeps
// its last good checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platelab } from '../../../../test-support/cli/run-cli';
import { openCatalog } from '../../catalog/db';
import { PlateLabError } from '../../errors';
import { evaluateRun } from '../evaluate/evaluate-run';
import { writeJsonAtomic } from '../../util/atomic-write';
import { readRunInfo, sha256File, writeManifest } from '../runs/run-folder';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { latestCheckpoint } from '../train/checkpoint';
import { startTraining } from '../train/start-training';
import { tinyTrainConfig, trainTinyRun } from '../../../../test-support/learn/tiny-config';
import { runTraining } from '../train/trainer';
import { loadPredictionSet, predictRun, savePredictionSet } from './predict';

let ds: TinyDataset;
let goodRun: string;
let nanRun: string;
const quiet = { emit: () => {}, isCancelled: () => false };

/**
 * Writes NaN into the first value of the classifier head's kernel (the only rank-2 weight) and
 * re-signs the manifest, as a run whose weights came out NaN would be (the checkpoint check passes).
 */
function poisonHead(runDir: string): void {
  const dir = path.join(runDir, 'best');
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'weights.json'), 'utf8')) as {
    shape: number[];
    offset: number;
  }[];
  const head = index.find((e) => e.shape.length === 2)!;
  const buf = fs.readFileSync(path.join(dir, 'weights.bin'));
  buf.writeFloatLE(NaN, head.offset * 4);
  fs.writeFileSync(path.join(dir, 'weights.bin'), buf);
  writeManifest(runDir);
}

async function inputFailure(p: Promise<unknown>): Promise<PlateLabError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlateLabError);
  expect((err as PlateLabError).code).toBe('INVALID_INPUT');
  return err as PlateLabError;
}

beforeAll(async () => {
  ds = await makeTinyDataset({
    classes: 8,
    groups: 2,
    plates: 2,
    trainExperiments: ['HUVEC-01', 'RPE-01'],
    testExperiments: ['U2OS-01'],
  });
  goodRun = path.join(ds.root, 'runs', 'good');
  await trainTinyRun(ds.dbFile, goodRun, { epochs: 1 });
  nanRun = path.join(ds.root, 'runs', 'nan');
  fs.cpSync(goodRun, nanRun, { recursive: true });
  poisonHead(nanRun);
});
afterAll(() => ds.cleanup());

describe('NaN in the model weights', () => {
  it('stops predict, predict --assign and evaluate with the run, checkpoint and site count', async () => {
    const split = JSON.parse(fs.readFileSync(path.join(nanRun, 'split.json'), 'utf8')) as {
      val: string[];
    };
    const val = await inputFailure(predictRun({ runDir: nanRun, split: 'val' }));
    // One NaN in the head's kernel reaches every site's logits.
    expect(val.message).toMatch(
      new RegExp(
        `^${nanRun}: checkpoint best \\(epoch 1\\) gives NaN/Inf outputs for ${split.val.length * 2} of ${split.val.length * 2} site\\(s\\)`,
      ),
    );
    expect(val.message).not.toContain('\n');
    const test = await inputFailure(predictRun({ runDir: nanRun, split: 'test', assign: true }));
    expect(test.message).toMatch(/checkpoint best \(epoch 1\) gives NaN\/Inf outputs for 16 of 16/);
    const ev = await inputFailure(evaluateRun({ runDir: nanRun }));
    expect(ev.message).toMatch(/gives NaN\/Inf outputs/);
    // Nothing half-made was stored: no run-folder predictions, no catalog prediction set.
    expect(fs.existsSync(path.join(nanRun, 'predictions'))).toBe(false);
    const db = openCatalog(ds.dbFile);
    const sets = db
      .prepare(`SELECT COUNT(*) AS n FROM learn_prediction_sets WHERE run_id = 'nan'`)
      .get() as { n: number };
    db.close();
    expect(sets.n).toBe(0);
    // The healthy copy of the same run still predicts.
    const ok = await predictRun({ runDir: goodRun, split: 'test', assign: true });
    expect(ok.set.wells.length).toBe(ds.testTruth.size);
  });

  it('exits 1 with one line from the CLI', async () => {
    const r = await platelab(
      'predict',
      '--run',
      nanRun,
      '--split',
      'test',
      '--assign',
      '--out',
      path.join(ds.root, 'nan.csv'),
    );
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/checkpoint best \(epoch 1\) gives NaN\/Inf outputs for 16 of 16/);
    expect(r.stderr).not.toMatch(/internal error|NOT NULL/);
  });

  it('refuses a stored prediction set holding NaN probabilities', async () => {
    const r = await predictRun({ runDir: goodRun, split: 'val' });
    const probs = r.set.probs.slice();
    probs[3] = Number.POSITIVE_INFINITY;
    savePredictionSet(goodRun, { ...r.set, probs }, { accuracy: null, accuracyAssigned: null });
    expect(() => loadPredictionSet(goodRun, 'val')).toThrow(
      /val-probs\.f32: 1 of \d+ well\(s\) have NaN\/Inf probabilities/,
    );
  });
});

describe('a diverging run', () => {
  it('fails as a user error on a fresh run with an absurd learning rate', async () => {
    const runDir = path.join(ds.root, 'runs', 'absurd');
    const err = await inputFailure(
      runTraining(
        { dbFile: ds.dbFile, runDir, config: tinyTrainConfig({ epochs: 1, learningRate: 1e30 }) },
        quiet,
      ),
    );
    expect(err.message).toMatch(/^training diverged: .* lower the learning rate/);
    // Nothing non-finite was saved.
    expect(latestCheckpoint(runDir)).toBeNull();
    expect(fs.existsSync(path.join(runDir, 'best'))).toBe(false);
  });

  it('keeps the last good checkpoint and marks run.json failed with the reason', async () => {
    const runDir = path.join(ds.root, 'runs', 'diverge');
    fs.cpSync(goodRun, runDir, { recursive: true });
    const ckpt = latestCheckpoint(runDir)!;
    const before = {
      ckpt: sha256File(path.join(ckpt, 'weights.bin')),
      best: sha256File(path.join(runDir, 'best', 'weights.bin')),
    };
    // Continue for one more epoch with the most unstable settings the contract allows: SGD with
    // learning rate 10, momentum 1 and weight decay 1 makes the L2 term alone grow the weights about
    // 8x a step (eigenvalue -4-sqrt(15) of the update); batch size 1 gives enough steps for them to
    // overflow within the epoch (the
    // checkpoint re-keyed to the edited config, as resume demands; config.json is parsed with the
    // contract's schema, so an out-of-range rate would be refused before training).
    const cfgFile = path.join(runDir, 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
    const next = { ...cfg, epochs: 2, batchSize: 1, learningRate: 10, momentum: 1, weightDecay: 1 };
    writeJsonAtomic(cfgFile, next);
    const stateFile = path.join(ckpt, 'state.json');
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
    const { createHash } = await import('node:crypto');
    state.configSha256 = createHash('sha256').update(JSON.stringify(next)).digest('hex');
    fs.writeFileSync(stateFile, JSON.stringify(state));

    const s = await startTraining({ dbFile: ds.dbFile, runDir, resume: true }).done;
    expect(s.status).toBe('failed');
    expect(s.errorCode).toBe('INVALID_INPUT');
    expect(s.error).toMatch(/^training diverged: .*at epoch 2.*lower the learning rate/);
    const info = readRunInfo(runDir);
    expect(info.status).toBe('failed');
    expect(info.error).toBe(s.error);
    expect(latestCheckpoint(runDir)).toBe(ckpt);
    expect(sha256File(path.join(ckpt, 'weights.bin'))).toBe(before.ckpt);
    expect(sha256File(path.join(runDir, 'best', 'weights.bin'))).toBe(before.best);
  });
});
