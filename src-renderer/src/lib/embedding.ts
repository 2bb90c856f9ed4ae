// The embedding view's pure logic: colour points by a well attribute (groups, colours and legend
// entries from the app's categorical palette and plate-heatmap colours) and say the organisation
// numbers (batch vs class) in words a scientist reads.
import { categoryColor, type Rgb } from '../../../src-shared/colormaps';
import type { EmbeddingOrganisation, EmbeddingPoint } from '../../../src-shared/contract';
import {
  CORRECT_COLORS,
  NO_VALUE,
  WELL_TYPE_ORDER,
  wellTypeColor,
} from '../../../src-shared/plate-heatmap';
import { percent } from './format';

const pc = (v: number) => percent(v, 0);

export const COLOR_BY = [
  'experiment',
  'cell-type',
  'plate',
  'sirna',
  'well-type',
  'correct',
] as const;
/** What the points are coloured by (the URL's `color`). */
export type ColorBy = (typeof COLOR_BY)[number];

export const COLOR_BY_LABELS: Record<ColorBy, string> = {
  experiment: 'Experiment',
  'cell-type': 'Cell type',
  plate: 'Plate',
  sirna: 'siRNA (true)',
  'well-type': 'Well type',
  correct: 'Correct / wrong',
};

export interface LegendEntry {
  label: string;
  color: Rgb;
  count: number;
}

export interface Colouring {
  /** Group (legend entry) of each point. */
  groups: Uint16Array;
  /** The groups in drawing order (the "no value" group first, so it lies underneath). */
  legend: LegendEntry[];
}

/** Label of the group of points without a value (test wells have no siRNA, no correctness). */
export const NO_VALUE_LABEL = 'unknown';

const WELL_TYPE_LABEL: Record<EmbeddingPoint['wellType'], string> = {
  treatment: 'treatment',
  negative_control: 'negative control',
  positive_control: 'positive control',
  unknown: 'unknown type',
};

function valueOf(p: EmbeddingPoint, by: ColorBy): string | null {
  switch (by) {
    case 'experiment':
      return p.experiment;
    case 'cell-type':
      return p.cellType;
    case 'plate':
      return `${p.experiment} plate ${p.plate}`;
    case 'sirna':
      return p.sirnaLabel;
    case 'well-type':
      return WELL_TYPE_LABEL[p.wellType];
    case 'correct':
      return p.correct === null ? null : p.correct ? 'correct' : 'wrong';
  }
}

/**
 * Groups `points` by `by` and colours the groups: categories sorted with numeric collation and
 * coloured from the categorical palette in that order (colours repeat every 48, as on the plate
 * heatmap); well types in the plate legend's order and colours; correct/wrong green/red. Points
 * without a value (unknown siRNA or correctness) form one grey group drawn first.
 */
export function colourPoints(points: readonly EmbeddingPoint[], by: ColorBy): Colouring {
  const values = points.map((p) => valueOf(p, by));
  const present = new Set(values.filter((v): v is string => v !== null));
  let order: string[];
  let colour: (label: string, i: number, n: number) => Rgb;
  if (by === 'well-type') {
    order = WELL_TYPE_ORDER.map((t) => WELL_TYPE_LABEL[t]).filter((l) => present.has(l));
    colour = (label) => wellTypeColor(WELL_TYPE_ORDER.find((t) => WELL_TYPE_LABEL[t] === label)!);
  } else if (by === 'correct') {
    order = (['correct', 'wrong'] as const).filter((l) => present.has(l));
    colour = (label) => CORRECT_COLORS[label as 'correct' | 'wrong'];
  } else {
    order = [...present].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    colour = (_label, i, n) => categoryColor('categorical', i, n);
  }
  const hasMissing = values.some((v) => v === null);
  const legend: LegendEntry[] = [];
  if (hasMissing) legend.push({ label: NO_VALUE_LABEL, color: NO_VALUE, count: 0 });
  const first = legend.length;
  order.forEach((label, i) =>
    legend.push({ label, color: colour(label, i, order.length), count: 0 }),
  );
  const groupOf = new Map(order.map((l, i) => [l, first + i]));
  const groups = new Uint16Array(points.length);
  values.forEach((v, i) => {
    const g = v === null ? 0 : groupOf.get(v)!;
    groups[i] = g;
    legend[g]!.count++;
  });
  return { groups, legend };
}

const VERDICT_WORDS: Record<EmbeddingOrganisation['verdict'], string> = {
  batch: '→ organised by batch (experiment) more than by siRNA',
  class: '→ organised by siRNA (class) more than by batch',
  tie: '→ organised about as much by batch as by siRNA',
  neither: '→ organised by neither batch nor siRNA (both near chance)',
  unknown: '→ batch vs class cannot be compared on this split',
};

export interface OrganisationWords {
  /** "62% of each well's 10 nearest neighbours come from the same experiment (chance 25%) …" */
  headline: string;
  /** "→ organised by batch", "→ organised by siRNA", or why no verdict. */
  verdict: string;
  /** Cell type and silhouettes, one line. */
  detail: string;
}

/**
 * The organisation numbers in words; the verdict is the backend's (`organisation.verdict`, decided
 * once in learn/embed/organisation.ts from the above-chance shares).
 */
export function organisationWords(o: EmbeddingOrganisation): OrganisationWords {
  const exp = `${pc(o.sameExperiment)} of each well's ${o.k} nearest neighbours come from the same experiment (chance ${pc(o.sameExperimentChance)})`;
  const sil = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
  const detail =
    `${pc(o.sameCellType)} share its cell type (chance ${pc(o.sameCellTypeChance)}). ` +
    `Silhouette by experiment ${sil(o.silhouetteExperiment)}, by siRNA ${sil(o.silhouetteSirna)} ` +
    `(−1…1; higher = tighter, better separated groups). ${o.wells} wells` +
    (o.sameSirna !== null ? `, ${o.sirnaWells} with a known siRNA.` : '.');
  if (o.sameSirna === null || o.sameSirnaChance === null) {
    return {
      headline: `${exp}; no known siRNA labels to compare with.`,
      verdict: '→ batch vs class cannot be compared on this split',
      detail,
    };
  }
  // With few wells per siRNA only a few neighbours can share it: say the ceiling when it binds.
  const ceiling =
    o.sameSirnaMax != null && o.sameSirnaMax < 0.995 ? `, at most ${pc(o.sameSirnaMax)}` : '';
  const headline = `${exp} vs ${pc(o.sameSirna)} from the same siRNA (chance ${pc(o.sameSirnaChance)}${ceiling})`;
  const verdict = VERDICT_WORDS[o.verdict];
  return { headline, verdict, detail };
}
