// What each class looks like (its phenotype: discrete shape/texture factors) and what each
// experiment, plate and cell type adds on top (batch effects). Classes get codes that differ from
// each other and from the negative-control baseline in several factors, so they stay apart
// under any batch look.
import { NEGATIVE_CONTROL_ID } from '../plate';
import { Rng } from './prng';
import type { CellType } from './presets';

/** The phenotype factors and their number of levels. */
export const FACTORS = [
  { name: 'nucleusSize', levels: ['small', 'medium', 'large'] },
  { name: 'nucleusShape', levels: ['round', 'elongated', 'lobed'] },
  { name: 'density', levels: ['sparse', 'normal', 'dense'] },
  { name: 'nucleoli', levels: ['few-large', 'many-small'] },
  { name: 'mito', levels: ['perinuclear', 'peripheral', 'uniform'] },
  { name: 'actin', levels: ['cortical', 'fibres'] },
  { name: 'golgi', levels: ['compact', 'dispersed'] },
  { name: 'er', levels: ['smooth', 'reticular'] },
  { name: 'chromatin', levels: ['smooth', 'speckled'] },
] as const;

/** The negative control (untreated cells): medium round nuclei, normal density, and so on. */
export const BASELINE_CODE: readonly number[] = [1, 0, 1, 0, 2, 0, 0, 0, 0];

export interface Phenotype {
  code: number[];
  /** Nucleus radius factor. */
  nucleusScale: number;
  nucleusShape: 'round' | 'elongated' | 'lobed';
  /** Cell count factor. */
  density: number;
  nucleoliMany: boolean;
  mito: 'perinuclear' | 'peripheral' | 'uniform';
  actinFibres: boolean;
  golgiDispersed: boolean;
  erReticular: boolean;
  chromatinSpeckled: boolean;
}

export function phenotypeFromCode(code: readonly number[]): Phenotype {
  const c = (i: number): number => code[i] ?? 0;
  return {
    code: [...code],
    nucleusScale: [0.78, 1.0, 1.27][c(0)]!,
    nucleusShape: (['round', 'elongated', 'lobed'] as const)[c(1)]!,
    density: [0.62, 1.0, 1.5][c(2)]!,
    nucleoliMany: c(3) === 1,
    mito: (['perinuclear', 'peripheral', 'uniform'] as const)[c(4)]!,
    actinFibres: c(5) === 1,
    golgiDispersed: c(6) === 1,
    erReticular: c(7) === 1,
    chromatinSpeckled: c(8) === 1,
  };
}

function hamming(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/**
 * Assigns a phenotype code to every class id: the negative control gets the baseline, the others
 * (in the order given) are picked greedily (in a seeded order) at Hamming distance ≥ 4 from all
 * codes so far, relaxing to 3, 2 only when the code space runs out. Ids appended to a list keep the
 * earlier ids' codes as long as those fit at distance ≥ 4 (the demo's 37 classes do).
 */
export function assignPhenotypes(
  classIds: readonly number[],
  seed: number,
): Map<number, Phenotype> {
  const rng = new Rng(seed, 2);
  const all: number[][] = [];
  const walk = (prefix: number[]): void => {
    if (prefix.length === FACTORS.length) {
      all.push(prefix);
      return;
    }
    for (let l = 0; l < FACTORS[prefix.length]!.levels.length; l++) walk([...prefix, l]);
  };
  walk([]);
  const order = rng.shuffled(all);
  const others = classIds.filter((id) => id !== NEGATIVE_CONTROL_ID);
  const chosen: number[][] = [[...BASELINE_CODE]];
  for (let minDist = 4; minDist >= 1 && chosen.length < others.length + 1; minDist--) {
    for (const code of order) {
      if (chosen.length >= others.length + 1) break;
      if (chosen.every((c) => hamming(c, code) >= minDist)) chosen.push(code);
    }
  }
  const out = new Map<number, Phenotype>();
  out.set(NEGATIVE_CONTROL_ID, phenotypeFromCode(BASELINE_CODE));
  others.forEach((id, i) => out.set(id, phenotypeFromCode(chosen[i + 1]!)));
  return out;
}

/** How a cell type looks regardless of treatment. */
export interface CellTypeLook {
  cellRadius: number;
  cellAspect: number;
  /** Extra cell-outline irregularity (0 = smooth). */
  irregularity: number;
  nucleusFactor: number;
  /** Base cell count per 128×128 site. */
  cells: number;
  /** Cells gather in clumps (HEPG2) instead of spreading evenly. */
  clustered: boolean;
  /** Per-channel mean intensity of the foreground (peaks then sit near the rxrx1-utils display ranges). */
  channelMeans: number[];
}

export const CELL_TYPE_LOOKS: Record<CellType, CellTypeLook> = {
  HUVEC: {
    cellRadius: 14,
    cellAspect: 1.6,
    irregularity: 0.08,
    nucleusFactor: 1.0,
    cells: 15,
    clustered: false,
    channelMeans: [3.1, 11, 6.3, 9, 5.6, 12.5],
  },
  RPE: {
    cellRadius: 15.5,
    cellAspect: 1.08,
    irregularity: 0.05,
    nucleusFactor: 1.04,
    cells: 13,
    clustered: false,
    channelMeans: [2.8, 13, 5.4, 10.2, 6.4, 10.6],
  },
  HEPG2: {
    cellRadius: 12.5,
    cellAspect: 1.15,
    irregularity: 0.1,
    nucleusFactor: 0.95,
    cells: 17,
    clustered: true,
    channelMeans: [3.8, 9, 4.5, 7.8, 7.2, 14.4],
  },
  U2OS: {
    cellRadius: 16,
    cellAspect: 1.35,
    irregularity: 0.16,
    nucleusFactor: 1.06,
    cells: 12,
    clustered: false,
    channelMeans: [2.8, 12, 7.2, 8.4, 4.8, 11.5],
  },
};

/** Per-experiment (batch) imaging effects. */
export interface BatchLook {
  cellType: CellType;
  gain: number[];
  background: number[];
  /** Gaussian blur sigma in pixels at 128 px (scaled with the image). */
  blur: number;
  noise: number;
  /** Illumination falloff strength (0 = flat). */
  vignette: number;
}

export function batchLook(cellType: CellType, rng: Rng): BatchLook {
  const clampGain = (g: number): number => Math.min(1.8, Math.max(0.55, g));
  return {
    cellType,
    gain: Array.from({ length: 6 }, () => clampGain(rng.logNormal(0.3))),
    background: Array.from({ length: 6 }, () => rng.range(1, 10)),
    blur: rng.range(0.3, 1.0),
    noise: rng.range(0.8, 3),
    vignette: rng.range(0, 0.35),
  };
}

/** A plate's small deviation from its experiment: gains and a tilted illumination. */
export interface PlateLook {
  gain: number[];
  tiltX: number;
  tiltY: number;
}

export function plateLook(rng: Rng): PlateLook {
  return {
    gain: Array.from({ length: 6 }, () => rng.logNormal(0.1)),
    tiltX: rng.range(-0.15, 0.15),
    tiltY: rng.range(-0.15, 0.15),
  };
}
