// Prediction for a run: checks provenance (dataset, run status, verified weights), predicts each
// site (site-probabilities.ts, optionally over the 8 D4 views), aggregates sites to wells
// (site-to-well.ts; the pooled features of the same pass become the well embeddings), optionally applies the plate-group assignment (plate-group-setup.ts), and stores
// the set in the run folder (prediction-files.ts) and in the catalog (top-k per well).
import fs from 'node:fs';
import path from 'node:path';
import { datasetIdentity, type DatasetRef } from '../../catalog/dataset-identity';
import { openCatalog } from '../../catalog/db';
import { inputError, notFound, throwIfCancelled } from '../../errors';
import { resolveRunStats } from '../data/normalization';
import { buildSamples } from '../data/samples';
import { datasetRoot, loadSiteRows, type SiteRow } from '../data/site-rows';
import { loadRunContext, type RunContext } from '../runs/run-context';
import { verifyCheckpoint } from '../runs/run-folder';
import { inferenceWeightsDir, loadInferenceWeights } from '../train/checkpoint';
import { runPredictor } from '../train/model-factory';
import { initTf } from '../train/tf-runtime';
import { assertFiniteSiteProbs } from './finite-check';
import { applyPlateGroupAssignment, unassignedCoverageWarnings } from './plate-group-setup';
import { savePredictionSet } from './prediction-files';
import { checkRunChoices, type RunChoices } from './provenance';
import { sitePass } from './site-probabilities';
import { siteToWell, wellAccuracy, wellEmbeddings } from './site-to-well';
import { storePredictionSet } from './store';
import type { PredictionSet, WellEmbedding } from './types';
import type { PredictionSplit } from '../../../../src-shared/contract';

export { loadPredictionSet, savePredictionSet } from './prediction-files';
export { wellAccuracy } from './site-to-well';

export interface PredictOptions extends RunChoices {
  runDir: string;
  split: PredictionSplit;
  tta?: boolean;
  assign?: boolean;
  /** Catalog to read sites from (default: the one the run was trained on). */
  dbFile?: string;
  backend?: string;
  topK?: number;
  signal?: AbortSignal;
  onProgress?(done: number, total: number, message: string): void;
}

export interface PredictResult {
  set: PredictionSet;
  accuracy: number | null;
  accuracyAssigned: number | null;
  assignedApplied: boolean;
  /** Normalisation fallbacks taken for these sites (flat or missing controls), one line each. */
  warnings: string[];
}

/** Site rows to predict: the run's validation wells, or every test well. */
function rowsFor(ctx: RunContext, rows: SiteRow[], split: PredictionSplit): SiteRow[] {
  if (split === 'val') {
    const val = new Set(ctx.split.val);
    return rows.filter((r) => r.split === 'train' && val.has(r.idCode) && r.complete);
  }
  return rows.filter((r) => r.split === 'test' && r.complete);
}

/**
 * Predicts the run's validation wells or every test well of the catalog (default: the run's own),
 * stores the set in the run folder and the catalog, and returns it with its well accuracy (null
 * without labels). Errors: INVALID_INPUT (no catalog, no sites, damaged weights, NaN outputs, an
 * assignment for a non-siRNA run), NOT_FOUND (no checkpoint yet), CANCELLED through `signal`.
 */
export async function predictRun(opts: PredictOptions): Promise<PredictResult> {
  const runDir = path.resolve(opts.runDir);
  const ctx = loadRunContext(runDir);
  const dbFile = path.resolve(opts.dbFile ?? ctx.info.dbFile);
  if (!fs.existsSync(dbFile)) throw inputError(`${dbFile}: catalog database not found`);
  // Provenance first: the dataset predicted on, the run's fitness for it, the verified weights.
  const idDb = openCatalog(dbFile);
  let dataset: DatasetRef;
  try {
    dataset = datasetIdentity(idDb, dbFile);
  } finally {
    idDb.close();
  }
  const weightsDir = inferenceWeightsDir(runDir);
  if (!weightsDir)
    throw notFound(`${runDir}: run has no checkpoint yet (train at least one epoch)`);
  const runStatus = checkRunChoices(
    ctx.info,
    dataset,
    opts,
    path.relative(runDir, weightsDir).split(path.sep).join('/'),
  );
  const checkpoint = verifyCheckpoint(runDir, weightsDir);
  opts.onProgress?.(0, 1, 'loading the model');
  const weights = loadInferenceWeights(runDir);
  await initTf(opts.backend);
  throwIfCancelled(opts.signal);

  const db = openCatalog(dbFile);
  let allRows: SiteRow[];
  let root: string;
  try {
    root = datasetRoot(db, dbFile);
    allRows = loadSiteRows(db);
  } finally {
    db.close();
  }
  const rows = rowsFor(ctx, allRows, opts.split);
  if (rows.length === 0)
    throw inputError(
      `${dbFile}: no complete ${opts.split === 'val' ? 'validation' : 'test'} sites to predict`,
    );
  const { config, classes } = ctx;
  const K = classes.labels.length;
  const { samples } = buildSamples(
    rows,
    new Set(rows.map((r) => r.idCode)),
    classes,
    config.target,
  );
  // The run's normalisation, standardised exactly as its training batches were.
  const stats = await resolveRunStats(root, dbFile, config.normalization, rows);
  // Batch norms folded into their convolutions (one fused XNNPACK kernel each): same output.
  const predictor = runPredictor(config, classes, weights);
  const folded = predictor.folded;
  let siteProbs: Float32Array;
  let siteFeatures: Float32Array | null = null;
  let featureDims = 0;
  try {
    const pass = await sitePass(folded, {
      root,
      samples,
      config,
      stats,
      views: opts.tta ? [0, 1, 2, 3, 4, 5, 6, 7] : [0],
      signal: opts.signal,
      loss: config.loss,
      numClasses: K,
      numCellTypes: config.cellTypeInput ? classes.cellTypes.length : 0,
      // The well embeddings (embedding view) come from this same pass.
      features: folded.featureDims !== null,
      onProgress: (done, total) => opts.onProgress?.(done, total, `predicting ${opts.split} sites`),
    });
    siteProbs = pass.probs;
    siteFeatures = pass.features;
    featureDims = pass.featureDims;
  } finally {
    predictor.dispose();
  }
  // NaN/Inf outputs (damaged or diverged weights) stop here, before assignment or any write.
  assertFiniteSiteProbs(
    siteProbs,
    K,
    rows.map((r) => `${r.idCode}_s${r.site}`),
    { runDir, checkpoint: weights.source },
  );
  const { wells, probs } = siteToWell(rows, siteProbs, K, {
    topK: opts.topK ?? 5,
    target: config.target,
    withTruth: opts.split === 'val',
  });
  const embedding: WellEmbedding | null = siteFeatures
    ? { values: wellEmbeddings(rows, siteFeatures, featureDims), dims: featureDims }
    : null;
  const warnings = [...(stats.warnings ?? [])];
  const set: PredictionSet = {
    runId: ctx.info.runId,
    split: opts.split,
    tta: Boolean(opts.tta),
    labels: classes.labels,
    wells,
    probs,
    warnings,
    dataset,
    checkpoint,
    runStatus,
    createdAt: new Date().toISOString(),
    embedding,
  };
  warnings.push(
    ...(opts.assign
      ? applyPlateGroupAssignment(ctx, allRows, wells, probs)
      : unassignedCoverageWarnings(ctx, allRows, wells)),
  );
  const assignedApplied = Boolean(opts.assign);
  const accuracy = wellAccuracy(set, false);
  const accuracyAssigned = assignedApplied ? wellAccuracy(set, true) : null;

  // Last chance to stop before anything is written: let a pending cancel message through first.
  await new Promise<void>((resolve) => setImmediate(resolve));
  throwIfCancelled(opts.signal);
  savePredictionSet(runDir, set, { accuracy, accuracyAssigned });
  const wdb = openCatalog(dbFile);
  try {
    storePredictionSet(wdb, set, { runDir, accuracy, accuracyAssigned });
  } finally {
    wdb.close();
  }
  return { set, accuracy, accuracyAssigned, assignedApplied, warnings };
}
