// Control wells in a prediction set (the model predicts every imaged well, controls included) never
// show up as siRNA guesses in the review queues, and the summary counts them apart from treatments.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../catalog/db';
import { summarizePredictions } from '../evaluate/summary';
import { plateWellPredictions, reviewQueue, storePredictionSet, wellPrediction } from './store';
import type { PredictionSet, WellPredictionRow } from './types';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-store-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const TYPES = ['treatment', 'negative_control', 'positive_control', 'treatment'] as const;

/** 12 wells of one plate, every 4th a negative and every 4th+2 a positive control. */
function set(split: 'val' | 'test'): PredictionSet {
  const labels = ['1', '2', '3', '1138'];
  const wells: WellPredictionRow[] = Array.from({ length: 12 }, (_, i) => ({
    idCode: `HEPG2-04_4_B${String(i + 2).padStart(2, '0')}`,
    experiment: 'HEPG2-04',
    plate: 4,
    well: `B${String(i + 2).padStart(2, '0')}`,
    cellType: 'HEPG2',
    wellType: TYPES[i % 4]!,
    truth: split === 'test' ? null : labels[(i + 1) % 3]!,
    top: i % 3,
    prob: 0.3 + i / 20,
    assigned: null,
    sites: 2,
    sitesDisagree: i % 2 === 1,
    topK: [{ label: i % 3, prob: 0.3 + i / 20 }],
  }));
  return { runId: 'r1', split, tta: false, labels, wells, probs: new Float32Array(12 * 4) };
}

describe('review queues and controls', () => {
  it('lists treatment wells only, on both splits and in every queue', () => {
    const db = openCatalog(path.join(dir, 'catalog.db'));
    for (const split of ['val', 'test'] as const) {
      const s = set(split);
      storePredictionSet(db, s, { runDir: dir, accuracy: null, accuracyAssigned: null });
      const treatment = new Set(
        s.wells.filter((w) => w.wellType === 'treatment').map((w) => w.idCode),
      );
      for (const q of ['confident-wrong', 'least-confident', 'sites-disagree'] as const) {
        const ids = reviewQueue(db, 'r1', split, q, 100).map((w) => w.idCode);
        if (q !== 'confident-wrong' || split === 'val') expect(ids.length).toBeGreaterThan(0);
        expect(ids.filter((id) => !treatment.has(id))).toEqual([]);
      }
      expect(reviewQueue(db, 'r1', split, 'least-confident', 100)).toHaveLength(treatment.size);
    }
    db.close();
  });

  it('the summary counts control wells apart from treatment wells', () => {
    const s = summarizePredictions(set('test'));
    expect(s.wells).toBe(12);
    expect(s.controlWells).toBe(set('test').wells.filter((w) => w.wellType !== 'treatment').length);
  });
});

describe('the confidence of an assigned class', () => {
  it("is the assigned class's probability, not the arg-max's, in the plate map, detail and queues", () => {
    const db = openCatalog(path.join(dir, 'assigned.db'));
    const s = set('val');
    // Well 0: arg-max class 0 at 0.6, assignment chose class 2 (probability 0.15), truth is class 1.
    s.probs.set([0.6, 0.2, 0.15, 0.05], 0);
    s.wells[0] = { ...s.wells[0]!, top: 0, prob: 0.6, assigned: 2 };
    // Well 3: assignment kept the arg-max.
    s.probs.set([0.1, 0.7, 0.1, 0.1], 12);
    s.wells[3] = { ...s.wells[3]!, top: 1, prob: 0.7, assigned: 1 };
    storePredictionSet(db, s, { runDir: dir, accuracy: null, accuracyAssigned: null });
    const w0 = wellPrediction(db, 'r1', s.wells[0]!.idCode)!;
    expect(w0.assigned).toBe('3');
    expect(w0.prob).toBeCloseTo(0.15, 6);
    expect(plateWellPredictions(db, 'r1', 'HEPG2-04', 4).get('B02')!.prob).toBeCloseTo(0.15, 6);
    expect(wellPrediction(db, 'r1', s.wells[3]!.idCode)!.prob).toBeCloseTo(0.7, 6);
    // "Confident but wrong" ranks well 0 by 0.15 (its shown class), not by the arg-max's 0.6.
    const wrong = reviewQueue(db, 'r1', 'val', 'confident-wrong', 100);
    const at = wrong.findIndex((w) => w.idCode === s.wells[0]!.idCode);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(wrong[at]!.prob).toBeCloseTo(0.15, 6);
    const probs = wrong.map((w) => w.prob!);
    expect(probs).toEqual([...probs].sort((a, b) => b - a));
    db.close();
  });
});
