// Writes a prediction set to the catalog (one transaction, replacing the previous set of the same
// run and split) and reads well predictions back for the API (plate maps, well detail, queues).
// A well of a class the run was not trained on is stored as not scored: `correct` is null for it.
import type { ReviewQueue, PredictionSplit } from '../../../../src-shared/contract';
import type { Catalog } from '../../catalog/db';
import { isScorable } from '../data/classes';
import type { PredictionSet } from './types';

export interface StoredWellPrediction {
  idCode: string;
  experiment: string;
  plate: number;
  well: string;
  truth: string | null;
  top: string;
  /**
   * The probability of the predicted class: the assigned one when assignment was applied, else the
   * arg-max. Null only for a set stored before 2026-11-30 whose assigned class was outside its top k.
   */
  prob: number | null;
  assigned: string | null;
  /** Right or wrong; null without a truth or when the truth is not one of the run's classes. */
  correct: boolean | null;
  /** A truth that is not one of the run's classes: not scored (correct is null). */
  unscored: boolean;
  sitesDisagree: boolean;
}

export function storePredictionSet(
  db: Catalog,
  set: PredictionSet,
  meta: { runDir: string; accuracy: number | null; accuracyAssigned: number | null },
): void {
  db.transaction(() => {
    db.prepare(`DELETE FROM learn_prediction_sets WHERE run_id = ? AND split = ?`).run(
      set.runId,
      set.split,
    );
    const id = db
      .prepare(
        `INSERT INTO learn_prediction_sets (run_id, run_dir, split, created_at, tta, assigned, wells, accuracy, accuracy_assigned,
           dataset_id, dataset_digest, dataset_name, catalog, checkpoint_path, checkpoint_epoch, checkpoint_sha256, run_status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        set.runId,
        meta.runDir,
        set.split,
        set.createdAt ?? new Date().toISOString(),
        set.tta ? 1 : 0,
        set.wells.some((w) => w.assigned !== null) ? 1 : 0,
        set.wells.length,
        meta.accuracy,
        meta.accuracyAssigned,
        set.dataset?.id ?? null,
        set.dataset?.digest ?? null,
        set.dataset?.name ?? null,
        set.dataset?.catalog ?? null,
        set.checkpoint?.path ?? null,
        set.checkpoint?.epoch ?? null,
        set.checkpoint?.sha256 ?? null,
        set.runStatus ?? null,
      ).lastInsertRowid;
    const well = db.prepare(
      `INSERT INTO learn_well_predictions (set_id, id_code, experiment, plate, well, cell_type, well_type, truth, top, prob, assigned, assigned_prob, sites, sites_disagree, scored)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const topk = db.prepare(
      `INSERT INTO learn_well_topk (set_id, id_code, rank, label, prob) VALUES (?, ?, ?, ?, ?)`,
    );
    const K = set.labels.length;
    const known = new Set(set.labels);
    set.wells.forEach((w, i) => {
      well.run(
        id,
        w.idCode,
        w.experiment,
        w.plate,
        w.well,
        w.cellType,
        w.wellType,
        w.truth,
        set.labels[w.top]!,
        w.prob,
        w.assigned === null ? null : set.labels[w.assigned]!,
        w.assigned === null ? null : set.probs[i * K + w.assigned]!,
        w.sites,
        w.sitesDisagree ? 1 : 0,
        isScorable(w.truth, known) ? 1 : 0,
      );
      w.topK.forEach((t, rank) => topk.run(id, w.idCode, rank + 1, set.labels[t.label]!, t.prob));
    });
  })();
}

interface Row {
  idCode: string;
  experiment: string;
  plate: number;
  well: string;
  truth: string | null;
  top: string;
  prob: number | null;
  assigned: string | null;
  sitesDisagree: number;
  scored: number;
}

// prob: the predicted (assigned, else arg-max) class's probability.
const SELECT = `SELECT w.id_code AS idCode, w.experiment, w.plate, w.well, w.truth, w.top,
                       CASE WHEN w.assigned IS NULL OR w.assigned = w.top THEN w.prob
                            ELSE w.assigned_prob END AS prob,
                       w.assigned, w.sites_disagree AS sitesDisagree, w.scored
                  FROM learn_well_predictions w JOIN learn_prediction_sets s ON s.id = w.set_id`;

function toStored(r: Row): StoredWellPrediction {
  const final = r.assigned ?? r.top;
  const { scored, ...rest } = r;
  return {
    ...rest,
    sitesDisagree: r.sitesDisagree === 1,
    correct: r.truth === null || scored !== 1 ? null : final === r.truth,
    unscored: r.truth !== null && scored !== 1,
  };
}

/** Predictions of a run for one plate, by well name (both splits searched: a plate is in one). */
export function plateWellPredictions(
  db: Catalog,
  runId: string,
  experiment: string,
  plate: number,
): Map<string, StoredWellPrediction> {
  const rows = db
    .prepare(`${SELECT} WHERE s.run_id = ? AND w.experiment = ? AND w.plate = ?`)
    .all(runId, experiment, plate) as Row[];
  return new Map(rows.map((r) => [r.well, toStored(r)]));
}

export function wellPrediction(
  db: Catalog,
  runId: string,
  idCode: string,
): StoredWellPrediction | null {
  const r = db.prepare(`${SELECT} WHERE s.run_id = ? AND w.id_code = ?`).get(runId, idCode) as
    | Row
    | undefined;
  return r ? toStored(r) : null;
}

/** The sha256 of the weights that predicted this well for the run (null: none, or not recorded). */
export function wellPredictionCheckpoint(
  db: Catalog,
  runId: string,
  idCode: string,
): string | null {
  const r = db
    .prepare(
      `SELECT s.checkpoint_sha256 AS sha FROM learn_well_predictions w
         JOIN learn_prediction_sets s ON s.id = w.set_id WHERE s.run_id = ? AND w.id_code = ?`,
    )
    .get(runId, idCode) as { sha: string | null } | undefined;
  return r?.sha ?? null;
}

export function wellTopPredictions(
  db: Catalog,
  runId: string,
  idCode: string,
): { label: string; prob: number }[] {
  return db
    .prepare(
      `SELECT t.label, t.prob FROM learn_well_topk t JOIN learn_prediction_sets s ON s.id = t.set_id
        WHERE s.run_id = ? AND t.id_code = ? ORDER BY t.rank`,
    )
    .all(runId, idCode) as { label: string; prob: number }[];
}

/**
 * Wells to review: confidently wrong (val; wells of the run's classes only, the rest are not scored),
 * least confident, or sites that disagree. Treatment wells
 * only: the model also predicts the control wells, but a control's class is not an siRNA guess.
 */
export function reviewQueue(
  db: Catalog,
  runId: string,
  split: PredictionSplit,
  queue: ReviewQueue,
  limit: number,
): StoredWellPrediction[] {
  const where =
    queue === 'confident-wrong'
      ? `AND w.truth IS NOT NULL AND w.scored = 1 AND COALESCE(w.assigned, w.top) <> w.truth ORDER BY prob DESC`
      : queue === 'least-confident'
        ? `ORDER BY prob IS NULL, prob ASC`
        : `AND w.sites_disagree = 1 ORDER BY prob IS NULL, prob ASC`;
  const rows = db
    .prepare(
      `${SELECT} WHERE s.run_id = ? AND s.split = ? AND w.well_type = 'treatment' ${where} LIMIT ?`,
    )
    .all(runId, split, limit) as Row[];
  return rows.map(toStored);
}
