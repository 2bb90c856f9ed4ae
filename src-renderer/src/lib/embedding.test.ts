// Embedding view logic: points coloured by each attribute (groups, legend order and counts, the
// palette and fixed colours), and the organisation numbers said in words with the right verdict.
import { describe, expect, it } from 'vitest';
import { CATEGORICAL } from '../../../src-shared/colormaps';
import type { EmbeddingOrganisation, EmbeddingPoint } from '../../../src-shared/contract';
import { CORRECT_COLORS, NO_VALUE, wellTypeColor } from '../../../src-shared/plate-heatmap';
import { colourPoints, NO_VALUE_LABEL, organisationWords } from './embedding';

const point = (over: Partial<EmbeddingPoint>): EmbeddingPoint => ({
  idCode: 'HUVEC-01_1_B02',
  experiment: 'HUVEC-01',
  cellType: 'HUVEC',
  plate: 1,
  well: 'B02',
  wellType: 'treatment',
  sirna: 3,
  predicted: 3,
  sirnaLabel: '3',
  predictedLabel: '3',
  correct: true,
  confidence: 0.9,
  x: 0,
  y: 0,
  ...over,
  ...('sirna' in over ? { sirnaLabel: over.sirna === null ? null : String(over.sirna) } : {}),
});

const pts = [
  point({ experiment: 'HUVEC-10', sirna: 10, correct: false }),
  point({ experiment: 'HUVEC-2', sirna: null, correct: null, wellType: 'negative_control' }),
  point({ experiment: 'HEPG2-01', cellType: 'HEPG2', plate: 2, sirna: 2 }),
  point({ experiment: 'HUVEC-2', sirna: 10, wellType: 'positive_control' }),
];

describe('colourPoints', () => {
  it('sorts categories numerically and colours them from the palette in order', () => {
    const c = colourPoints(pts, 'experiment');
    expect(c.legend.map((e) => e.label)).toEqual(['HEPG2-01', 'HUVEC-2', 'HUVEC-10']);
    expect(c.legend.map((e) => e.color)).toEqual(CATEGORICAL.slice(0, 3));
    expect([...c.groups]).toEqual([2, 1, 0, 1]);
    expect(c.legend.map((e) => e.count)).toEqual([1, 2, 1]);
    expect(colourPoints(pts, 'plate').legend.map((e) => e.label)).toContain('HEPG2-01 plate 2');
    expect(colourPoints(pts, 'cell-type').legend.map((e) => e.label)).toEqual(['HEPG2', 'HUVEC']);
  });

  it('puts points without a value in one grey group drawn first', () => {
    const s = colourPoints(pts, 'sirna');
    expect(s.legend[0]).toEqual({ label: NO_VALUE_LABEL, color: NO_VALUE, count: 1 });
    expect(s.legend.slice(1).map((e) => e.label)).toEqual(['2', '10']);
    expect([...s.groups]).toEqual([2, 0, 1, 2]);
    const c = colourPoints(pts, 'correct');
    expect(c.legend.map((e) => [e.label, e.color, e.count])).toEqual([
      [NO_VALUE_LABEL, NO_VALUE, 1],
      ['correct', CORRECT_COLORS.correct, 2],
      ['wrong', CORRECT_COLORS.wrong, 1],
    ]);
  });

  it('colours well types as the plate legend does, in its order', () => {
    const c = colourPoints(pts, 'well-type');
    expect(c.legend.map((e) => e.label)).toEqual([
      'treatment',
      'negative control',
      'positive control',
    ]);
    expect(c.legend[1]!.color).toEqual(wellTypeColor('negative_control'));
    expect(colourPoints([], 'sirna')).toEqual({ groups: new Uint16Array(0), legend: [] });
  });
});

const org: EmbeddingOrganisation = {
  k: 10,
  sameExperiment: 0.62,
  sameExperimentChance: 0.25,
  sameSirna: 0.08,
  sameSirnaChance: 0.03,
  sameCellType: 0.9,
  sameCellTypeChance: 0.5,
  silhouetteExperiment: 0.21,
  silhouetteSirna: -0.05,
  wells: 400,
  sirnaWells: 300,
  verdict: 'batch',
  note: '',
};

describe('organisationWords', () => {
  it('says the neighbour numbers and names batch when experiments dominate', () => {
    const w = organisationWords(org);
    expect(w.headline).toBe(
      "62% of each well's 10 nearest neighbours come from the same experiment (chance 25%) vs 8% from the same siRNA (chance 3%)",
    );
    expect(w.verdict).toMatch(/organised by batch/);
    expect(w.detail).toMatch(/Silhouette by experiment 0\.21, by siRNA -0\.05/);
  });

  it("words the backend's verdict", () => {
    expect(organisationWords({ ...org, verdict: 'class' }).verdict).toMatch(/organised by siRNA/);
    expect(organisationWords({ ...org, verdict: 'neither' }).verdict).toMatch(/neither/);
    expect(organisationWords({ ...org, verdict: 'tie' }).verdict).toMatch(/about as much/);
  });

  it('gives no class verdict without known labels', () => {
    const w = organisationWords({
      ...org,
      sameSirna: null,
      sameSirnaChance: null,
      silhouetteSirna: null,
    });
    expect(w.headline).toMatch(/no known siRNA labels/);
    expect(w.verdict).toMatch(/cannot be compared/);
    expect(w.detail).toMatch(/by siRNA n\/a/);
  });
});

describe('organisationWords with a ceiling', () => {
  it('names the most the siRNA share can be when it is below 100%', () => {
    const w = organisationWords({ ...org, sameSirnaMax: 0.3 });
    expect(w.headline).toMatch(/from the same siRNA \(chance 3%, at most 30%\)$/);
    expect(organisationWords({ ...org, sameSirnaMax: 1 }).headline).not.toMatch(/at most/);
  });
});
