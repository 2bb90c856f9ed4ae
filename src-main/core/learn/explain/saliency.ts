// Per-channel saliency of one site for one class of a run's model: the run's verified weights, the
// site's input tensor exactly as prediction built it (predictionBatches: same evaluation plan and
// normalisation), integrated gradients on the class logit (attribution.ts), cached in the run folder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openCatalog } from '../../catalog/db';
import { inputError, notFound, throwIfCancelled } from '../../errors';
import { writeFileAtomicSync, writeJsonAtomic } from '../../util/atomic-write';
import { getTf, type Tensor, type Tensor4D } from '../backend/tf';
import { resolveRunStats } from '../data/normalization';
import { buildSamples } from '../data/samples';
import { datasetRoot, loadSiteRows, type SiteRow } from '../data/site-rows';
import { predictionBatches } from '../predict/site-probabilities';
import { loadRunContext, type RunContext } from '../runs/run-context';
import { loadInferenceWeights } from '../train/checkpoint';
import { runPredictor } from '../train/model-factory';
import { batchInputs } from '../train/step';
import { initTf } from '../train/tf-runtime';
import { attribute, channelShares, COMPLETENESS_WARN } from './attribution';

import {
  explainDir,
  readCachedSaliency,
  saliencyKey,
  verifiedWeights,
  type AttributionMethod,
  type SaliencyKeyParts,
  type SaliencyMeta,
} from './saliency-cache';

/** The catalog row of one complete site (errors name the catalog and the well). */
function siteRow(dbFile: string, idCode: string, site: number): { row: SiteRow; root: string } {
  if (!fs.existsSync(dbFile)) throw inputError(`${dbFile}: catalog database not found`);
  const db = openCatalog(dbFile);
  try {
    const row = loadSiteRows(db).find((r) => r.idCode === idCode && r.site === site);
    if (!row) throw notFound(`${dbFile}: well ${idCode} has no site ${site}`, { idCode, site });
    if (!row.complete)
      throw inputError(`${dbFile}: well ${idCode} site ${site} lacks readable channels`, {
        idCode,
        site,
      });
    return { row, root: datasetRoot(db, dbFile) };
  } finally {
    db.close();
  }
}

/**
 * The model inputs of one site exactly as prediction builds them: `predictionBatches` (the
 * evaluation plan: centre crop, view 0, no jitter) with the run's normalisation stats resolved for
 * the site's experiment/plate. Returns [image 1 × crop × crop × 6, cell-type one-hot?] (caller
 * disposes) and the crop corner.
 */
export async function siteModelInputs(
  ctx: RunContext,
  root: string,
  dbFile: string,
  row: SiteRow,
  signal?: AbortSignal,
): Promise<{ inputs: Tensor[]; x0: number; y0: number }> {
  const { config, classes } = ctx;
  const { samples } = buildSamples([row], new Set([row.idCode]), classes, config.target);
  const stats = await resolveRunStats(root, dbFile, config.normalization, [row]);
  const { plans, batches } = predictionBatches({
    root,
    samples,
    config,
    stats,
    views: [0],
    signal,
    inProcess: true,
  });
  for await (const b of batches) {
    const plan = plans[b.index]!.samples[0]!;
    const numCellTypes = config.cellTypeInput ? classes.cellTypes.length : 0;
    return { inputs: batchInputs(b, 0, 1, numCellTypes), x0: plan.x0, y0: plan.y0 };
  }
  throw inputError(`${dbFile}: no input could be built for ${row.idCode} site ${row.site}`);
}

export interface SaliencyTaskInput {
  runDir: string;
  dbFile: string;
  idCode: string;
  site: number;
  classLabel: string;
  method: AttributionMethod;
  steps: number;
  backend?: string;
}

export interface SaliencyControl {
  signal?: AbortSignal;
  onProgress?(done: number, total: number, message?: string): void;
}

/**
 * Computes (or reads from the cache) the saliency map of `classLabel` for one site with the run's
 * verified weights, and caches it under `explain/` in the run folder (json + f32, each written
 * atomically; the json last, so a map is only found once both are whole). Returns its meta.
 * Errors: NOT_FOUND (no checkpoint, no such site), INVALID_INPUT (weights fail verification, a
 * class the run does not have, an incomplete site), CANCELLED through `signal`.
 */
export async function computeSaliency(
  input: SaliencyTaskInput,
  ctl: SaliencyControl = {},
): Promise<SaliencyMeta> {
  const started = Date.now();
  const runDir = path.resolve(input.runDir);
  const ctx = loadRunContext(runDir);
  const classIndex = ctx.classes.labels.indexOf(input.classLabel);
  if (classIndex < 0)
    throw inputError(`${runDir}: class '${input.classLabel}' is not one of the run's classes`);
  const { checkpoint } = verifiedWeights(runDir);
  const parts: SaliencyKeyParts = {
    runId: ctx.info.runId,
    checkpointSha256: checkpoint.sha256,
    idCode: input.idCode,
    site: input.site,
    classLabel: input.classLabel,
    method: input.method,
    steps: input.steps,
  };
  const cached = readCachedSaliency(runDir, parts);
  if (cached) return cached.meta;

  ctl.onProgress?.(0, 1, 'loading the model');
  const weights = loadInferenceWeights(runDir);
  await initTf(input.backend);
  throwIfCancelled(ctl.signal);
  const { row, root } = siteRow(path.resolve(input.dbFile), input.idCode, input.site);
  const tf = getTf();
  // The same folded predictor prediction used: the logits are the ones the prediction saw.
  const predictor = runPredictor(ctx.config, ctx.classes, weights);
  const folded = predictor.folded;
  let inputs: Tensor[] = [];
  try {
    ctl.onProgress?.(0, 1, 'building the site');
    const site = await siteModelInputs(ctx, root, input.dbFile, row, ctl.signal);
    inputs = site.inputs;
    const a = await attribute(folded, inputs[0] as Tensor4D, inputs.slice(1), classIndex, {
      method: input.method,
      steps: input.steps,
      signal: ctl.signal,
      onProgress: (done, total) => ctl.onProgress?.(done, total, `gradient step ${done}/${total}`),
    });
    const warnings: string[] = [];
    if (input.method === 'integrated-gradients' && a.completenessGap > COMPLETENESS_WARN)
      warnings.push(
        `integrated gradients: the attributions sum to ${a.sum.toPrecision(4)} but the logit changes by ${(a.logit - a.baselineLogit).toPrecision(4)} from the baseline (gap ${(100 * a.completenessGap).toFixed(0)}% > ${100 * COMPLETENESS_WARN}%): use more steps`,
      );
    const key = saliencyKey(parts);
    const bytes = new Uint8Array(a.values.buffer, a.values.byteOffset, a.values.byteLength);
    const meta: SaliencyMeta = {
      version: 1,
      key,
      runId: ctx.info.runId,
      checkpoint,
      idCode: input.idCode,
      site: input.site,
      classLabel: input.classLabel,
      classIndex,
      method: input.method,
      steps: a.steps,
      height: a.height,
      width: a.width,
      channels: a.channels,
      geometry: { imageSize: ctx.config.imageSize, x0: site.x0, y0: site.y0 },
      shares: channelShares(a.values, a.channels),
      logit: a.logit,
      baselineLogit: a.baselineLogit,
      sum: a.sum,
      completenessGap: a.completenessGap,
      warnings,
      seconds: (Date.now() - started) / 1000,
      valuesSha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      createdAt: new Date().toISOString(),
    };
    throwIfCancelled(ctl.signal);
    const dir = explainDir(runDir);
    writeFileAtomicSync(path.join(dir, `${key}.f32`), bytes);
    writeJsonAtomic(path.join(dir, `${key}.json`), meta);
    return meta;
  } finally {
    tf.dispose(inputs);
    predictor.dispose();
  }
}
