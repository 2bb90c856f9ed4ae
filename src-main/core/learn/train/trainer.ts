// The training loop (runs inside the child process): prepares or reloads the run folder, then steps
// through epochs with per-step metrics, per-epoch validation, atomic checkpoints and graceful cancel.
// All randomness is derived from (seed, epoch, step), so resuming from a checkpoint is exact. Data
// comes from the imaging pipeline's worker thread (decode, decoded-site cache, normalisation, D4).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TrainConfig } from '../../../../src-shared/contract';
import { datasetIdentity, type DatasetRef } from '../../catalog/dataset-identity';
import { openCatalog } from '../../catalog/db';
import { inputError } from '../../errors';
import { getTf, type LayersModel, type Tensor, type Variable } from '../backend/tf';
import { buildClassList, targetLabel, type ClassList } from '../data/classes';
import { buildSamples } from '../data/samples';
import { resolveRunStats } from '../data/normalization';
import { createTrainStream, pipelineSamples, type TrainStream } from '../data/train-stream';
import { datasetRoot, loadSiteRows } from '../data/site-rows';
import { makeSplit, type SplitResult } from '../data/split';
import {
  readClassList,
  readRunConfig,
  readSplit,
  runPath,
  updateRunInfo,
  writeManifest,
  type RunInfo,
} from '../runs/run-folder';
import { writeJsonAtomic } from '../../util/atomic-write';
import { rngFor, RngPurpose } from '../util/rng';
import {
  latestCheckpoint,
  loadCheckpoint,
  saveBestWeights,
  saveCheckpoint,
  type CheckpointState,
} from './checkpoint';
import { countNonFiniteWeights, divergedError } from './divergence';
import { lossFromLogits, smoothedOneHot } from './loss';
import type { EpochMetric, StepMetric, TrainEvent, TrainJob, TrainSummary } from './messages';
import { createModel } from './model-factory';
import { pickBatchSize } from '../models/memory';
import { learningRateAt } from './schedule';
import { withSeededRandom } from './seeded-random';
import { yieldToEventLoop } from './yield';
import { createOptimizer, type Optimizer } from './optimizer';
import { batchInputs, trainStep, type StepContext } from './step';
import { initTf } from './tf-runtime';
import { modelWeights, setModelWeights } from './weights';

export interface TrainerHooks {
  emit(msg: TrainEvent): void;
  isCancelled(): boolean;
  /** Decoded-site cache hits/misses of the run's data stream, reported when it closes. */
  onCacheStats?(stats: { hits: number; misses: number }): void;
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Micro-batch that fits the wasm heap (gradient accumulation restores the full batch). */
function plannedMicroBatch(
  config: TrainConfig,
  classes: ClassList,
  backendName: string,
  batchSize: number,
): number {
  if (backendName !== 'wasm' && backendName !== 'cpu') return batchSize;
  const plan = pickBatchSize(
    {
      arch: config.arch,
      inputSize: config.cropSize,
      channels: 6,
      numClasses: classes.labels.length,
      dropout: config.dropout,
    },
    config.cropSize,
    { targetBatch: batchSize },
  );
  return plan.batchSize;
}

export function buildRunModel(config: TrainConfig, classes: ClassList): LayersModel {
  return withSeededRandom(rngFor(config.seed, RngPurpose.init).stateValue, () =>
    createModel({
      arch: config.arch,
      inputSize: config.cropSize,
      channels: 6,
      numClasses: classes.labels.length,
      dropout: config.dropout,
      cellTypeInputs: config.cellTypeInput ? classes.cellTypes.length : undefined,
    }),
  );
}

/** Mean loss and accuracy over one epoch's validation batches (eval mode, hard targets, centre crop). */
export async function evaluateSamples(
  model: LayersModel,
  stream: TrainStream,
  config: TrainConfig,
  numClasses: number,
  numCellTypes: number,
  total: number,
): Promise<{ loss: number; accuracy: number } | null> {
  const tf = getTf();
  if (total === 0) return null;
  let lossSum = 0;
  let correct = 0;
  for (;;) {
    const item = await stream.next();
    if (item.kind !== 'val')
      throw new Error('training data stream is out of order (expected validation)');
    const b = item.batch;
    const inputs = batchInputs(b, 0, b.n, numCellTypes);
    const [l, pred] = tf.tidy(() => {
      const logits = model.apply(inputs.length === 1 ? inputs[0]! : inputs, {
        training: false,
      }) as Tensor;
      const t = smoothedOneHot(b.y, numClasses, 0);
      return [lossFromLogits(config.loss, logits, t), tf.argMax(logits, -1)];
    });
    lossSum += (await l!.data())[0]! * b.n;
    const p = await pred!.data();
    for (let i = 0; i < b.n; i++) if (p[i] === b.y[i]) correct++;
    tf.dispose([l!, pred!, ...inputs]);
    await yieldToEventLoop();
    if (item.last) break;
  }
  return { loss: lossSum / total, accuracy: correct / total };
}

/** Decoded-site cache beside the catalog: one file per dataset (catalog) and resolution. */
export function decodedCacheFile(dbFile: string, resolution: number): string {
  const base = path.basename(dbFile).replace(/\.[^.]*$/, '');
  return path.join(path.dirname(dbFile), 'decoded-cache', `${base}-${resolution}.bin`);
}

export async function runTraining(job: TrainJob, hooks: TrainerHooks): Promise<TrainSummary> {
  const runDir = path.resolve(job.runDir);
  const dbFile = path.resolve(job.dbFile);
  const runId = path.basename(runDir);
  const resuming = Boolean(job.resume) && fs.existsSync(runPath(runDir, 'config'));
  if (!fs.existsSync(dbFile)) throw inputError(`${dbFile}: catalog database not found`);
  if (job.resume && !resuming && !job.config)
    throw inputError(`${runDir}: holds no run to resume (no config.json)`);
  if (!resuming && fs.existsSync(runPath(runDir, 'run')))
    throw inputError(
      `${runDir}: already holds a run; pass --resume to continue it or choose another folder`,
    );

  const { backend } = await initTf(job.backend);
  const db = openCatalog(dbFile);
  let rows;
  let root: string;
  let dataset: DatasetRef;
  try {
    root = datasetRoot(db, dbFile);
    dataset = datasetIdentity(db, dbFile);
    rows = loadSiteRows(db, 'train');
  } finally {
    db.close();
  }

  let config: TrainConfig;
  let classes: ClassList;
  let split: SplitResult;
  if (resuming) {
    config = readRunConfig(runDir);
    classes = readClassList(runDir);
    split = readSplit(runDir);
    updateRunInfo(runDir, {
      status: 'running',
      pid: process.pid,
      backend: backend.name,
      error: null,
    });
  } else {
    if (!job.config) throw inputError('a training config is required for a new run');
    config = job.config;
    classes = buildClassList(rows, config);
    if (classes.labels.length < 2)
      throw inputError(
        `${dbFile}: only ${classes.labels.length} class(es) for target "${config.target}"; need at least 2 labelled classes`,
      );
    split = makeSplit(rows, config, (r) => targetLabel(r, config.target)!);
    fs.mkdirSync(runDir, { recursive: true });
    writeJsonAtomic(runPath(runDir, 'config'), config);
    writeJsonAtomic(runPath(runDir, 'classes'), classes);
    writeJsonAtomic(runPath(runDir, 'split'), split);
    fs.writeFileSync(runPath(runDir, 'metrics'), '');
    const now = new Date().toISOString();
    const info: RunInfo = {
      runId,
      createdAt: now,
      updatedAt: now,
      status: 'running',
      backend: backend.name,
      dbFile,
      dataset,
      pid: process.pid,
      epochsDone: 0,
      bestValAccuracy: null,
      imagesPerSecond: null,
      warnings: split.warnings,
      error: null,
    };
    writeJsonAtomic(runPath(runDir, 'run'), info);
  }
  const configSha = sha256(JSON.stringify(config));

  const numClasses = classes.labels.length;
  const numCellTypes = config.cellTypeInput ? classes.cellTypes.length : 0;
  const train = buildSamples(rows, new Set(split.train), classes, config.target);
  const val = buildSamples(rows, new Set(split.val), classes, config.target);
  if (train.samples.length === 0)
    throw inputError(`${dbFile}: no complete training sites for this split`);
  const stats = await resolveRunStats(
    root,
    dbFile,
    config.normalization,
    pipelineSamples({ train, val }),
  );
  // Normalisation fallbacks (flat or missing controls) are part of the run's record and log.
  const warnings = [...split.warnings, ...(stats.warnings ?? [])];
  if (stats.warnings?.length) updateRunInfo(runDir, { warnings });
  const batchSize = Math.min(config.batchSize, train.samples.length);
  const stepsPerEpoch = Math.max(1, Math.floor(train.samples.length / batchSize));

  const model = buildRunModel(config, classes);
  const vars = model.trainableWeights.map((w) => w.read() as Variable);
  const optimizer: Optimizer = createOptimizer(config, vars);
  const ctx: StepContext = {
    model,
    optimizer,
    loss: config.loss,
    numClasses,
    numCellTypes,
    labelSmoothing: config.labelSmoothing,
    mixup: config.mixup,
    microBatch: Math.max(
      1,
      Math.min(
        job.microBatch ?? plannedMicroBatch(config, classes, backend.name, batchSize),
        batchSize,
      ),
    ),
  };

  let state: CheckpointState = {
    epoch: 0,
    stepInEpoch: 0,
    globalStep: 0,
    rng: { seed: config.seed, epoch: 0, stepInEpoch: 0 },
    bestValAccuracy: null,
    bestEpoch: null,
    configSha256: configSha,
    optimizer: { kind: optimizer.kind, step: 0 },
  };
  let resumedFromStep: number | null = null;
  const ckptDir = resuming ? latestCheckpoint(runDir) : null;
  if (ckptDir) {
    const ckpt = loadCheckpoint(ckptDir);
    if (ckpt.state.configSha256 !== configSha)
      throw inputError(`${ckptDir}: checkpoint was made with another config.json`);
    const saved = ckpt.state.optimizer ?? { kind: 'sgd', step: ckpt.state.globalStep };
    if (saved.kind !== optimizer.kind)
      throw inputError(
        `${ckptDir}: checkpoint holds ${saved.kind} optimiser state but config.json asks for ${config.optimizer}` +
          (ckpt.state.optimizer
            ? ''
            : ' (this run was made before Adam was implemented and trained with SGD)') +
          '; resume it with its own optimiser or start a new run',
        { checkpoint: saved.kind, config: config.optimizer },
      );
    setModelWeights(model, ckpt.weights, ckptDir);
    try {
      optimizer.setState({ step: saved.step, slots: ckpt.slots.map((s) => s.values) });
    } catch (err) {
      throw inputError(`${ckptDir}: ${(err as Error).message}`);
    }
    state = { ...ckpt.state, optimizer: saved };
    resumedFromStep = state.globalStep;
  }
  // Drop metrics written after the checkpoint: those steps are replayed identically.
  if (resuming) {
    const lines = fs.existsSync(runPath(runDir, 'metrics'))
      ? fs.readFileSync(runPath(runDir, 'metrics'), 'utf8').split('\n').filter(Boolean)
      : [];
    const kept = lines.filter((l) => {
      try {
        const m = JSON.parse(l) as { type: string; step?: number; epoch: number };
        return m.type === 'step' ? (m.step ?? 0) <= state.globalStep : m.epoch < state.epoch;
      } catch {
        return false; // a torn last line from a kill -9
      }
    });
    fs.writeFileSync(runPath(runDir, 'metrics'), kept.map((l) => `${l}\n`).join(''));
  }
  const appendMetric = (m: object): void =>
    fs.appendFileSync(runPath(runDir, 'metrics'), `${JSON.stringify(m)}\n`);

  hooks.emit({
    type: 'started',
    info: {
      runId,
      backend: backend.name,
      trainWells: split.train.length,
      valWells: split.val.length,
      trainSites: train.samples.length,
      classes: numClasses,
      stepsPerEpoch,
      epochs: config.epochs,
      startEpoch: state.epoch,
      resumedFromStep,
      warnings,
    },
  });

  let lr = 0;
  /** The model's weights, or a divergence error when any is NaN/Inf (never saved over good ones). */
  const finiteWeights = async (
    epoch: number,
    step: number,
  ): Promise<Awaited<ReturnType<typeof modelWeights>>> => {
    const weights = await modelWeights(model);
    const bad = countNonFiniteWeights(weights);
    if (bad > 0) throw divergedError(`${bad} weight(s) became NaN/Inf`, { epoch, step, lr });
    return weights;
  };
  const checkpoint = async (): Promise<void> => {
    state.rng = { seed: config.seed, epoch: state.epoch, stepInEpoch: state.stepInEpoch };
    // At an epoch boundary state.epoch already counts the finished epoch: name that one.
    const weights =
      state.stepInEpoch === 0 && state.epoch > 0
        ? await finiteWeights(state.epoch - 1, stepsPerEpoch)
        : await finiteWeights(state.epoch, state.stepInEpoch);
    const opt = await optimizer.state();
    state.optimizer = { kind: optimizer.kind, step: opt.step };
    const dir = saveCheckpoint(runDir, {
      state,
      weights,
      slots: opt.slots.map((values, i) => ({ shape: [...optimizer.slots[i]!.shape], values })),
    });
    hooks.emit({ type: 'checkpoint', dir, epoch: state.epoch, globalStep: state.globalStep });
  };

  const epochSeconds: number[] = [];
  let lastImagesPerSecond: number | null = null;
  let cancelled = false;
  /** Decoded-cache warnings of this run (a nearly full disk), added to the summary. */
  const cacheWarnings: string[] = [];
  const stream = createTrainStream({
    root,
    train,
    val,
    seed: config.seed,
    imageSize: config.imageSize,
    cropSize: config.cropSize,
    batchSize,
    stepsPerEpoch,
    evalBatchSize: Math.max(config.batchSize, 32),
    augment: config.augment,
    epochs: config.epochs,
    startEpoch: state.epoch,
    startStep: state.stepInEpoch,
    normalization: config.normalization,
    stats,
    cacheFile: job.cacheFile ?? decodedCacheFile(dbFile, config.imageSize),
    cacheLimits: job.cacheBudgetBytes ? { budgetBytes: job.cacheBudgetBytes } : undefined,
    workers: job.decodeWorkers,
    inProcess: job.inProcessData,
    onCacheStats: hooks.onCacheStats,
    onCacheWarning: (w) => {
      cacheWarnings.push(w);
      console.warn(`warning: ${w}`);
    },
  });
  try {
    while (state.epoch < config.epochs && !cancelled) {
      const epoch = state.epoch;
      const t0 = performance.now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      while (state.stepInEpoch < stepsPerEpoch) {
        const k = state.stepInEpoch;
        const ts = performance.now();
        const item = await stream.next();
        if (item.kind !== 'train' || item.epoch !== epoch || item.step !== k)
          throw new Error(
            `training data stream is out of order at epoch ${epoch + 1}, step ${k + 1}`,
          );
        lr = learningRateAt(config, epoch, k, stepsPerEpoch);
        const r = await trainStep(
          ctx,
          item.batch,
          lr,
          rngFor(config.seed, RngPurpose.mixup, epoch, k),
        );
        if (!Number.isFinite(r.loss))
          throw divergedError(`loss became ${r.loss}`, { epoch, step: k + 1, lr });
        lossSum += r.loss * r.n;
        correct += r.correct;
        seen += r.n;
        state.stepInEpoch++;
        state.globalStep++;
        const ips = r.n / ((performance.now() - ts) / 1000);
        const metric: StepMetric = {
          step: state.globalStep,
          epoch,
          loss: r.loss,
          accuracy: r.correct / r.n,
          lr,
          imagesPerSecond: ips,
        };
        appendMetric({ type: 'step', ...metric });
        hooks.emit({ type: 'step', metric });
        // A macrotask per step: prefetched batches resolve as microtasks, so without this the child
        // never reads its IPC channel and a cancel message waits until the run ends.
        await yieldToEventLoop();
        if (hooks.isCancelled() && state.stepInEpoch < stepsPerEpoch) {
          cancelled = true;
          break;
        }
      }
      if (cancelled) {
        await checkpoint();
        break;
      }
      const trainSeconds = (performance.now() - t0) / 1000;
      const v = await evaluateSamples(
        model,
        stream,
        config,
        numClasses,
        numCellTypes,
        val.samples.length,
      );
      if (v && !Number.isFinite(v.loss))
        throw divergedError(`validation loss became ${v.loss}`, { epoch, step: stepsPerEpoch, lr });
      const seconds = (performance.now() - t0) / 1000;
      epochSeconds.push(seconds);
      state.epoch++;
      state.stepInEpoch = 0;
      lastImagesPerSecond = seen / trainSeconds;
      const meanEpoch = epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
      const metric: EpochMetric = {
        epoch,
        loss: seen ? lossSum / seen : 0,
        accuracy: seen ? correct / seen : 0,
        valLoss: v?.loss ?? null,
        valAccuracy: v?.accuracy ?? null,
        lr,
        imagesPerSecond: lastImagesPerSecond,
        seconds,
        etaSeconds: meanEpoch * (config.epochs - state.epoch),
      };
      // Without validation the latest epoch counts as best.
      const improved = v
        ? state.bestValAccuracy === null || v.accuracy > state.bestValAccuracy
        : true;
      if (improved) {
        state.bestValAccuracy = v ? v.accuracy : null;
        state.bestEpoch = epoch;
        saveBestWeights(runDir, await finiteWeights(epoch, stepsPerEpoch), {
          epoch,
          valAccuracy: state.bestValAccuracy,
        });
      }
      appendMetric({ type: 'epoch', ...metric });
      hooks.emit({ type: 'epoch', metric });
      await checkpoint();
      updateRunInfo(runDir, {
        epochsDone: state.epoch,
        bestValAccuracy: state.bestValAccuracy,
        imagesPerSecond: lastImagesPerSecond,
      });
      writeManifest(runDir);
      if (hooks.isCancelled() && state.epoch < config.epochs) cancelled = true;
    }
  } finally {
    await stream.close();
    optimizer.dispose();
    model.dispose();
  }
  const status = cancelled ? 'cancelled' : 'done';
  updateRunInfo(runDir, { status, pid: null, epochsDone: state.epoch });
  writeManifest(runDir);
  return {
    runId,
    status,
    backend: backend.name,
    epochsDone: state.epoch,
    bestValAccuracy: state.bestValAccuracy,
    imagesPerSecond: lastImagesPerSecond,
    warnings: [...warnings, ...cacheWarnings],
    error: null,
    errorCode: null,
  };
}
