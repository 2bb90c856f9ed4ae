// The training entry (runs inside the child process): wires run set-up (run-setup.ts), resume
// bookkeeping (resume.ts), the data stream (data/train-stream.ts), the epoch loop (epoch-loop.ts)
// and the checkpoint policy (checkpoint-policy.ts), and writes metrics, run.json and the manifest.
// All randomness is derived from (seed, epoch, step), so resuming from a checkpoint is exact.
import fs from 'node:fs';
import type { TrainConfig } from '../../../../src-shared/contract';
import type { Variable } from '../backend/tf';
import type { ClassList } from '../data/classes';
import { resolveRunStats } from '../data/normalization';
import { buildSamples } from '../data/samples';
import { createTrainStream, decodedCacheFile, pipelineSamples } from '../data/train-stream';
import { pickBatchSize } from '../models/memory';
import { runPath, updateRunInfo, writeManifest } from '../runs/run-folder';
import { inputError } from '../../errors';
import { checkpointPolicy } from './checkpoint-policy';
import { runEpochs } from './epoch-loop';
import type { TrainEvent, TrainJob, TrainSummary } from './messages';
import { buildRunModel } from './model-factory';
import { createOptimizer } from './optimizer';
import { freshState, restoreLatestCheckpoint, truncateMetrics } from './resume';
import { checkTrainJob, setUpRun } from './run-setup';
import type { StepContext } from './step';
import { initTf } from './tf-runtime';

export interface TrainerHooks {
  emit(msg: TrainEvent): void;
  isCancelled(): boolean;
  /** Decoded-site cache hits/misses of the run's data stream, reported when it closes. */
  onCacheStats?(stats: { hits: number; misses: number }): void;
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

/**
 * Trains (or resumes) the run of `job` to its config's epochs or a cancel, emitting started / step /
 * epoch / checkpoint messages through `hooks`. Errors: INVALID_INPUT for a bad job, catalog or
 * checkpoint; DIVERGED when training produces NaN/Inf.
 */
export async function runTraining(job: TrainJob, hooks: TrainerHooks): Promise<TrainSummary> {
  checkTrainJob(job);
  const { backend } = await initTf(job.backend);
  const run = setUpRun(job, backend.name);
  const { runDir, runId, dbFile, root, rows, config, classes, split } = run;

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
  const optimizer = createOptimizer(config, vars);
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

  const { state, resumedFromStep } = run.resuming
    ? restoreLatestCheckpoint(runDir, config, run.configSha, model, optimizer)
    : { state: freshState(config, run.configSha, optimizer), resumedFromStep: null };
  if (run.resuming) truncateMetrics(runDir, state);
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
      reviewExcluded: run.review.excludedWells,
      classCoverage: run.classes.coverage ?? null,
    },
  });

  const checkpoints = checkpointPolicy({
    runDir,
    model,
    optimizer,
    seed: config.seed,
    stepsPerEpoch,
    onSaved: (dir, s) =>
      hooks.emit({ type: 'checkpoint', dir, epoch: s.epoch, globalStep: s.globalStep }),
  });
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
  let result: { cancelled: boolean; imagesPerSecond: number | null };
  try {
    result = await runEpochs(
      { config, ctx, stream, stepsPerEpoch, valSamples: val.samples.length, state },
      {
        onStep(metric) {
          appendMetric({ type: 'step', ...metric });
          hooks.emit({ type: 'step', metric });
        },
        async onEpochEnd(metric, valAccuracy) {
          await checkpoints.keepBest(state, metric.epoch, valAccuracy, metric.lr);
          appendMetric({ type: 'epoch', ...metric });
          hooks.emit({ type: 'epoch', metric });
          await checkpoints.save(state, metric.lr);
          updateRunInfo(runDir, {
            epochsDone: state.epoch,
            bestValAccuracy: state.bestValAccuracy,
            imagesPerSecond: metric.imagesPerSecond,
          });
          writeManifest(runDir);
        },
        onCancelledMidEpoch: (lr) => checkpoints.save(state, lr),
        isCancelled: () => hooks.isCancelled(),
      },
    );
  } finally {
    await stream.close();
    optimizer.dispose();
    model.dispose();
  }
  const status = result.cancelled ? 'cancelled' : 'done';
  updateRunInfo(runDir, { status, pid: null, epochsDone: state.epoch });
  writeManifest(runDir);
  return {
    runId,
    status,
    backend: backend.name,
    epochsDone: state.epoch,
    bestValAccuracy: state.bestValAccuracy,
    imagesPerSecond: result.imagesPerSecond,
    warnings: [...warnings, ...cacheWarnings],
    reviewExcluded: run.review.excludedWells,
    classCoverage: run.classes.coverage ?? null,
    error: null,
    errorCode: null,
  };
}
