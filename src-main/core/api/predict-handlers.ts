// Prediction and export calls: predict a run's val/test wells as a 'predict' job run in a child
// process (stored in the catalog and the run folder), the evaluation summary and review queues, and
// the exports (Kaggle submission, per-well predictions CSV, plate heatmap figure) in exports/.
import path from 'node:path';
import type { CallOutput } from '../../../src-shared/contract';
import type { AppContext } from '../app/app-context';
import { relUnder } from '../app/media';
import { notFound, PlateLabError } from '../errors';
import { stepProgress } from '../jobs/job-manager';
import { summarizePredictions } from '../learn/evaluate/summary';
import { writePredictionsCsv } from '../learn/predict/csv';
import { childPredictLauncher, type PredictLauncher } from '../learn/predict/predict-in-child';
import { checkRunChoices, predictionSetInfo, storedSetDatasets } from '../learn/predict/provenance';
import { reviewQueue } from '../learn/predict/store';
import { readRunInfo } from '../learn/runs/run-folder';
import { inferenceWeightsDir } from '../learn/train/checkpoint';
import { datasetIdentity, describeDataset, sameDataset } from '../catalog/dataset-identity';
import { requireDataset } from './context-guards';
import type { HandlerGroup } from './handler-types';
import { exportPlateFigure } from './plate-heatmap';
import { runDirOf } from './run-dir';

// The predict modules load TensorFlow.js (seconds): imported on first use, not at server start
// (only to read stored predictions: predicting itself happens in the child process).
const predictModule = () => import('../learn/predict/predict');

/** Tables `predict` writes; sent with catalog:changed so plate maps refresh. */
const PREDICTION_TABLES = ['learn_prediction_sets', 'learn_well_predictions', 'learn_well_topk'];

type Names =
  | 'predict.start'
  | 'predictions.summary'
  | 'predictions.queue'
  | 'export.submission'
  | 'export.predictions'
  | 'export.platePng';

function safePart(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);
}

/** `launch`: how a prediction runs (default: a node child process; Electron: a utilityProcess). */
export function predictHandlers(
  ctx: AppContext,
  launch: PredictLauncher = childPredictLauncher(),
): HandlerGroup<Names> {
  const exported = (file: string, rows: number): CallOutput<'export.submission'> => ({
    path: file,
    url: ctx.mediaUrl('exports', relUnder(ctx.layout.exports, file)),
    rows,
  });

  return {
    'predict.start': ({ runId, split, tta, assign, allowOtherDataset, allowIncomplete }) => {
      const runDir = runDirOf(ctx.layout.runs, runId);
      // Always on the open dataset; a run from another one or an incomplete run only when asked.
      const ds = requireDataset(ctx);
      const dataset = datasetIdentity(ds.db, ds.dbFile);
      const weights = inferenceWeightsDir(runDir);
      checkRunChoices(
        readRunInfo(runDir),
        dataset,
        { allowOtherDataset, allowIncomplete },
        weights ? path.relative(runDir, weights) : 'none yet',
      );
      const busy = ctx.jobs.running('predict')[0];
      if (busy)
        throw new PlateLabError('CONFLICT', `"${busy.title}" is still running`, { jobId: busy.id });
      const job = ctx.jobs.start('predict', `Predict ${split} with ${runId}`, async (jc) => {
        const r = await launch(
          { runDir, split, tta, assign, dbFile: ds.dbFile, allowOtherDataset, allowIncomplete },
          { signal: jc.signal, onProgress: stepProgress(jc) },
        );
        ctx.events.emit('catalog:changed', { tables: PREDICTION_TABLES });
        return r;
      });
      return { jobId: job.id };
    },
    'predictions.summary': async ({ runId, split }) => {
      const { loadPredictionSet } = await predictModule();
      const ds = requireDataset(ctx);
      // Only the set this run made on the open dataset (never another dataset's over these plates).
      const set = loadPredictionSet(
        runDirOf(ctx.layout.runs, runId),
        split,
        datasetIdentity(ds.db, ds.dbFile),
      );
      if (!set) return null;
      const s = summarizePredictions(set);
      return {
        runId,
        split,
        wells: s.wells,
        controlWells: s.controlWells,
        accuracy: s.accuracy,
        accuracyAssigned: s.accuracyAssigned,
        unscoredWells: s.unscoredWells,
        perPlate: s.perPlate,
        perCellType: s.perCellType,
        confusedPairs: s.confusedPairs,
        source: predictionSetInfo(set),
      };
    },
    'predictions.queue': ({ runId, split, queue, limit }) => {
      runDirOf(ctx.layout.runs, runId);
      const ds = requireDataset(ctx);
      return reviewQueue(ds.db, runId, split, queue, limit).map((p) => ({
        idCode: p.idCode,
        experiment: p.experiment,
        plate: p.plate,
        well: p.well,
        truth: p.truth,
        predicted: p.assigned ?? p.top,
        prob: p.prob,
        sitesDisagree: p.sitesDisagree,
      }));
    },
    // For the open dataset, from this run's test set made on it: refused (never predicted here)
    // when that set is missing, stale or another dataset's (the message names both datasets).
    'export.submission': async ({ runId, allowOtherDataset, allowIncomplete }) => {
      const runDir = runDirOf(ctx.layout.runs, runId);
      const ds = requireDataset(ctx);
      const out = path.join(
        ctx.layout.exports,
        `${safePart(path.basename(ds.root))}-${safePart(runId)}-submission.csv`,
      );
      const { makeSubmission } = await import('../learn/evaluate/make-submission');
      const r = await makeSubmission({
        runDir,
        out,
        dbFile: ds.dbFile,
        predictIfMissing: false,
        allowOtherDataset,
        allowIncomplete,
      });
      return { ...exported(r.path, r.rows), source: r.source };
    },
    'export.predictions': async ({ runId, split }) => {
      const { loadPredictionSet } = await predictModule();
      const ds = requireDataset(ctx);
      const dataset = datasetIdentity(ds.db, ds.dbFile);
      const runDir = runDirOf(ctx.layout.runs, runId);
      const set = loadPredictionSet(runDir, split, dataset);
      if (!set) {
        const other = storedSetDatasets(runDir, split).find((d) => d && !sameDataset(d, dataset));
        throw notFound(
          other
            ? `run ${runId}'s ${split} predictions were made on ${describeDataset(other)}, not on the open dataset ${describeDataset(dataset)}: predict ${split} of ${dataset.name} first`
            : `run ${runId} has no ${split} predictions on ${describeDataset(dataset)} yet: run predict first`,
          { runId, split },
        );
      }
      const out = path.join(
        ctx.layout.exports,
        `${safePart(path.basename(ds.root))}-${safePart(runId)}-${split}-predictions.csv`,
      );
      writePredictionsCsv(out, set);
      return { ...exported(out, set.wells.length), source: predictionSetInfo(set) };
    },
    'export.platePng': (args) => exportPlateFigure(ctx, args),
  };
}
