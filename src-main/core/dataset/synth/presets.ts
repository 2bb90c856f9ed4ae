// The presets: sizes, experiment lists and the paragraph that documents each one.
import type { SynthPreset } from './types';

export const CELL_TYPES = ['HUVEC', 'RPE', 'HEPG2', 'U2OS'] as const;
export type CellType = (typeof CELL_TYPES)[number];

export interface RenderedPresetConfig {
  imageSize: number;
  /** Train / test experiments per cell type; test batches are numbered after the train ones, as in RxRx1. */
  train: Record<CellType, number>;
  test: Record<CellType, number>;
  /** siRNAs per plate group (4 groups); each appears once per plate of its group. */
  treatmentsPerGroup: number;
  /** Positive-control classes (1108, 1109, …) present on every plate. */
  positiveControls: number;
  /** Phenotype and batch model: 'distinct' (tiny, demo, full) or 'hard' (hard-effects.ts). */
  model: 'distinct' | 'hard';
  /**
   * Plates (1..4) of every experiment filled with all 308 used wells as in RxRx1: the plate group's
   * 277 siRNAs (groups grow to 277, the `treatmentsPerGroup` above being a subset on every plate),
   * the 30 positive controls and the negative control. The other plates keep the preset's wells.
   */
  fillPlates: number[];
}

/** The presets whose every image is drawn (all but full-layout). */
export type RenderedPreset = 'tiny' | 'demo' | 'hard' | 'full';

export const RENDERED_PRESETS: Record<RenderedPreset, RenderedPresetConfig> = {
  tiny: {
    imageSize: 64,
    train: { HUVEC: 1, RPE: 1, HEPG2: 0, U2OS: 0 },
    test: { HUVEC: 0, RPE: 0, HEPG2: 1, U2OS: 0 },
    treatmentsPerGroup: 3,
    positiveControls: 2,
    model: 'distinct',
    fillPlates: [],
  },
  demo: {
    imageSize: 128,
    train: { HUVEC: 5, RPE: 4, HEPG2: 4, U2OS: 3 },
    test: { HUVEC: 1, RPE: 1, HEPG2: 1, U2OS: 1 },
    treatmentsPerGroup: 8,
    positiveControls: 4,
    model: 'distinct',
    fillPlates: [1],
  },
  // The demo's plates and classes, drawn with the RxRx1-like batch effects and subtle phenotypes.
  hard: {
    imageSize: 128,
    train: { HUVEC: 5, RPE: 4, HEPG2: 4, U2OS: 3 },
    test: { HUVEC: 1, RPE: 1, HEPG2: 1, U2OS: 1 },
    treatmentsPerGroup: 8,
    positiveControls: 4,
    model: 'hard',
    fillPlates: [],
  },
  // Every used well of every plate filled as in RxRx1: 1 + 30 + 277 = 308 wells.
  full: {
    imageSize: 64,
    train: { HUVEC: 5, RPE: 4, HEPG2: 4, U2OS: 3 },
    test: { HUVEC: 1, RPE: 1, HEPG2: 1, U2OS: 1 },
    treatmentsPerGroup: 277,
    positiveControls: 30,
    model: 'distinct',
    fillPlates: [],
  },
};

export const FULL_LAYOUT_IMAGE_SIZE = 8;

export interface ExperimentName {
  name: string;
  cellType: CellType;
  batch: number;
}

/**
 * Experiment names of one split, interleaved across cell types (HUVEC-01, RPE-01, HEPG2-01, …)
 * so that taking the first N still mixes cell types. Test batches continue after train ones.
 */
export function experimentNames(
  config: RenderedPresetConfig,
  split: 'train' | 'test',
): ExperimentName[] {
  const counts = config[split];
  const out: ExperimentName[] = [];
  const most = Math.max(...CELL_TYPES.map((t) => counts[t]));
  for (let i = 0; i < most; i++) {
    for (const cellType of CELL_TYPES) {
      if (i >= counts[cellType]) continue;
      const batch = (split === 'test' ? config.train[cellType] : 0) + i + 1;
      out.push({ name: `${cellType}-${String(batch).padStart(2, '0')}`, cellType, batch });
    }
  }
  return out;
}

export function describePreset(preset: SynthPreset): string {
  switch (preset) {
    case 'tiny':
      return (
        'tiny: a unit-test dataset in the RxRx1 2019 layout. 2 train experiments (HUVEC-01, RPE-01) ' +
        'and 1 test experiment (HEPG2-01), 4 plates each, 6 wells per plate (negative control 1138 at ' +
        'B02, positive controls 1108 and 1109 at shuffled control positions, the 3 treatment siRNAs of ' +
        "the plate's group): 72 wells, 144 sites, 864 PNGs of 64×64, 15 classes. Generates in about a " +
        'second.'
      );
    case 'demo':
      return (
        'demo: the embedded default. 16 train experiments (HUVEC-01..05, RPE-01..04, HEPG2-01..04, ' +
        'U2OS-01..03) and 4 test experiments (HUVEC-06, RPE-05, HEPG2-05, U2OS-04), 4 plates each. ' +
        'Plate 1 of every experiment is filled as in RxRx1 (308 wells: the negative control 1138 at ' +
        'B02, the 30 positive controls 1108–1137 on the real control grid and the 277 siRNAs of its ' +
        'plate group); plates 2–4 carry the negative control, 4 positive controls (1108–1111 at ' +
        "shuffled control positions) and the group's 8 demo siRNAs (13 wells). The 4 plate groups " +
        'hold 277 siRNAs each (all 1,108), rotated across plates as in RxRx1; each group has 8 demo ' +
        'siRNAs on every plate of the group. 6,940 wells, 13,880 sites, 83,280 PNGs of 128×128. ' +
        'With the default seed the CSVs hold 870 classes: the 37 on every plate (negative control, ' +
        '1108–1111, the 32 demo siRNAs), the other 26 positive controls (on plate 1 of every ' +
        "experiment) and the other 269 siRNAs of the 3 groups that sit on a plate 1: one group's on " +
        "plate 1 of 8 of the 16 train experiments, one's of 6, one's of 2 (train experiments follow " +
        'the real rotations, which never put the fourth group on plate 1, and no test experiment ' +
        "does with this seed). Training's default class-coverage rule (minClassExperiments 'auto') " +
        'leaves out the classes seen in fewer than three quarters as many training experiments as ' +
        'the best-covered class (12 of 16), so it trains on the 32 demo siRNAs (63 classes with ' +
        'controls included: the 37 and the 26 other positive controls, in every experiment). Every ' +
        'class has its own cell ' +
        'phenotype in shape and texture (nucleus size, elongation or lobes, cell density, nucleoli, ' +
        'perinuclear/peripheral/uniform mitochondria, cortical actin or stress fibres, compact or ' +
        'dispersed Golgi, smooth or reticular ER, chromatin texture; the 37 differ in at least 3 of ' +
        'these, the others in at least 1), while every experiment has its own batch look ' +
        '(cell type, per-channel gain and background, blur, noise, illumination) and each image is ' +
        'scaled to a random per-channel mean, so mean intensity says nothing about the class. ' +
        'Generates in 3.5–4 minutes on 2 cores (953 MB on disk).'
      );
    case 'hard':
      return (
        "hard: the demo's experiments with 13 wells on every plate (plate 1 not filled): 1,040 " +
        'wells and 37 classes in the same layout and CSVs, made hard the way RxRx1 is hard, every effect a seeded parameter of HARD_EFFECTS (hard-effects.ts). Each ' +
        'experiment has its own cell density, per-channel stain gain and additive background, ' +
        'illumination field (vignette plus a smooth random field) and focus; images are not ' +
        "rescaled per image, so control wells carry the experiment's signature and control-anchored " +
        'normalisation has something to remove. Phenotypes are subtle: a class keeps the control ' +
        'cell shape and changes two stains (a stain pattern such as dispersed Golgi, shown by 90–100% ' +
        "of the cells, and another stain's intensity by 50%); each cell type shifts every " +
        "phenotype's strength; treatment siRNAs come in confusable pairs that share their pattern " +
        'and sit in different plate groups. 12,480 PNGs of 128×128.'
      );
    case 'full':
      return (
        'full: all 308 used wells of every plate filled as in RxRx1: 1,108 siRNA classes in 4 plate ' +
        'groups of 277 (groups rotated across the 4 plates of an experiment), the 30 positive controls ' +
        "(1108–1137) on the real control grid and the negative control 1138 at B02, in the demo's 20 " +
        "experiments with the demo's phenotype model: 24,640 wells, 49,280 sites, 295,680 PNGs of " +
        '64×64, 1,139 classes. Generated on demand (`platelab synth --preset full`), not at first start.'
      );
    case 'full-layout':
      return (
        'full-layout: every well of the real RxRx1 2019 metadata (62,755 wells, 125,510 sites, 753,060 ' +
        'channel files across 51 experiments and 204 plates) with the real labels and positions copied ' +
        'from the real CSVs, but tiny 8×8 placeholder images drawn from a small pre-encoded pool. For ' +
        'index and catalog scale benchmarks, not for training.'
      );
  }
}
