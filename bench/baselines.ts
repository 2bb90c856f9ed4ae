// `npm run bench -- baselines [--preset hard] [--train 8] [--test 4] [--size 128] [--seed 7]`:
// generates a (reduced) synthetic dataset in a temp folder and prints the hardness baselines on
// its held-out test experiments (per-channel-mean and shape-feature nearest centroid,
// test-support/synth-analysis/baselines.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSynthDataset, type SynthPreset } from '../src-main/core/dataset/synth';
import { heldOutBaselines, readWellFeatures } from '../test-support/synth-analysis/baselines';

export interface BenchBaselinesOptions {
  preset?: SynthPreset;
  train?: number;
  test?: number;
  size?: number;
  seed?: number;
}

/** Generate, read back from the PNGs, score; seconds of each step are reported with the scores. */
export async function benchBaselines(opts: BenchBaselinesOptions = {}) {
  const preset = opts.preset ?? 'hard';
  if (preset === 'full-layout')
    throw new Error('baselines need a rendered preset, not full-layout');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-baselines-'));
  try {
    const summary = await generateSynthDataset({
      preset,
      outDir: dir,
      seed: opts.seed ?? 7,
      imageSize: opts.size,
      experiments: { train: opts.train ?? 8, test: opts.test ?? 4 },
      // The classes on every plate only: the demo's plate-1-only siRNAs (1 well per experiment
      // that shows them) would score as unlearnable noise, not as the preset's hardness.
      fillPlates: [],
    });
    const t = performance.now();
    const wells = await readWellFeatures(dir);
    const readSeconds = (performance.now() - t) / 1000;
    return {
      preset,
      seed: opts.seed ?? 7,
      imageSize: opts.size ?? null,
      experiments: summary.experiments,
      generateSeconds: summary.seconds,
      readSeconds,
      ...heldOutBaselines(wells),
      date: new Date().toISOString(),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
