// Control wells in a prediction set (the model predicts every imaged well, controls included) never
// show up as siRNA guesses in the review queues, and the summary counts them apart from treatments.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../catalog/db';
import { summarizePredictions } from '../evaluate/summary';
import { reviewQueue, storePredictionSet } from './store';
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
