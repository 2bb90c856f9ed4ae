// Accuracy of a labelled prediction set: overall (before/after assignment), per plate (with the
// plate's control wells), per cell type, on positive controls, and the most confused class pairs.
// Wells of classes the run was not trained on are not scored, only counted (unscoredWells).
import { scoredWells } from '../predict/site-to-well';
import type { PredictionSet, WellPredictionRow } from '../predict/types';
import type { PredictionSplit } from '../../../../src-shared/contract';

export interface EvaluationSummary {
  runId: string;
  split: PredictionSplit;
  /** All predicted wells, of which `controlWells` are controls (not siRNA guesses). */
  wells: number;
  controlWells: number;
  accuracy: number | null;
  accuracyAssigned: number | null;
  /** Labelled wells of classes the run was not trained on: in no accuracy, counted here. */
  unscoredWells: number;
  positiveControlsAccuracy: number | null;
  perPlate: {
    experiment: string;
    plate: number;
    accuracy: number | null;
    controlsAccuracy: number | null;
  }[];
  perCellType: { cellType: string; accuracy: number | null }[];
  confusedPairs: { truth: string; predicted: string; count: number }[];
}

function acc(ws: WellPredictionRow[], labels: string[], useAssigned: boolean): number | null {
  const l = scoredWells(ws, labels).scored;
  if (l.length === 0) return null;
  return (
    l.filter((w) => labels[useAssigned ? (w.assigned ?? w.top) : w.top] === w.truth).length /
    l.length
  );
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(it);
  }
  return m;
}

export function summarizePredictions(
  set: PredictionSet,
  opts: { confusedPairs?: number } = {},
): EvaluationSummary {
  const { labels, wells } = set;
  const assigned = wells.some((w) => w.assigned !== null);
  const plates = groupBy(wells, (w) => `${w.experiment}\u0000${w.plate}`);
  const perPlate = [...plates.values()]
    .map((ws) => ({
      experiment: ws[0]!.experiment,
      plate: ws[0]!.plate,
      accuracy:
        acc(
          ws.filter((w) => w.wellType === 'treatment'),
          labels,
          assigned,
        ) ?? acc(ws, labels, assigned),
      controlsAccuracy: acc(
        ws.filter((w) => w.wellType !== 'treatment'),
        labels,
        false,
      ),
    }))
    .sort((a, b) =>
      a.experiment < b.experiment ? -1 : a.experiment > b.experiment ? 1 : a.plate - b.plate,
    );
  const perCellType = [...groupBy(wells, (w) => w.cellType)]
    .map(([cellType, ws]) => ({ cellType, accuracy: acc(ws, labels, assigned) }))
    .sort((a, b) => (a.cellType < b.cellType ? -1 : 1));
  const pairs = new Map<string, { truth: string; predicted: string; count: number }>();
  const { scored, unscored } = scoredWells(wells, labels);
  for (const w of scored) {
    const p = labels[assigned ? (w.assigned ?? w.top) : w.top]!;
    if (p === w.truth) continue;
    const k = `${w.truth}\u0000${p}`;
    const e = pairs.get(k) ?? { truth: w.truth, predicted: p, count: 0 };
    e.count++;
    pairs.set(k, e);
  }
  const confusedPairs = [...pairs.values()]
    .sort((a, b) => b.count - a.count || (a.truth < b.truth ? -1 : 1))
    .slice(0, opts.confusedPairs ?? 20);
  return {
    runId: set.runId,
    split: set.split,
    wells: wells.length,
    controlWells: wells.filter((w) => w.wellType !== 'treatment').length,
    accuracy: acc(wells, labels, false),
    accuracyAssigned: assigned ? acc(wells, labels, true) : null,
    unscoredWells: unscored,
    positiveControlsAccuracy: acc(
      wells.filter((w) => w.wellType === 'positive_control'),
      labels,
      false,
    ),
    perPlate,
    perCellType,
    confusedPairs,
  };
}
