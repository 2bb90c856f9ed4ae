// Per-well predictions of a run for the plate map and the well viewer, read from the catalog where
// `predict` stores them (learn/predict/store). Wells without predictions simply have none.
import type { z } from 'zod';
import type { WellPrediction } from '../../../src-shared/contract';
import type { Catalog } from '../catalog/db';
import {
  plateWellPredictions,
  wellPrediction,
  wellTopPredictions,
  type StoredWellPrediction,
} from '../learn/predict/store';

export type WellPredictionInfo = z.infer<typeof WellPrediction>;

function toInfo(p: StoredWellPrediction): WellPredictionInfo {
  return {
    top: p.top,
    prob: p.prob,
    assigned: p.assigned,
    correct: p.correct,
    ...(p.unscored ? { unscored: true } : {}),
    sitesDisagree: p.sitesDisagree,
  };
}

/** well name → prediction, for one plate. */
export function platePredictions(
  db: Catalog,
  runId: string,
  experiment: string,
  plate: number,
): Map<string, WellPredictionInfo> {
  const out = new Map<string, WellPredictionInfo>();
  for (const [well, p] of plateWellPredictions(db, runId, experiment, plate))
    out.set(well, toInfo(p));
  return out;
}

export function wellPredictionInfo(
  db: Catalog,
  runId: string,
  idCode: string,
): WellPredictionInfo | null {
  const p = wellPrediction(db, runId, idCode);
  return p ? toInfo(p) : null;
}

export function topPredictions(
  db: Catalog,
  runId: string,
  idCode: string,
  k: number,
): Array<{ label: string; prob: number }> {
  return wellTopPredictions(db, runId, idCode).slice(0, k);
}
