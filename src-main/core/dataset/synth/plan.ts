// Plans the plates of a rendered preset: experiments, plate-group rotations and which siRNA sits in
// which well, following the RxRx1 rules (B02 negative control, shuffled positive-control grid,
// 4 disjoint siRNA groups rotated across an experiment's plates, each siRNA once per plate).
import {
  NEGATIVE_CONTROL_ID,
  NEGATIVE_CONTROL_WELL,
  POSITIVE_CONTROL_IDS,
  SIRNA_CLASSES,
  parseWellName,
  positiveControlWells,
  usedWells,
} from '../plate';
import { Rng } from './prng';
import { experimentNames, type CellType, type RenderedPresetConfig } from './presets';
import type { PlannedWell, SplitName } from './types';

/** Plate → group rotations seen in RxRx1 train experiments (plate p holds group rotation[p-1]). */
export const TRAIN_ROTATIONS: readonly (readonly number[])[] = [
  [0, 1, 2, 3],
  [2, 3, 0, 1],
  [1, 2, 3, 0],
];
/** Relative frequencies of those rotations in the real train set (22, 7, 4 experiments). */
const TRAIN_ROTATION_WEIGHTS = [22, 7, 4];
const ALL_CYCLIC_ROTATIONS = [0, 1, 2, 3].map((s) => [0, 1, 2, 3].map((g) => (g + s) % 4));

export const PLATES_PER_EXPERIMENT = 4;

export interface PlannedExperiment {
  split: SplitName;
  name: string;
  cellType: CellType;
  batch: number;
  rotation: number[];
}

export interface DatasetPlan {
  experiments: PlannedExperiment[];
  /** The 4 disjoint treatment groups of siRNA ids. */
  groups: number[][];
  positiveControls: number[];
  /** Sorted by split, experiment name, plate, then row-major well order. */
  wells: PlannedWell[];
}

function weightedIndex(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] as number;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

export function wellOrder(a: string, b: string): number {
  const pa = parseWellName(a);
  const pb = parseWellName(b);
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0;
  return pa.row - pb.row || pa.col - pb.col;
}

export function planDataset(
  config: RenderedPresetConfig,
  seed: number,
  limits: { train?: number; test?: number } = {},
): DatasetPlan {
  const rng = new Rng(seed, 1);
  const k = config.treatmentsPerGroup;
  if (k < 1 || 4 * k > SIRNA_CLASSES) throw new Error(`treatmentsPerGroup ${k} is outside 1..277`);
  if (config.positiveControls < 0 || config.positiveControls > POSITIVE_CONTROL_IDS.length)
    throw new Error(`positiveControls ${config.positiveControls} is outside 0..30`);

  // siRNA ids drawn from the real 0..1107 range so labels look like RxRx1's.
  const ids = rng.shuffled(Array.from({ length: SIRNA_CLASSES }, (_, i) => i)).slice(0, 4 * k);
  const groups = [0, 1, 2, 3].map((g) => ids.slice(g * k, (g + 1) * k).sort((a, b) => a - b));
  const positiveControls = POSITIVE_CONTROL_IDS.slice(0, config.positiveControls);

  const experiments: PlannedExperiment[] = [];
  for (const split of ['train', 'test'] as const) {
    let names = experimentNames(config, split);
    const limit = limits[split];
    if (limit !== undefined) names = names.slice(0, Math.max(0, limit));
    names.forEach((e, i) => {
      let rotation: readonly number[];
      if (split === 'train') {
        // The first three show every real rotation; later ones follow the real frequencies.
        rotation = TRAIN_ROTATIONS[i < 3 ? i : weightedIndex(rng, TRAIN_ROTATION_WEIGHTS)]!;
      } else {
        rotation = rng.pick(ALL_CYCLIC_ROTATIONS);
      }
      experiments.push({
        split,
        name: e.name,
        cellType: e.cellType,
        batch: e.batch,
        rotation: [...rotation],
      });
    });
  }

  const controlSlots = positiveControlWells();
  const treatmentSlots = usedWells().filter(
    (w) => w !== NEGATIVE_CONTROL_WELL && !controlSlots.includes(w),
  );
  const wells: PlannedWell[] = [];
  for (const exp of experiments) {
    for (let plate = 1; plate <= PLATES_PER_EXPERIMENT; plate++) {
      const base = { split: exp.split, experiment: exp.name, cellType: exp.cellType, plate };
      const plateWells: PlannedWell[] = [
        {
          ...base,
          well: NEGATIVE_CONTROL_WELL,
          sirna: NEGATIVE_CONTROL_ID,
          wellType: 'negative_control',
        },
      ];
      const pcSlots = rng.shuffled(controlSlots);
      positiveControls.forEach((sirna, i) =>
        plateWells.push({ ...base, well: pcSlots[i]!, sirna, wellType: 'positive_control' }),
      );
      const group = groups[exp.rotation[plate - 1]!]!;
      const tSlots = rng.shuffled(treatmentSlots);
      group.forEach((sirna, i) =>
        plateWells.push({ ...base, well: tSlots[i]!, sirna, wellType: 'treatment' }),
      );
      plateWells.sort((a, b) => wellOrder(a.well, b.well));
      wells.push(...plateWells);
    }
  }
  wells.sort(
    (a, b) =>
      (a.split === b.split ? 0 : a.split === 'train' ? -1 : 1) ||
      (a.experiment < b.experiment ? -1 : a.experiment > b.experiment ? 1 : 0) ||
      a.plate - b.plate ||
      wellOrder(a.well, b.well),
  );
  return { experiments, groups, positiveControls, wells };
}
