// Site → well aggregation: a well's class probabilities are the mean of its sites' (each already
// averaged over the test-time views); wells whose sites' arg-max classes differ are flagged. A
// well's embedding is likewise the mean of its sites' pooled features. Also the well accuracy (over
// the wells whose class the run knows).
import type { TrainConfig } from '../../../../src-shared/contract';
import { isScorable, targetLabel } from '../data/classes';
import type { SiteRow } from '../data/site-rows';
import type { PredictionSet, WellPredictionRow } from './types';

function argmaxAt(arr: Float32Array, off: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (arr[off + c]! > arr[off + best]!) best = c;
  return best;
}

/** Site indices of each well of `rows`, wells in order of first appearance. */
function wellSites(rows: readonly SiteRow[]): Map<string, number[]> {
  const byWell = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (!byWell.has(r.idCode)) byWell.set(r.idCode, []);
    byWell.get(r.idCode)!.push(i);
  });
  return byWell;
}

/**
 * Well embeddings (wells × dims, wells in the order `siteToWell` gives them): each well's mean of
 * its sites' pooled features `siteFeatures` (rows.length × dims, row i = rows[i]), summed in
 * float64.
 */
export function wellEmbeddings(
  rows: readonly SiteRow[],
  siteFeatures: Float32Array,
  dims: number,
): Float32Array {
  const byWell = wellSites(rows);
  const out = new Float32Array(byWell.size * dims);
  const acc = new Float64Array(dims);
  let wi = 0;
  for (const siteIdx of byWell.values()) {
    acc.fill(0);
    for (const s of siteIdx) for (let d = 0; d < dims; d++) acc[d]! += siteFeatures[s * dims + d]!;
    for (let d = 0; d < dims; d++) out[wi * dims + d] = acc[d]! / siteIdx.length;
    wi++;
  }
  return out;
}

/**
 * Wells of `rows` (in order of first appearance) from `siteProbs` (rows.length × numClasses, row i
 * = rows[i]): `probs` (wells × numClasses) holds each well's mean over its sites; each row carries
 * the arg-max, the `topK` classes, the site count and whether the sites disagree. `truth` is the
 * well's class name from `target` when `withTruth` (validation), else null. Nothing is assigned.
 */
export function siteToWell(
  rows: readonly SiteRow[],
  siteProbs: Float32Array,
  numClasses: number,
  opts: { topK: number; target: TrainConfig['target']; withTruth: boolean },
): { wells: WellPredictionRow[]; probs: Float32Array } {
  const K = numClasses;
  const byWell = wellSites(rows);
  const topK = Math.min(opts.topK, K);
  const wells: WellPredictionRow[] = [];
  const probs = new Float32Array(byWell.size * K);
  let wi = 0;
  for (const [idCode, siteIdx] of byWell) {
    const r = rows[siteIdx[0]!]!;
    const off = wi * K;
    for (const s of siteIdx)
      for (let c = 0; c < K; c++) probs[off + c]! += siteProbs[s * K + c]! / siteIdx.length;
    const top = argmaxAt(probs, off, K);
    const siteTops = new Set(siteIdx.map((s) => argmaxAt(siteProbs, s * K, K)));
    const order = Array.from({ length: K }, (_, c) => c).sort(
      (a, b) => probs[off + b]! - probs[off + a]!,
    );
    wells.push({
      idCode,
      experiment: r.experiment,
      plate: r.plate,
      well: r.well,
      cellType: r.cellType,
      wellType: r.wellType,
      truth: opts.withTruth ? targetLabel(r, opts.target) : null,
      top,
      prob: probs[off + top]!,
      assigned: null,
      sites: siteIdx.length,
      sitesDisagree: siteTops.size > 1,
      topK: order.slice(0, topK).map((c) => ({ label: c, prob: probs[off + c]! })),
    });
    wi++;
  }
  return { wells, probs };
}

/**
 * `wells` split by the scoring rule (classes.ts isScorable): those whose truth is one of `labels`
 * (the set's classes), and how many labelled wells are of a class the run was not trained on
 * (neither right nor wrong). Wells without a truth are in neither.
 */
export function scoredWells<W extends { truth: string | null }>(
  wells: readonly W[],
  labels: readonly string[],
): { scored: (W & { truth: string })[]; unscored: number } {
  const known = new Set(labels);
  const scored: (W & { truth: string })[] = [];
  let unscored = 0;
  for (const w of wells) {
    if (isScorable(w.truth, known)) scored.push(w as W & { truth: string });
    else if (w.truth !== null) unscored++;
  }
  return { scored, unscored };
}

/**
 * Fraction of the set's scorable wells (scoredWells) whose predicted class name equals the truth:
 * the arg-max, or with `useAssigned` the plate-group assignment where there is one. Null without
 * scorable wells.
 */
export function wellAccuracy(set: PredictionSet, useAssigned: boolean): number | null {
  const { scored } = scoredWells(set.wells, set.labels);
  if (scored.length === 0) return null;
  const ok = scored.filter(
    (w) => set.labels[useAssigned ? (w.assigned ?? w.top) : w.top] === w.truth,
  ).length;
  return ok / scored.length;
}
