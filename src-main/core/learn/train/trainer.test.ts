// In-process tests of the training loop: run folder contents, manifest, tensor hygiene, learning.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTf } from '../backend/tf';
import { BatchSource } from '../data/batches';
import { buildClassList } from '../data/classes';
import { buildSamples } from '../data/samples';
import { SiteImageCache } from '../data/site-images';
import { loadSiteRows } from '../data/site-rows';
import { openCatalog } from '../../catalog/db';
import { runPath, updateRunInfo, verifyManifest } from '../runs/run-folder';
import { listRuns, readRunMetrics } from '../runs/list-runs';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { SeededRng } from '../util/rng';
import { latestCheckpoint, listCheckpoints, loadCheckpoint } from './checkpoint';
import { createModel } from './model-factory';
import { createOptimizer, type OptimizerKind } from './optimizer';
import { trainStep } from './step';
import { initTf } from './tf-runtime';
import { tinyTrainConfig } from '../../../../test-support/learn/tiny-config';
import { runTraining } from './trainer';
import type { Variable } from '../backend/tf';

let ds: TinyDataset;
beforeAll(async () => {
  ds = await makeTinyDataset({ classes: 4, plates: 2 });
});
afterAll(() => ds.cleanup());

describe('runTraining', () => {
  it('writes a complete, hash-verified run folder with checkpoints and metrics', async () => {
    const runDir = path.join(ds.root, 'runs', 'r1');
    const events: string[] = [];
    const summary = await runTraining(
      { dbFile: ds.dbFile, runDir, config: tinyTrainConfig({ epochs: 3 }) },
      { emit: (m) => events.push(m.type), isCancelled: () => false },
    );
    expect(summary.status).toBe('done');
    expect(summary.epochsDone).toBe(3);
    for (const f of ['config', 'split', 'classes', 'run', 'metrics', 'manifest'] as const)
      expect(fs.existsSync(runPath(runDir, f))).toBe(true);
    expect(listCheckpoints(runDir).length).toBe(2);
    expect(verifyManifest(runDir)).toEqual([]);
    fs.appendFileSync(runPath(runDir, 'config'), ' ');
    expect(verifyManifest(runDir)).toEqual(['config.json: changed']);
    const lines = fs
      .readFileSync(runPath(runDir, 'metrics'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const epochs = lines.filter((l) => l.type === 'epoch');
    expect(epochs).toHaveLength(3);
    for (const e of epochs) expect(Number.isFinite(e.loss) && e.valAccuracy !== null).toBe(true);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(events.filter((e) => e === 'epoch')).toHaveLength(3);
    expect(events[0]).toBe('started');

    const listed = listRuns(path.join(ds.root, 'runs'));
    expect(listed.map((r) => [r.runId, r.status, r.epochsDone])).toEqual([['r1', 'done', 3]]);
    const metrics = readRunMetrics(runDir);
    expect(metrics.epochs).toHaveLength(3);
    expect(metrics.steps.length).toBe(lines.filter((l) => l.type === 'step').length);
    // A run marked running whose process is gone is reported as interrupted.
    updateRunInfo(runDir, { status: 'running', pid: 999_999_999 });
    expect(listRuns(path.join(ds.root, 'runs'))[0]!.status).toBe('interrupted');
  });

  it('trains with the configured optimiser and resumes an interrupted Adam run bit-identically', async () => {
    // The cancel lands mid-epoch (moments and t mid-flight); the resumed part crosses an epoch.
    const config = tinyTrainConfig({
      epochs: 2,
      optimizer: 'adamw',
      learningRate: 1e-3,
      weightDecay: 1e-2,
      dropout: 0.3,
    });
    const quiet = { emit: () => {}, isCancelled: () => false };
    const fullDir = path.join(ds.root, 'runs', 'adam-full');
    await runTraining({ dbFile: ds.dbFile, runDir: fullDir, config }, quiet);
    const full = loadCheckpoint(latestCheckpoint(fullDir)!);
    // The run's optimiser is the configured one: AdamW state (m and v per variable, t = steps).
    expect(full.state.optimizer).toEqual({ kind: 'adamw', step: full.state.globalStep });
    const nVars = full.slots.length / 2;
    expect(nVars).toBeGreaterThan(0);
    expect(full.slots.slice(0, nVars).map((s) => s.shape)).toEqual(
      full.slots.slice(nVars).map((s) => s.shape),
    );

    const runDir = path.join(ds.root, 'runs', 'adam-resumed');
    let steps = 0;
    const first = await runTraining(
      { dbFile: ds.dbFile, runDir, config },
      { emit: (m) => m.type === 'step' && steps++, isCancelled: () => steps >= 2 },
    );
    expect(first.status).toBe('cancelled');
    const mid = loadCheckpoint(latestCheckpoint(runDir)!);
    expect(mid.state.epoch).toBe(0);
    expect(mid.state.stepInEpoch).toBe(2);
    expect(mid.state.optimizer).toEqual({ kind: 'adamw', step: 2 });
    const resumed = await runTraining({ dbFile: ds.dbFile, runDir, resume: true }, quiet);
    expect(resumed.status).toBe('done');
    const end = loadCheckpoint(latestCheckpoint(runDir)!);
    expect(end.state.globalStep).toBe(full.state.globalStep);
    end.weights.forEach((w, i) => expect(w.values).toEqual(full.weights[i]!.values));
    end.slots.forEach((s, i) => expect(s.values).toEqual(full.slots[i]!.values));
    expect(end.state.optimizer).toEqual(full.state.optimizer);
  });

  it('refuses to resume a checkpoint with another optimiser', async () => {
    const runDir = path.join(ds.root, 'runs', 'sgd-old');
    const config = tinyTrainConfig({ epochs: 2, optimizer: 'sgd' });
    let steps = 0;
    await runTraining(
      { dbFile: ds.dbFile, runDir, config },
      { emit: (m) => m.type === 'step' && steps++, isCancelled: () => steps >= 1 },
    );
    const quiet = { emit: () => {}, isCancelled: () => false };
    // Editing config.json is caught by the config hash.
    const adam = { ...config, optimizer: 'adam' as const };
    fs.writeFileSync(runPath(runDir, 'config'), JSON.stringify(adam));
    await expect(runTraining({ dbFile: ds.dbFile, runDir, resume: true }, quiet)).rejects.toThrow(
      /checkpoint was made with another config\.json/,
    );
    // A run from before Adam existed: config said adam, the checkpoint (no optimizer record) is SGD.
    const ckptDir = latestCheckpoint(runDir)!;
    const statePath = path.join(ckptDir, 'state.json');
    const state = JSON.parse(fs.readFileSync(statePath, 'utf8')) as Record<string, unknown>;
    expect(state.optimizer).toEqual({ kind: 'sgd', step: 1 });
    delete state.optimizer;
    state.configSha256 = crypto.createHash('sha256').update(JSON.stringify(adam)).digest('hex');
    fs.writeFileSync(statePath, JSON.stringify(state));
    await expect(runTraining({ dbFile: ds.dbFile, runDir, resume: true }, quiet)).rejects.toThrow(
      /holds sgd optimiser state but config\.json asks for adam \(this run was made before Adam/,
    );
  });

  it('refuses to start over an existing run without resume', async () => {
    const runDir = path.join(ds.root, 'runs', 'r1');
    await expect(
      runTraining(
        { dbFile: ds.dbFile, runDir, config: tinyTrainConfig() },
        { emit: () => {}, isCancelled: () => false },
      ),
    ).rejects.toThrow(/already holds a run/);
  });
});

describe('trainStep', () => {
  it.each<OptimizerKind>(['sgd', 'adamw'])(
    'leaks no tensors across %s steps, with mixup, smoothing, dropout and gradient accumulation',
    async (optimizer) => {
      const { tf } = await initTf();
      const db = openCatalog(ds.dbFile);
      const rows = loadSiteRows(db, 'train');
      db.close();
      const config = tinyTrainConfig({
        mixup: 0.4,
        labelSmoothing: 0.1,
        dropout: 0.3,
        cellTypeInput: true,
      });
      const classes = buildClassList(rows, config);
      const { samples } = buildSamples(rows, new Set(rows.map((r) => r.idCode)), classes, 'sirna');
      const source = new BatchSource(new SiteImageCache(ds.root, 16), samples, 16, 12);
      const model = createModel({
        arch: 'resnet-mini',
        inputSize: 12,
        channels: 6,
        numClasses: 4,
        dropout: 0.3,
        cellTypeInputs: 2,
      });
      const opt = createOptimizer(
        { optimizer, momentum: 0.9, weightDecay: 5e-4 },
        model.trainableWeights.map((w) => w.read() as Variable),
      );
      const ctx = {
        model,
        optimizer: opt,
        loss: 'bce' as const,
        numClasses: 4,
        numCellTypes: 2,
        labelSmoothing: 0.1,
        mixup: 0.4,
        microBatch: 3,
      };
      const rng = new SeededRng(3);
      const counts: number[] = [];
      for (let s = 0; s < 4; s++) {
        const b = await source.trainBatch([0, 1, 2, 3, 4, 5, 6, 7], rng, {
          d4: true,
          intensityJitter: 0.1,
        });
        const r = await trainStep(ctx, b, 0.01, rng);
        expect(Number.isFinite(r.loss)).toBe(true);
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts.slice(1)).size).toBe(1);
      opt.dispose();
      model.dispose();
      expect(getTf().memory().numTensors).toBeLessThanOrEqual(counts[0]!);
    },
  );

  it.each<[OptimizerKind, number]>([
    ['sgd', 0.03],
    ['adam', 3e-3],
  ])('fits a fixed batch (gradients, loss and %s update agree)', async (optimizer, lr) => {
    await initTf();
    const db = openCatalog(ds.dbFile);
    const rows = loadSiteRows(db, 'train');
    db.close();
    const classes = buildClassList(rows, { target: 'sirna', includeControls: false });
    const { samples } = buildSamples(rows, new Set(rows.map((r) => r.idCode)), classes, 'sirna');
    const source = new BatchSource(new SiteImageCache(ds.root, 16), samples, 16, 12);
    const model = createModel({
      arch: 'resnet-mini',
      inputSize: 12,
      channels: 6,
      numClasses: 4,
      dropout: 0,
    });
    const opt = createOptimizer(
      { optimizer, momentum: 0.9, weightDecay: 5e-4 },
      model.trainableWeights.map((w) => w.read() as Variable),
    );
    const ctx = {
      model,
      optimizer: opt,
      loss: 'softmax' as const,
      numClasses: 4,
      numCellTypes: 0,
      labelSmoothing: 0,
      mixup: 0,
      microBatch: 8,
    };
    const b = await source.evalBatch(Array.from({ length: 8 }, (_, i) => i));
    const rng = new SeededRng(1);
    const first = await trainStep(ctx, b, lr, rng);
    let last = first;
    for (let s = 0; s < 12; s++) last = await trainStep(ctx, b, lr, rng);
    expect(last.loss).toBeLessThan(first.loss / 3);
    expect(last.correct).toBe(8);
    opt.dispose();
    model.dispose();
  });
});
