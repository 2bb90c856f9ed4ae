// Sets predicted without plate-group assignment still say when a plate holds more treatment wells
// than the run has classes of its largest plate group (siRNAs it was never trained on).
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../runs/run-context';
import { unassignedCoverageWarnings } from './plate-group-setup';
import type { WellPredictionRow } from './types';

/** Training site rows: 2 experiments × 2 plates, plate p holding classes of group p. */
const trainRows = ['E-1', 'E-2'].flatMap((experiment) =>
  [1, 2].flatMap((plate) =>
    (plate === 1 ? ['0', '1'] : ['2', '3']).map((sirna, i) => ({
      split: 'train',
      wellType: 'treatment',
      idCode: `${experiment}_${plate}_B0${i + 2}`,
      site: 1,
      sirna,
      experiment,
      plate,
    })),
  ),
);
const ctx = {
  config: { target: 'sirna' },
  split: { train: trainRows.map((r) => r.idCode), val: [] },
  classes: { labels: ['0', '1', '2', '3'] },
} as unknown as RunContext;

function testWells(perPlate: Record<number, number>): WellPredictionRow[] {
  return Object.entries(perPlate).flatMap(([plate, n]) =>
    Array.from(
      { length: n },
      (_, i) =>
        ({
          idCode: `T-1_${plate}_C0${i + 2}`,
          experiment: 'T-1',
          plate: Number(plate),
          wellType: 'treatment',
          assigned: null,
        }) as unknown as WellPredictionRow,
    ),
  );
}

describe('unassignedCoverageWarnings', () => {
  it('warns for a plate with more treatment wells than the largest group, not for the others', () => {
    const warnings = unassignedCoverageWarnings(ctx, trainRows, testWells({ 1: 5, 2: 2 }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('T-1 plate 1: 5 wells, 2 classes');
    expect(warnings[0]).toContain('at least 3 of these wells');
    expect(unassignedCoverageWarnings(ctx, trainRows, testWells({ 1: 2, 2: 2 }))).toEqual([]);
  });
});
