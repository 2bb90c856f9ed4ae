// `submit`: a run's test predictions made on one dataset (assigned classes when present) as a Kaggle
// submission file; never another dataset's. Predicts the test split first (with plate-group
// assignment) when none can be used, or refuses when asked not to (the UI's export).
import fs from 'node:fs';
import path from 'node:path';
import type { CheckpointRef, PredictionSetInfo } from '../../../../src-shared/contract';
import {
  datasetIdentity,
  describeDataset,
  sameDataset,
  type DatasetRef,
} from '../../catalog/dataset-identity';
import { openCatalog } from '../../catalog/db';
import { datasetLabelStyle } from '../../catalog/queries';
import { inputError, notFound } from '../../errors';
import { datasetRoot } from '../data/site-rows';
import { loadPredictionSet, predictRun, type PredictOptions } from '../predict/predict';
import {
  checkRunChoices,
  predictionSetInfo,
  storedSetDatasets,
  type RunChoices,
} from '../predict/provenance';
import type { PredictionSet } from '../predict/types';
import { loadRunContext } from '../runs/run-context';
import { describeCheckpoint, verifyCheckpoint } from '../runs/run-folder';
import { inferenceWeightsDir } from '../train/checkpoint';
import {
  buildSubmission,
  readSampleSubmission,
  readTestIds,
  submissionLabel,
  writeSubmission,
} from './submission';

export interface SubmissionOptions extends RunChoices {
  runDir: string;
  out: string;
  /** The dataset to submit for (default: the run's catalog). */
  dbFile?: string;
  backend?: string;
  /**
   * Predict the test split (with assignment) when no set of this dataset can be used (default
   * true: the CLI). False (the UI's export): refuse instead, naming what is missing or wrong.
   */
  predictIfMissing?: boolean;
  onProgress?: PredictOptions['onProgress'];
  signal?: AbortSignal;
}

/** Why a stored set of the right dataset cannot be used any more, or null when it can. */
export function staleReason(
  set: PredictionSet,
  dataset: DatasetRef,
  current: CheckpointRef | null,
): string | null {
  if (!set.dataset)
    return 'was stored before PlateLab recorded datasets, so its dataset is unknown';
  if (set.dataset.digest !== dataset.digest)
    return `was made before ${dataset.name} was re-indexed with changed files (digest ${set.dataset.digest} → ${dataset.digest})`;
  if (current && set.checkpoint?.sha256 !== current.sha256)
    return `was made with ${describeCheckpoint(set.checkpoint)}, not the run's current weights ${describeCheckpoint(current)}`;
  return null;
}

/**
 * Writes the Kaggle submission of a run for one dataset from the run's test predictions made on
 * that dataset (never another's). Returns the file, its rows and the prediction set used. Input
 * errors (naming run, checkpoint and both datasets): a set from another dataset only, a stale or
 * unknown-dataset set (when not predicting), well ids not in test.csv, assigned and unassigned
 * treatment wells mixed, a run from another dataset or an incomplete run without the explicit
 * choice.
 */
export async function makeSubmission(opts: SubmissionOptions): Promise<{
  path: string;
  rows: number;
  assigned: boolean;
  source: PredictionSetInfo;
}> {
  const ctx = loadRunContext(opts.runDir);
  if (ctx.config.target !== 'sirna')
    throw inputError(
      `${opts.runDir}: run predicts '${ctx.config.target}'; a Kaggle submission needs target 'sirna'`,
    );
  const dbFile = path.resolve(opts.dbFile ?? ctx.info.dbFile);
  if (!fs.existsSync(dbFile)) throw inputError(`${dbFile}: catalog database not found`);
  const db = openCatalog(dbFile);
  let root: string;
  let dataset: DatasetRef;
  let style: ReturnType<typeof datasetLabelStyle>;
  try {
    root = datasetRoot(db, dbFile);
    dataset = datasetIdentity(db, dbFile);
    style = datasetLabelStyle(db);
  } finally {
    db.close();
  }
  const runId = ctx.info.runId;
  const weightsDir = inferenceWeightsDir(opts.runDir);
  const current = weightsDir ? verifyCheckpoint(opts.runDir, weightsDir) : null;
  let set: (PredictionSet & { accuracy: number | null; accuracyAssigned: number | null }) | null =
    loadPredictionSet(opts.runDir, 'test', dataset);
  const predictIfMissing = opts.predictIfMissing ?? true;
  if (set) {
    const reason = staleReason(set, dataset, current);
    if (reason && !predictIfMissing)
      throw inputError(
        `refusing ${predictionSetInfo(set).label}: it ${reason}; predict the test split of ${dataset.name} again`,
      );
    if (reason) set = null;
    else checkRunChoices(ctx.info, dataset, opts, describeCheckpoint(set.checkpoint));
  }
  if (!set) {
    if (!predictIfMissing) {
      const other = storedSetDatasets(opts.runDir, 'test').find(
        (d) => d && !sameDataset(d, dataset),
      );
      if (other)
        throw inputError(
          `refusing to export run ${runId}'s test predictions: they were made on ${describeDataset(other)}, and the open dataset is ${describeDataset(dataset)}; predict the test split of ${dataset.name} with this run first`,
          { runId, setDataset: other, dataset },
        );
      throw notFound(
        `run ${runId} has no test predictions on ${describeDataset(dataset)}: predict the test split first`,
        { runId, dataset },
      );
    }
    const r = await predictRun({
      runDir: opts.runDir,
      split: 'test',
      assign: true,
      dbFile,
      backend: opts.backend,
      allowIncomplete: opts.allowIncomplete,
      allowOtherDataset: opts.allowOtherDataset,
      onProgress: opts.onProgress,
      signal: opts.signal,
    });
    set = { ...r.set, accuracy: null, accuracyAssigned: null };
  }
  const source = predictionSetInfo(set);
  const testFile = path.join(root, 'test.csv');
  const ids = readTestIds(root);
  const testIds = new Set(ids);
  // Controls are listed in test_controls.csv, not test.csv: every other predicted well must be there.
  const foreign = set.wells
    .filter((w) => !w.wellType.endsWith('_control') && !testIds.has(w.idCode))
    .map((w) => w.idCode);
  if (foreign.length)
    throw inputError(
      `refusing ${source.label}: ${foreign.length} of its ${set.wells.length} non-control wells are not in ${testFile} of ${describeDataset(dataset)} (e.g. ${foreign.slice(0, 3).join(', ')}); the set was made on ${describeDataset(set.dataset)}`,
    );
  const treatment = set.wells.filter((w) => w.wellType === 'treatment');
  const withAssignment = treatment.filter((w) => w.assigned !== null).length;
  if (withAssignment > 0 && withAssignment < treatment.length)
    throw inputError(
      `refusing ${source.label}: ${withAssignment} of its ${treatment.length} treatment wells have a plate-group assignment and ${treatment.length - withAssignment} do not; predict the test split again (with or without assignment for all)`,
    );
  const byId = new Map<string, string>();
  const assigned = set.wells.some((w) => w.assigned !== null);
  // Labels in the dataset's own style: 2019 integer ids, or the re-release's strings.
  for (const w of set.wells) {
    const c = w.assigned ?? w.top;
    byId.set(w.idCode, submissionLabel(set.labels[c]!, ctx.classes.ids[c], style));
  }
  const csv = buildSubmission(ids, byId, source.label, {
    style,
    sample: readSampleSubmission(root),
  });
  const rows = writeSubmission(path.resolve(opts.out), csv);
  return { path: path.resolve(opts.out), rows, assigned, source };
}
