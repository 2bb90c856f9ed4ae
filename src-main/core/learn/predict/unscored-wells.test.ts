// A labelled well of a class the run was not trained on (class coverage left it out) is not scored:
// not right, not wrong, counted apart in the accuracy, the evaluation summary, the stored set read
// back for the plate map and well detail (a real SQLite catalog), the "confident but wrong" queue
// and the plate map's correct/wrong colouring.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHeatmap } from '../../../../src-shared/plate-heatmap';
import type { PlateWell } from '../../../../src-shared/contract';
import { platePredictions } from '../../api/prediction-source';
import { openCatalog } from '../../catalog/db';
import { summarizePredictions } from '../evaluate/summary';
import { scoredWells, wellAccuracy } from './site-to-well';
import { reviewQueue, storePredictionSet, wellPrediction } from './store';
import type { PredictionSet, WellPredictionRow } from './types';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-unscored-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * A validation set of a run trained on classes 10, 11, 12: B03 right, B04 wrong, B05 and B06 of
 * class 99 (left out of the run's classes; B05 confidently predicted 10), B07 unlabelled.
 */
function set(): PredictionSet {
  const labels = ['10', '11', '12'];
  const rows: Array<[string, string | null, number, number]> = [
    ['B03', '10', 0, 0.9],
    ['B04', '11', 2, 0.6],
    ['B05', '99', 0, 0.99],
    ['B06', '99', 1, 0.4],
    ['B07', null, 1, 0.5],
  ];
  const wells: WellPredictionRow[] = rows.map(([well, truth, top, prob]) => ({
    idCode: `HUVEC-05_1_${well}`,
    experiment: 'HUVEC-05',
    plate: 1,
    well,
    cellType: 'HUVEC',
    wellType: 'treatment',
    truth,
    top,
    prob,
    assigned: null,
    sites: 2,
    sitesDisagree: false,
    topK: [{ label: top, prob }],
  }));
  return { runId: 'r-cov', split: 'val', tta: false, labels, wells, probs: new Float32Array(15) };
}

describe('wells of classes the run was not trained on', () => {
  it('are neither right nor wrong in the accuracy and the summary, and are counted', () => {
    const s = set();
    expect(scoredWells(s.wells, s.labels).unscored).toBe(2);
    // 1 right of the 2 scorable wells, not 1 of 4.
    expect(wellAccuracy(s, false)).toBe(0.5);
    const sum = summarizePredictions(s);
    expect(sum.accuracy).toBe(0.5);
    expect(sum.unscoredWells).toBe(2);
    expect(sum.perPlate[0]!.accuracy).toBe(0.5);
    expect(sum.perCellType).toEqual([{ cellType: 'HUVEC', accuracy: 0.5 }]);
    // The confused pairs are the scorable wrong wells only.
    expect(sum.confusedPairs).toEqual([{ truth: '11', predicted: '12', count: 1 }]);
    // Only unknown-class wells: nothing to score, so no accuracy at all (not 0%).
    const only = { ...s, wells: s.wells.filter((w) => w.truth === '99') };
    expect(wellAccuracy(only, false)).toBeNull();
  });

  it('are stored as not scored: no correct/wrong, not in "confident but wrong", grey on the plate map', () => {
    const db = openCatalog(path.join(dir, 'catalog.db'));
    try {
      storePredictionSet(db, set(), { runDir: dir, accuracy: 0.5, accuracyAssigned: null });
      const at = (w: string) => wellPrediction(db, 'r-cov', `HUVEC-05_1_${w}`)!;
      expect([at('B03').correct, at('B04').correct]).toEqual([true, false]);
      expect(at('B05')).toMatchObject({ truth: '99', correct: null, unscored: true });
      expect(at('B07')).toMatchObject({ truth: null, correct: null, unscored: false });
      // B05 is the most confident wrong-looking well, but it cannot be wrong: not in the queue.
      const queue = reviewQueue(db, 'r-cov', 'val', 'confident-wrong', 10).map((w) => w.well);
      expect(queue).toEqual(['B04']);

      const preds = platePredictions(db, 'r-cov', 'HUVEC-05', 1);
      expect(preds.get('B05')).toMatchObject({ correct: null, unscored: true });
      expect(preds.get('B03')!.unscored).toBeUndefined();
      const wells: PlateWell[] = [...preds].map(([well, prediction], i) => ({
        well,
        row: 1,
        col: 3 + i,
        idCode: `HUVEC-05_1_${well}`,
        wellType: 'treatment',
        sirna: null,
        sites: 2,
        hasImages: true,
        broken: false,
        meanIntensity: null,
        prediction,
      }));
      const h = buildHeatmap(wells, 'correct', null);
      expect(h.values.get('B03')).toBe('correct');
      expect(h.values.get('B04')).toBe('wrong');
      expect(h.values.get('B05')).toBe('not trained on');
      expect(h.values.get('B06')).toBe('not trained on');
      expect(h.values.has('B07')).toBe(false);
      expect(h.legend.kind === 'categories' && h.legend.items.map((i) => i.label)).toEqual([
        'correct',
        'wrong',
        'not trained on',
      ]);
    } finally {
      db.close();
    }
  });
});
