// Inference for a run: per site (optionally averaged over the 8 D4 views), then per well (the sites'
// probabilities averaged; wells whose sites disagree are flagged), optional plate-group assignment,
// stored in the run folder (probabilities for re-use) and in the catalog (top-k per well).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { datasetIdentity, sameDataset, type DatasetRef } from '../../catalog/dataset-identity';
import { openCatalog } from '../../catalog/db';
import { inputError, notFound, throwIfCancelled } from '../../errors';
import { getTf } from '../backend/tf';
import { assignWells } from '../assign/decode';
import { groupsFromTrainingRows } from '../assign/groups';
import { BatchSource, chunks } from '../data/batches';
import { targetLabel } from '../data/classes';
import { resolveRunStats } from '../data/normalization';
import { buildSamples } from '../data/samples';
import { SiteImageCache } from '../data/site-images';
import { datasetRoot, loadSiteRows, type SiteRow } from '../data/site-rows';
import { loadRunContext, type RunContext } from '../runs/run-context';
import { readRunInfo, runPath, verifyCheckpoint } from '../runs/run-folder';
import { PredictionSetFile, readRunFile } from '../runs/run-files';
import { writeFileAtomicSync, writeJsonAtomic } from '../../util/atomic-write';
import { inferenceWeightsDir, loadInferenceWeights } from '../train/checkpoint';
import { probabilities } from '../train/loss';
import { batchInputs } from '../train/step';
import { initTf } from '../train/tf-runtime';
import { foldedPredictor, type FoldedPredictor } from '../models/folded-inference';
import { buildRunModel } from '../train/trainer';
import { setModelWeights } from '../train/weights';
import { assertFiniteSiteProbs, countNonFiniteRows } from './finite-check';
import { checkRunChoices, predictionStem, type RunChoices } from './provenance';
import { storePredictionSet } from './store';
import type { PredictionSet, WellPredictionRow } from './types';

export interface PredictOptions extends RunChoices {
  runDir: string;
  split: 'val' | 'test';
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

function finalLabel(w: WellPredictionRow): number {
  return w.assigned ?? w.top;
}

export function wellAccuracy(set: PredictionSet, useAssigned: boolean): number | null {
  const labelled = set.wells.filter((w) => w.truth !== null);
  if (labelled.length === 0) return null;
  const ok = labelled.filter(
    (w) => set.labels[useAssigned ? finalLabel(w) : w.top] === w.truth,
  ).length;
  return ok / labelled.length;
}

/** Site rows to predict: the run's validation wells, or every test well. */
function rowsFor(ctx: RunContext, rows: SiteRow[], split: 'val' | 'test'): SiteRow[] {
  if (split === 'val') {
    const val = new Set(ctx.split.val);
    return rows.filter((r) => r.split === 'train' && val.has(r.idCode) && r.complete);
  }
  return rows.filter((r) => r.split === 'test' && r.complete);
}

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
  let weights: ReturnType<typeof loadInferenceWeights>;
  try {
    weights = loadInferenceWeights(runDir);
  } catch (err) {
    // A damaged weights file: say which run and what is wrong rather than a bare parse error.
    throw inputError(`${runDir}: cannot read the model weights: ${(err as Error).message}`);
  }
  if (!weights) throw notFound(`${runDir}: run has no checkpoint yet (train at least one epoch)`);
  await initTf(opts.backend);
  throwIfCancelled(opts.signal);
  const tf = getTf();

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
  const numCellTypes = config.cellTypeInput ? classes.cellTypes.length : 0;
  const { samples } = buildSamples(
    rows,
    new Set(rows.map((r) => r.idCode)),
    classes,
    config.target,
  );
  // The run's normalisation, standardised exactly as its training batches were.
  const norm = {
    mode: config.normalization,
    stats: await resolveRunStats(root, dbFile, config.normalization, rows),
  };
  const source = new BatchSource(
    new SiteImageCache(root, config.imageSize),
    samples,
    config.imageSize,
    config.cropSize,
    norm,
  );
  const model = buildRunModel(config, classes);
  const siteProbs = new Float32Array(samples.length * K);
  let folded: FoldedPredictor | null = null;
  try {
    try {
      setModelWeights(model, weights.weights, weights.source);
    } catch (err) {
      throw inputError(`cannot load the model weights: ${(err as Error).message}`);
    }
    // Batch norms folded into their convolutions (one fused XNNPACK kernel each): same output.
    folded = foldedPredictor(model);
    const net = folded;
    const views = opts.tta ? [0, 1, 2, 3, 4, 5, 6, 7] : [0];
    const batches = chunks(samples.length, Math.max(16, config.batchSize));
    let done = 0;
    for (const idx of batches) {
      throwIfCancelled(opts.signal);
      for (const d4 of views) {
        const b = await source.evalBatch(idx, d4);
        throwIfCancelled(opts.signal);
        const inputs = batchInputs(b, 0, b.n, numCellTypes);
        const p = tf.tidy(() =>
          probabilities(config.loss, net.predict(inputs.length === 1 ? inputs[0]! : inputs)),
        );
        const data = await p.data();
        const off = idx[0]! * K;
        for (let i = 0; i < data.length; i++) siteProbs[off + i]! += data[i]! / views.length;
        tf.dispose([p, ...inputs]);
      }
      done += idx.length;
      opts.onProgress?.(done, samples.length, `predicting ${opts.split} sites`);
    }
  } finally {
    folded?.dispose();
    model.dispose();
  }
  // NaN/Inf outputs (damaged or diverged weights) stop here, before assignment or any write.
  assertFiniteSiteProbs(
    siteProbs,
    K,
    rows.map((r) => `${r.idCode}_s${r.site}`),
    { runDir, checkpoint: weights.source },
  );

  // Per well: average the sites' probabilities.
  const byWell = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (!byWell.has(r.idCode)) byWell.set(r.idCode, []);
    byWell.get(r.idCode)!.push(i);
  });
  const topK = Math.min(opts.topK ?? 5, K);
  const wells: WellPredictionRow[] = [];
  const probs = new Float32Array(byWell.size * K);
  let wi = 0;
  const argmaxAt = (arr: Float32Array, off: number): number => {
    let best = 0;
    for (let c = 1; c < K; c++) if (arr[off + c]! > arr[off + best]!) best = c;
    return best;
  };
  for (const [idCode, siteIdx] of byWell) {
    const r = rows[siteIdx[0]!]!;
    const off = wi * K;
    for (const s of siteIdx)
      for (let c = 0; c < K; c++) probs[off + c]! += siteProbs[s * K + c]! / siteIdx.length;
    const top = argmaxAt(probs, off);
    const siteTops = new Set(siteIdx.map((s) => argmaxAt(siteProbs, s * K)));
    const order = Array.from({ length: K }, (_, c) => c).sort(
      (a, b) => probs[off + b]! - probs[off + a]!,
    );
    const truth = opts.split === 'val' ? targetLabel(r, config.target) : null;
    wells.push({
      idCode,
      experiment: r.experiment,
      plate: r.plate,
      well: r.well,
      cellType: r.cellType,
      wellType: r.wellType,
      truth,
      top,
      prob: probs[off + top]!,
      assigned: null,
      sites: siteIdx.length,
      sitesDisagree: siteTops.size > 1,
      topK: order.slice(0, topK).map((c) => ({ label: c, prob: probs[off + c]! })),
    });
    wi++;
  }
  const set: PredictionSet = {
    runId: ctx.info.runId,
    split: opts.split,
    tta: Boolean(opts.tta),
    labels: classes.labels,
    wells,
    probs,
    warnings: norm.stats.warnings ?? [],
    dataset,
    checkpoint,
    runStatus,
    createdAt: new Date().toISOString(),
  };

  let assignedApplied = false;
  if (opts.assign) {
    if (config.target !== 'sirna')
      throw inputError(
        `plate-group assignment needs target 'sirna', this run predicts '${config.target}'`,
      );
    const groups = groupsFromTrainingRows(allRows, new Set(ctx.split.train), classes.labels);
    assignWells(wells, probs, K, groups);
    assignedApplied = true;
  }
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
  return { set, accuracy, accuracyAssigned, assignedApplied, warnings: norm.stats.warnings ?? [] };
}

/**
 * Run-folder copy: predictions/{split}-probs.f32 (site-averaged probabilities), then
 * {split}.json (wells) naming the probabilities' SHA-256, so a pair torn by a crash between the
 * two atomic writes is detected on load instead of being read as matching.
 */
export function savePredictionSet(
  runDir: string,
  set: PredictionSet,
  extra: { accuracy: number | null; accuracyAssigned: number | null },
): void {
  const dir = runPath(runDir, 'predictions');
  const stem = predictionStem(readRunInfo(runDir), set.split, set.dataset);
  const bytes = new Uint8Array(set.probs.buffer, set.probs.byteOffset, set.probs.byteLength);
  writeFileAtomicSync(path.join(dir, `${stem}-probs.f32`), bytes);
  writeJsonAtomic(path.join(dir, `${stem}.json`), {
    runId: set.runId,
    split: set.split,
    dataset: set.dataset ?? null,
    checkpoint: set.checkpoint ?? null,
    runStatus: set.runStatus ?? null,
    createdAt: set.createdAt ?? null,
    tta: set.tta,
    assigned: set.wells.some((w) => w.assigned !== null),
    labels: set.labels,
    accuracy: extra.accuracy,
    accuracyAssigned: extra.accuracyAssigned,
    probsSha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    warnings: set.warnings ?? [],
    wells: set.wells,
  });
}

/**
 * A stored set of the run folder. `dataset`: the set made on that dataset (another dataset's set
 * is never returned; a set stored before provenance was recorded loads with dataset null when the
 * run's own catalog is that dataset's); omitted: the run's own `{split}.json`.
 */
export function loadPredictionSet(
  runDir: string,
  split: 'val' | 'test',
  dataset?: DatasetRef,
): (PredictionSet & { accuracy: number | null; accuracyAssigned: number | null }) | null {
  const dir = runPath(runDir, 'predictions');
  const stem = dataset ? predictionStem(readRunInfo(runDir), split, dataset) : split;
  const file = path.join(dir, `${stem}.json`);
  if (!fs.existsSync(file)) return null;
  const { probsSha256, ...meta } = readRunFile(file, PredictionSetFile, 'prediction set');
  if (dataset && meta.dataset && !sameDataset(meta.dataset, dataset)) return null;
  if (dataset && !meta.dataset && stem !== split) return null;
  const probsFile = path.join(dir, `${stem}-probs.f32`);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(probsFile);
  } catch {
    throw inputError(`${probsFile}: missing (run predict for ${split} again)`);
  }
  const expected = meta.wells.length * meta.labels.length * 4;
  const torn =
    buf.byteLength !== expected ||
    (probsSha256 !== undefined &&
      crypto.createHash('sha256').update(buf).digest('hex') !== probsSha256);
  if (torn)
    throw inputError(
      `${probsFile}: does not belong to ${stem}.json (a predict run was interrupted between the two files); run predict for ${split} again`,
    );
  const probs = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const bad = countNonFiniteRows(probs, meta.labels.length).rows;
  if (bad > 0)
    throw inputError(
      `${probsFile}: ${bad} of ${meta.wells.length} well(s) have NaN/Inf probabilities (saved before this was checked); run predict for ${split} again`,
    );
  return { ...meta, probs };
}
