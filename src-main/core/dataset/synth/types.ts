// Public option and result types of the synthetic RxRx1 generator (re-exported from index.ts).
import type { WellType } from '../metadata/types';

export type SynthPreset = 'tiny' | 'demo' | 'hard' | 'full' | 'full-layout';

export interface SynthOptions {
  preset: SynthPreset;
  /** Folder to write; created if missing. Must be empty or hold an earlier synthetic dataset. */
  outDir: string;
  /** Seed of every random draw (default 1). Same seed, same preset, same options → same bytes. */
  seed?: number;
  /** full-layout only: folder with the real train.csv, test.csv, train_controls.csv, test_controls.csv. */
  realMetadataDir?: string;
  /** Image side in pixels (defaults: tiny 64, demo 128, hard 128, full 64, full-layout 8). */
  imageSize?: number;
  /** tiny/demo/hard/full: use only the first N train / test experiments of the preset (smaller sets for tests). */
  experiments?: { train?: number; test?: number };
  /**
   * tiny/demo/full: plates (1..4) of every experiment to fill with all 308 wells instead of the
   * preset's `fillPlates` (demo [1], others []); [] gives the demo's 13-well plates everywhere.
   * The hard preset refuses any (its classes are defined for 13-well plates).
   */
  fillPlates?: number[];
  /** full-layout: keep only the wells of the first N plates of each split (a slice for tests). */
  limitPlates?: number;
  onProgress?: (done: number, total: number, message: string) => void;
  signal?: AbortSignal;
}

export interface SynthSummary {
  preset: SynthPreset;
  outDir: string;
  experiments: number;
  plates: number;
  wells: number;
  sites: number;
  images: number;
  /** Distinct labels in the metadata (treatment siRNAs + positive controls + negative control). */
  classes: number;
  seconds: number;
}

export type { WellType };
export type SplitName = 'train' | 'test';

/** One well as the generator plans it; also the row source of the metadata CSVs. */
export interface PlannedWell {
  split: SplitName;
  experiment: string;
  cellType: string;
  plate: number;
  well: string;
  sirna: number;
  wellType: WellType;
}
