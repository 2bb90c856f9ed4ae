// Ensembles: the well probabilities of several runs (a sweep's seeds or cross-validation folds)
// averaged, optionally weighted by validation accuracy, before plate-group assignment, and stored
// as one prediction set in an ensemble folder that records its members (`platelab submit` reads it
// like a run folder).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CheckpointRef, PredictionSplit } from '../../../../src-shared/contract';
import { datasetIdentity, type DatasetRef } from '../../catalog/dataset-identity';
import { openCatalog } from '../../catalog/db';
import { inputError, notFound } from '../../errors';
import { assignWells, overfullWarning } from '../assign/plate-group-assignment';
import { groupsFromTrainingRows } from '../assign/groups';
import { loadSiteRows } from '../data/site-rows';
import type { SplitResult } from '../data/split';
import { staleReason } from '../evaluate/make-submission';
import { loadRunContext, type RunContext } from '../runs/run-context';
import {
  describeCheckpoint,
  runFiles,
  runPath,
  verifyCheckpoint,
  writeManifest,
  type RunInfo,
} from '../runs/run-folder';
import { writeJsonAtomic } from '../../util/atomic-write';
import { inferenceWeightsDir } from '../train/checkpoint';
import {
  loadPredictionSet,
  predictRun,
  savePredictionSet,
  wellAccuracy,
  type PredictOptions,
} from './predict';
import { checkRunChoices, type RunChoices } from './provenance';
import { storePredictionSet } from './store';
import type { PredictionSet, WellPredictionRow } from './types';

/** The file an ensemble folder holds besides the run-folder files: who its members are. */
export const ENSEMBLE_FILE = runFiles.ensemble;

export type EnsembleWeighting = 'equal' | 'val-accuracy';

export interface EnsembleMember {
  runId: string;
  runDir: string;
  checkpoint: CheckpointRef | null;
  /** The run's best validation accuracy (run.json), the weight's source under 'val-accuracy'. */
  valAccuracy: number | null;
  /** Normalised weight (the members' weights sum to 1). */
  weight: number;
}

export interface EnsembleOptions extends RunChoices {
  runDirs: string[];
  /** The ensemble folder to write (created; an earlier ensemble there is replaced). */
  outDir: string;
  split: PredictionSplit;
  tta?: boolean;
  assign?: boolean;
  weighting?: EnsembleWeighting;
  dbFile?: string;
  backend?: string;
  signal?: AbortSignal;
  onProgress?: PredictOptions['onProgress'];
}

export interface EnsembleResult {
  set: PredictionSet;
  members: EnsembleMember[];
  accuracy: number | null;
  accuracyAssigned: number | null;
}

/**
 * Member weights: equal, or proportional to each run's best validation accuracy (an input error
 * names a run without one). Returns weights summing to 1.
 */
export function memberWeights(
  runs: Array<{ runId: string; valAccuracy: number | null }>,
  weighting: EnsembleWeighting,
): number[] {
  if (weighting === 'equal') return runs.map(() => 1 / runs.length);
  const missing = runs.filter((r) => r.valAccuracy === null || !(r.valAccuracy > 0));
  if (missing.length)
    throw inputError(
      `--weight-by val-accuracy: run(s) ${missing.map((r) => r.runId).join(', ')} have no positive validation accuracy`,
    );
  const total = runs.reduce((s, r) => s + r.valAccuracy!, 0);
  return runs.map((r) => r.valAccuracy! / total);
}

/**
 * The weighted mean of the members' well probabilities, aligned by id_code: Σ wᵢ·pᵢ (weights sum
 * to 1), shape wells × classes in `sets[0]`'s well order. Input error when the members predicted
 * different wells (e.g. the validation sets of different folds) or use different class lists.
 */
export function averageProbabilities(
  sets: Array<Pick<PredictionSet, 'runId' | 'labels' | 'wells' | 'probs'>>,
  weights: number[],
): Float32Array {
  const base = sets[0]!;
  const K = base.labels.length;
  const out = new Float32Array(base.wells.length * K);
  sets.forEach((s, m) => {
    if (JSON.stringify(s.labels) !== JSON.stringify(base.labels))
      throw inputError(
        `runs ${base.runId} and ${s.runId} predict different class lists; they cannot be ensembled`,
      );
    const at = new Map(s.wells.map((w, i) => [w.idCode, i]));
    if (at.size !== base.wells.length || base.wells.some((w) => !at.has(w.idCode)))
      throw inputError(
        `runs ${base.runId} and ${s.runId} predicted different wells (${base.wells.length} vs ${s.wells.length}); ensemble the test split, or runs with the same validation wells`,
      );
    base.wells.forEach((w, i) => {
      const j = at.get(w.idCode)!;
      for (let c = 0; c < K; c++) out[i * K + c]! += weights[m]! * s.probs[j * K + c]!;
    });
  });
  return out;
}

/**
 * Refuses, before anything is predicted, an ensemble on the validation split whose members hold out
 * different validation wells (cross-validation folds, or runs with other split seeds): each member's
 * validation wells are then another member's training wells, so the averaged "validation accuracy"
 * would be scored partly on wells the ensemble was trained on. Input: the members' split.json
 * validation id_codes. Error (input) naming the two runs.
 */
export function checkSameValidationWells(
  members: Array<{ runId: string; val: readonly string[] }>,
): void {
  const base = members[0];
  if (!base) return;
  const baseVal = new Set(base.val);
  for (const m of members.slice(1)) {
    const same = m.val.length === baseVal.size && m.val.every((id) => baseVal.has(id));
    if (!same)
      throw inputError(
        `runs ${base.runId} and ${m.runId} hold out different validation wells (cross-validation folds or other split seeds): ` +
          `each one's validation wells are training wells of another, so an ensemble of them cannot be scored on 'val'. ` +
          `Ensemble them on the test split; each fold's own validation accuracy is in its run`,
      );
  }
}

/** A member's usable set for this split/dataset/TTA, predicted (without assignment) when missing or stale. */
async function memberSet(
  ctx: RunContext,
  dataset: DatasetRef,
  dbFile: string,
  opts: EnsembleOptions,
): Promise<PredictionSet> {
  const weightsDir = inferenceWeightsDir(ctx.runDir);
  if (!weightsDir) throw notFound(`${ctx.runDir}: run has no checkpoint yet`);
  const current = verifyCheckpoint(ctx.runDir, weightsDir);
  const stored = loadPredictionSet(ctx.runDir, opts.split, dataset);
  if (stored && !staleReason(stored, dataset, current) && stored.tta === Boolean(opts.tta)) {
    checkRunChoices(ctx.info, dataset, opts, describeCheckpoint(stored.checkpoint));
    return stored;
  }
  const r = await predictRun({
    runDir: ctx.runDir,
    split: opts.split,
    tta: opts.tta,
    assign: false,
    dbFile,
    backend: opts.backend,
    allowOtherDataset: opts.allowOtherDataset,
    allowIncomplete: opts.allowIncomplete,
    signal: opts.signal,
    onProgress: opts.onProgress,
  });
  return r.set;
}

/**
 * Predicts `split` with every member run (re-using each run's stored set when it is of this
 * dataset, TTA choice and the run's current weights), averages their well probabilities, applies
 * plate-group assignment (groups learned from all members' training wells) when asked, and writes
 * the ensemble folder: run.json / config.json / classes.json / split.json as a run folder has them,
 * ensemble.json (members, weights, checkpoints), predictions/{split}.json + probabilities,
 * manifest.json; the set is also stored in the catalog under the ensemble's id. Errors (input):
 * fewer than 2 runs, members of different targets/classes/wells, an out folder holding a run.
 */
export async function predictEnsemble(opts: EnsembleOptions): Promise<EnsembleResult> {
  const runDirs = [...new Set(opts.runDirs.map((d) => path.resolve(d)))];
  if (runDirs.length < 2)
    throw inputError(`an ensemble needs at least 2 runs, got ${runDirs.length}`);
  const outDir = path.resolve(opts.outDir);
  if (fs.existsSync(runPath(outDir, 'run')) && !fs.existsSync(path.join(outDir, ENSEMBLE_FILE)))
    throw inputError(`${outDir}: holds a training run, not an ensemble; choose another folder`);
  const ctxs = runDirs.map((d) => loadRunContext(d));
  const first = ctxs[0]!;
  for (const c of ctxs)
    if (c.config.target !== first.config.target)
      throw inputError(
        `runs ${first.info.runId} and ${c.info.runId} predict different targets (${first.config.target}, ${c.config.target})`,
      );
  if (opts.split === 'val')
    checkSameValidationWells(ctxs.map((c) => ({ runId: c.info.runId, val: c.split.val })));
  const dbFile = path.resolve(opts.dbFile ?? first.info.dbFile);
  if (!fs.existsSync(dbFile)) throw inputError(`${dbFile}: catalog database not found`);
  const db = openCatalog(dbFile);
  let dataset: DatasetRef;
  let rows: ReturnType<typeof loadSiteRows>;
  try {
    dataset = datasetIdentity(db, dbFile);
    rows = loadSiteRows(db);
  } finally {
    db.close();
  }
  const sets: PredictionSet[] = [];
  for (const c of ctxs) sets.push(await memberSet(c, dataset, dbFile, opts));
  const weighting = opts.weighting ?? 'equal';
  const weights = memberWeights(
    ctxs.map((c) => ({ runId: c.info.runId, valAccuracy: c.info.bestValAccuracy })),
    weighting,
  );
  const probs = averageProbabilities(sets, weights);
  const base = sets[0]!;
  const K = base.labels.length;
  const tops = sets.map((s) => new Map(s.wells.map((w) => [w.idCode, w.top])));
  const wells: WellPredictionRow[] = base.wells.map((w, i) => {
    const order = Array.from({ length: K }, (_, c) => c).sort(
      (a, b) => probs[i * K + b]! - probs[i * K + a]!,
    );
    return {
      ...w,
      top: order[0]!,
      prob: probs[i * K + order[0]!]!,
      assigned: null,
      // Members that disagree on the top class are flagged like disagreeing sites.
      sitesDisagree: w.sitesDisagree || tops.some((t) => t.get(w.idCode) !== w.top),
      topK: order.slice(0, w.topK.length || 5).map((c) => ({ label: c, prob: probs[i * K + c]! })),
    };
  });
  const members: EnsembleMember[] = ctxs.map((c, m) => ({
    runId: c.info.runId,
    runDir: c.runDir,
    checkpoint: sets[m]!.checkpoint ?? null,
    valAccuracy: c.info.bestValAccuracy,
    weight: weights[m]!,
  }));
  const runId = path.basename(outDir);
  const checkpoint: CheckpointRef = {
    path: `ensemble of ${members.length} runs (${members.map((m) => m.runId).join(', ')})`,
    epoch: null,
    midEpoch: false,
    sha256: crypto
      .createHash('sha256')
      .update(members.map((m) => `${m.runId}:${m.checkpoint?.sha256 ?? ''}:${m.weight}`).join('\n'))
      .digest('hex'),
  };
  const set: PredictionSet = {
    runId,
    split: opts.split,
    tta: Boolean(opts.tta),
    labels: base.labels,
    wells,
    probs,
    warnings: [...new Set(sets.flatMap((s) => s.warnings ?? []))],
    dataset,
    checkpoint,
    runStatus: 'done',
    createdAt: new Date().toISOString(),
  };
  const trainWells = [...new Set(ctxs.flatMap((c) => c.split.train))].sort();
  let assigned = false;
  if (opts.assign) {
    if (first.config.target !== 'sirna')
      throw inputError(
        `plate-group assignment needs target 'sirna', these runs predict '${first.config.target}'`,
      );
    const groups = groupsFromTrainingRows(rows, new Set(trainWells), base.labels);
    const warning = overfullWarning(assignWells(wells, probs, K, groups));
    if (warning) set.warnings = [...(set.warnings ?? []), warning];
    assigned = true;
  }
  const accuracy = wellAccuracy(set, false);
  const accuracyAssigned = assigned ? wellAccuracy(set, true) : null;

  // The ensemble folder: a run folder's files, so loadRunContext / submit read it as one.
  const now = new Date().toISOString();
  // Trained where the first member was (its catalog and dataset); no training of its own.
  const info: RunInfo = {
    ...first.info,
    ...{ runId, createdAt: now, updatedAt: now, status: 'done', backend: 'ensemble' },
    ...{ pid: null, epochsDone: 0, bestValAccuracy: null, imagesPerSecond: null },
    ...{ warnings: [], error: null },
  };
  const split: SplitResult = {
    ...first.split,
    train: trainWells,
    val: [],
    warnings: [],
  };
  fs.rmSync(runPath(outDir, 'predictions'), { recursive: true, force: true });
  writeJsonAtomic(runPath(outDir, 'config'), first.config);
  writeJsonAtomic(runPath(outDir, 'classes'), first.classes);
  writeJsonAtomic(runPath(outDir, 'split'), split);
  writeJsonAtomic(runPath(outDir, 'run'), info);
  writeJsonAtomic(path.join(outDir, ENSEMBLE_FILE), {
    kind: 'ensemble',
    split: opts.split,
    weighting,
    tta: Boolean(opts.tta),
    assigned,
    createdAt: now,
    members,
  });
  savePredictionSet(outDir, set, { accuracy, accuracyAssigned });
  writeManifest(outDir);
  const wdb = openCatalog(dbFile);
  try {
    storePredictionSet(wdb, set, { runDir: outDir, accuracy, accuracyAssigned });
  } finally {
    wdb.close();
  }
  return { set, members, accuracy, accuracyAssigned };
}
