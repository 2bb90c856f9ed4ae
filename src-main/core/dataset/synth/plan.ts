// Plans the plates of a rendered preset: experiments, plate-group rotations and which siRNA sits in
// which well, following the RxRx1 rules (B02 negative control, shuffled positive-control grid,
// 4 disjoint siRNA groups rotated across an experiment's plates, each siRNA once per plate), and
// fills the preset's `fillPlates` with all 308 used wells as RxRx1 does.
import {
  NEGATIVE_CONTROL_ID,
  NEGATIVE_CONTROL_WELL,
  POSITIVE_CONTROL_IDS,
  SIRNA_CLASSES,
  parseWellName,
  positiveControlWells,
  usedWells,
} from '../plate';
import { Rng, hashString } from './prng';
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
  /**
   * The 4 disjoint treatment groups of siRNA ids, sorted: a group holds the same siRNAs wherever it
   * sits. 277 ids each (all of 0..1107) when the preset fills plates, else `coreGroups`.
   */
  groups: number[][];
  /**
   * The `treatmentsPerGroup` siRNAs of each group that sit on every plate of that group (a subset of
   * `groups[g]`, sorted); a filled plate holds the rest of its group too.
   */
  coreGroups: number[][];
  /** Positive controls on every plate (1108, …); a filled plate holds all 30 (1108–1137). */
  positiveControls: number[];
  /** Plates (1..4) of every experiment filled with all 308 used wells. */
  fillPlates: number[];
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

/**
 * Plans a rendered preset: its experiments (the first `limits.train` / `limits.test` of each split
 * when given), each experiment's plate-group rotation, and every well of its 4 plates.
 *
 * Every plate holds the negative control at B02, `positiveControls` positive controls on shuffled
 * control-grid wells and the `treatmentsPerGroup` core siRNAs of its group on shuffled treatment
 * wells, all drawn from stream 1 of `seed`. Each plate in `fillPlates` also gets the other positive
 * controls (up to 1137) on the rest of the control grid and the rest of its 277-siRNA group on the
 * rest of the treatment wells (308 wells, as in RxRx1). Everything the fill adds is drawn from its
 * own stream, so a preset's core wells, groups and rotations are the same with or without fill.
 * Throws on a config outside the RxRx1 ranges.
 */
export function planDataset(
  config: RenderedPresetConfig,
  seed: number,
  limits: { train?: number; test?: number } = {},
): DatasetPlan {
  const rng = new Rng(seed, 1);
  const fillRng = new Rng(seed, hashString('plan:fill'));
  const k = config.treatmentsPerGroup;
  if (k < 1 || 4 * k > SIRNA_CLASSES) throw new Error(`treatmentsPerGroup ${k} is outside 1..277`);
  if (config.positiveControls < 0 || config.positiveControls > POSITIVE_CONTROL_IDS.length)
    throw new Error(`positiveControls ${config.positiveControls} is outside 0..30`);
  const fillPlates = [...config.fillPlates].sort((a, b) => a - b);
  fillPlates.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 1 || p > PLATES_PER_EXPERIMENT || p === fillPlates[i - 1])
      throw new Error(`fillPlates [${config.fillPlates.join(', ')}] must be distinct plates 1..4`);
  });

  // siRNA ids drawn from the real 0..1107 range so labels look like RxRx1's.
  const shuffledIds = rng.shuffled(Array.from({ length: SIRNA_CLASSES }, (_, i) => i));
  const ids = shuffledIds.slice(0, 4 * k);
  const coreGroups = [0, 1, 2, 3].map((g) => ids.slice(g * k, (g + 1) * k).sort((a, b) => a - b));
  let groups = coreGroups;
  if (fillPlates.length > 0) {
    // The other siRNAs complete the groups to 277 each (fill stream: the core draws stay as they are).
    const perGroup = SIRNA_CLASSES / 4 - k;
    const rest = fillRng.shuffled(shuffledIds.slice(4 * k).sort((a, b) => a - b));
    groups = coreGroups.map((core, g) =>
      [...core, ...rest.slice(g * perGroup, (g + 1) * perGroup)].sort((a, b) => a - b),
    );
  }
  const positiveControls = POSITIVE_CONTROL_IDS.slice(0, config.positiveControls);
  const fillControls = POSITIVE_CONTROL_IDS.slice(config.positiveControls);

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
      const g = exp.rotation[plate - 1]!;
      const core = coreGroups[g]!;
      const tSlots = rng.shuffled(treatmentSlots);
      core.forEach((sirna, i) =>
        plateWells.push({ ...base, well: tSlots[i]!, sirna, wellType: 'treatment' }),
      );
      if (fillPlates.includes(plate)) {
        // The rest of the grid and of the group on the wells the core draws left free.
        const freeControls = fillRng.shuffled(pcSlots.slice(positiveControls.length));
        fillControls.forEach((sirna, i) =>
          plateWells.push({ ...base, well: freeControls[i]!, sirna, wellType: 'positive_control' }),
        );
        const inCore = new Set(core);
        const freeTreatments = fillRng.shuffled(tSlots.slice(core.length));
        groups[g]!.filter((sirna) => !inCore.has(sirna)).forEach((sirna, i) =>
          plateWells.push({ ...base, well: freeTreatments[i]!, sirna, wellType: 'treatment' }),
        );
      }
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
  return { experiments, groups, coreGroups, positiveControls, fillPlates, wells };
}
