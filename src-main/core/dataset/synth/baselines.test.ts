// Tests the hardness baselines' split handling: controls count as wells by default, and
// `treatmentsOnly` fits and scores treatment wells only while controls still anchor normalisation.
import { describe, expect, it } from 'vitest';
import {
  heldOutBaselines,
  type WellFeatures,
} from '../../../../test-support/synth-analysis/baselines';

const well = (
  split: 'train' | 'test',
  experiment: string,
  label: number,
  v: number,
  control = false,
): WellFeatures => ({
  split,
  experiment,
  plate: 1,
  well: `B${String(Math.round(v * 10)).padStart(2, '0')}`,
  label,
  control,
  means: [v],
  shape: [v],
});

// Treatment classes 1 (near 0) and 2 (near 10); the control class 99 sits at 5, next to the
// held-out treatment well at 4, so counting controls as a class misclassifies it.
const wells: WellFeatures[] = [
  well('train', 'E1', 1, 0),
  well('train', 'E1', 1, 0.2),
  well('train', 'E1', 2, 10),
  well('train', 'E1', 2, 10.2),
  well('train', 'E1', 99, 4.9, true),
  well('train', 'E1', 99, 5.1, true),
  well('test', 'E2', 1, 4),
  well('test', 'E2', 99, 4.9, true),
  well('test', 'E2', 99, 5.1, true),
];

describe('heldOutBaselines', () => {
  it('scores controls as wells by default', () => {
    const b = heldOutBaselines(wells);
    expect([b.trainWells, b.testWells, b.classes]).toEqual([6, 3, 3]);
    // The two test controls are right, the treatment well goes to the control centroid.
    expect(b.meanIntensity.raw).toBeCloseTo(2 / 3, 10);
  });

  it('fits and scores treatments only when asked, normalising by the controls still', () => {
    const b = heldOutBaselines(wells, { treatmentsOnly: true });
    expect([b.trainWells, b.testWells, b.classes]).toEqual([4, 1, 2]);
    expect(b.meanIntensity.raw).toBe(1);
    expect(b.shape.raw).toBe(1);
    // Both experiments' controls sit at 5: control normalisation keeps the order, so still right.
    expect(b.meanIntensity.controls).toBe(1);
  });
});
