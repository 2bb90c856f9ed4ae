// The organisation numbers on a hand-made six-well example whose neighbour fractions, chance levels
// and silhouettes are computed by hand below (1-D, so standardising only rescales the distances).
import { describe, expect, it } from 'vitest';
import {
  aboveChance,
  chanceSameGroup,
  embeddingOrganisation,
  maxSameGroup,
  organisationVerdict,
  standardiseColumns,
} from './organisation';

// Wells on a line: 0 1 2 | 10 11 12. Experiments A A A B B B; cell types alternate; siRNA of the
// first five (s1 s2 s1 s2 s1), the last one unlabelled (a test or control well).
const values = [0, 1, 2, 10, 11, 12];
const groups = {
  experiment: ['A', 'A', 'A', 'B', 'B', 'B'],
  cellType: ['HUVEC', 'RPE', 'HUVEC', 'RPE', 'HUVEC', 'RPE'],
  sirna: [1, 2, 1, 2, 1, null],
};

describe('embeddingOrganisation', () => {
  it('matches the hand-computed neighbour fractions, chance levels and silhouettes (k = 2)', async () => {
    const o = await embeddingOrganisation(values, 1, groups, { k: 2 });
    expect(o.k).toBe(2);
    expect(o.wells).toBe(6);
    expect(o.sirnaWells).toBe(5);
    // Each well's 2 nearest are in its own triple.
    expect(o.sameExperiment).toBeCloseTo(1, 12);
    // Σ n_g(n_g − 1) / (n(n − 1)) = (6 + 6) / 30.
    expect(o.sameExperimentChance).toBeCloseTo(0.4, 12);
    // Same cell type among the 2 nearest: 1/2, 0, 1/2, 1/2, 0, 1/2.
    expect(o.sameCellType).toBeCloseTo(2 / 6, 12);
    expect(o.sameCellTypeChance).toBeCloseTo(0.4, 12);
    // Among the five labelled wells: 1/2, 0, 1/2, 0, 1/2; chance (3·2 + 2·1) / (5·4).
    expect(o.sameSirna).toBeCloseTo(0.3, 12);
    expect(o.sameSirnaChance).toBeCloseTo(0.4, 12);
    // s = (b − a) / max(a, b): 9.5/11, 9/10, 7.5/9 on each side.
    expect(o.silhouetteExperiment).toBeCloseTo((9.5 / 11 + 0.9 + 7.5 / 9) / 3, 12);
    // s1 = wells 0, 2, 4 at 0, 2, 11; s2 = wells 1, 3 at 1, 10. Well 0: a = (2 + 11)/2, b = (1 + 10)/2;
    // well 1: a = 9, b = (1 + 1 + 10)/3; well 2: a = 5.5, b = 4.5; well 3: a = 9, b = 19/3;
    // well 4: a = 10, b = 5.5.
    const sSirna = [-1 / 6.5, -5 / 9, -1 / 5.5, -8 / 27, -0.45];
    expect(o.silhouetteSirna).toBeCloseTo(sSirna.reduce((a, b) => a + b, 0) / 5, 12);
    expect(o.note).toContain('organised more by experiment');
  });

  it('has no siRNA numbers without labels, and refuses a single well', async () => {
    const o = await embeddingOrganisation(values, 1, {
      ...groups,
      sirna: groups.sirna.map(() => null),
    });
    expect(o.sameSirna).toBeNull();
    expect(o.silhouetteSirna).toBeNull();
    expect(o.k).toBe(5);
    expect(o.note).toContain('no siRNA numbers');
    await expect(
      embeddingOrganisation([1], 1, { experiment: ['A'], cellType: ['x'], sirna: [null] }),
    ).rejects.toThrow(/at least 2 wells/);
  });

  it('standardises each column (population sd, a constant column 0) and computes chance', () => {
    // Columns (0, 2) and (0, 4): means 1 and 2, sds 1 and 2.
    const z = standardiseColumns([0, 0, 2, 4], 2, 2);
    expect(Array.from(z)).toEqual([-1, -1, 1, 1]);
    expect(Array.from(standardiseColumns([5, 5, 5], 3, 1))).toEqual([0, 0, 0]);
    expect(chanceSameGroup([3, 2])).toBeCloseTo(0.4, 12);
    expect(chanceSameGroup([1])).toBe(0);
  });
});

describe('organisationVerdict', () => {
  const o = {
    sameExperiment: 0.62,
    sameExperimentChance: 0.25,
    sameSirna: 0.08,
    sameSirnaChance: 0.03,
  };
  it('compares above-chance shares (same − chance) / (max − chance)', () => {
    // The example: experiment (0.62 − 0.25) / 0.75 = 0.493; siRNA (0.08 − 0.03) / 0.97 = 0.052.
    expect(aboveChance(0.62, 0.25)).toBeCloseTo(0.37 / 0.75, 12);
    expect(organisationVerdict(o)).toBe('batch');
    // siRNA (0.40 − 0.03) / 0.97 = 0.381 vs experiment (0.30 − 0.25) / 0.75 = 0.067.
    expect(organisationVerdict({ ...o, sameExperiment: 0.3, sameSirna: 0.4 })).toBe('class');
    // 0.067 vs (0.10 − 0.03) / 0.97 = 0.072: within 0.05.
    expect(organisationVerdict({ ...o, sameExperiment: 0.3, sameSirna: 0.1 })).toBe('tie');
    // (0.26 − 0.25) / 0.75 = 0.013 and (0.04 − 0.03) / 0.97 = 0.010: both near chance.
    expect(organisationVerdict({ ...o, sameExperiment: 0.26, sameSirna: 0.04 })).toBe('neither');
    expect(organisationVerdict({ ...o, sameSirna: null, sameSirnaChance: null })).toBe('unknown');
  });
});

describe('maxSameGroup', () => {
  it('is the best same-group fraction the group sizes allow with k neighbours', () => {
    // Groups of 3, 2 and 1 wells, k = 2: 3 wells can reach 2/2, 2 wells 1/2, 1 well 0.
    expect(maxSameGroup([3, 2, 1], 2)).toBeCloseTo((3 * 2 + 2 * 1 + 0) / (2 * 6), 12);
    // 32 siRNAs of 4 validation wells each, k = 10: at most 3 of 10 neighbours can share the siRNA.
    expect(maxSameGroup(Array(32).fill(4), 10)).toBeCloseTo(0.3, 12);
    expect(maxSameGroup(Array(4).fill(32), 10)).toBeCloseTo(1, 12);
  });
  it('lets a grouping with a low ceiling win the verdict when it is nearer its ceiling', () => {
    const o = {
      sameExperiment: 0.5,
      sameExperimentChance: 0.244,
      sameExperimentMax: 1,
      sameSirna: 0.2,
      sameSirnaChance: 0.024,
    };
    // Against 1: experiment (0.5 − 0.244) / 0.756 = 0.34 beats siRNA (0.2 − 0.024) / 0.976 = 0.18.
    expect(organisationVerdict({ ...o, sameSirnaMax: 1 })).toBe('batch');
    // Against the real ceiling 0.3: siRNA (0.2 − 0.024) / (0.3 − 0.024) = 0.64 wins.
    expect(aboveChance(0.2, 0.024, 0.3)).toBeCloseTo(0.176 / 0.276, 12);
    expect(organisationVerdict({ ...o, sameSirnaMax: 0.3 })).toBe('class');
  });
});
