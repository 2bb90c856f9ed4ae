// Hardness baselines of a generated synthetic dataset on held-out experiments: nearest-centroid
// classifiers (classify.ts) on per-channel mean intensity and on the shape features (features.ts),
// fitted on the train experiments and scored on the test experiments, raw and normalised.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { inputError } from '../../src-main/core/errors';
import { CHANNELS, SITES } from '../../src-main/core/dataset/plate';
import { nearestCentroidAccuracy, standardizeWithinBatches, type Sample } from './classify';
import { siteFeatures } from './features';
import { MARKER_FILE } from '../../src-main/core/dataset/synth/output';

/** One labelled well read back from its PNGs (features averaged over its sites). */
export interface WellFeatures {
  split: 'train' | 'test';
  experiment: string;
  plate: number;
  well: string;
  label: number;
  control: boolean;
  /** Per-channel mean grey level (6 values). */
  means: number[];
  /** features.ts siteFeatures (FEATURE_NAMES order). */
  shape: number[];
}

async function readChannel(file: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(file).extractChannel(0).raw().toBuffer());
}

function readCsv(file: string): Record<string, string>[] {
  if (!fs.existsSync(file)) throw inputError(`${file} is missing`);
  return parse(fs.readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
}

/**
 * Reads every labelled well of a synthetic dataset folder: train treatments and controls from the
 * CSVs, test treatments from the generator's marker (its testTruth), test controls from the CSV.
 * Errors (inputError) when the folder is not a finished synthetic dataset.
 */
export async function readWellFeatures(dir: string): Promise<WellFeatures[]> {
  const markerFile = path.join(dir, MARKER_FILE);
  if (!fs.existsSync(markerFile)) throw inputError(`${dir} holds no ${MARKER_FILE}`);
  const marker = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as {
    status?: string;
    testTruth?: [string, number][];
  };
  if (marker.status !== 'complete' || !marker.testTruth)
    throw inputError(`${markerFile}: not a finished synthetic dataset with test labels`);
  const truth = new Map(marker.testTruth);
  const rows: {
    split: 'train' | 'test';
    r: Record<string, string>;
    label: number;
    control: boolean;
  }[] = [];
  for (const r of readCsv(path.join(dir, 'train.csv')))
    rows.push({ split: 'train', r, label: Number(r.sirna), control: false });
  for (const r of readCsv(path.join(dir, 'train_controls.csv')))
    rows.push({ split: 'train', r, label: Number(r.sirna), control: true });
  for (const r of readCsv(path.join(dir, 'test.csv'))) {
    const label = truth.get(r.id_code!);
    if (label === undefined) throw inputError(`${markerFile}: no test label for ${r.id_code}`);
    rows.push({ split: 'test', r, label, control: false });
  }
  for (const r of readCsv(path.join(dir, 'test_controls.csv')))
    rows.push({ split: 'test', r, label: Number(r.sirna), control: true });

  const out: WellFeatures[] = [];
  for (const { split, r, label, control } of rows) {
    const means = new Array<number>(CHANNELS).fill(0);
    let shape: number[] = [];
    for (let s = 1; s <= SITES; s++) {
      const ch = await Promise.all(
        Array.from({ length: CHANNELS }, (_, c) =>
          readChannel(
            path.join(
              dir,
              split,
              r.experiment!,
              `Plate${r.plate}`,
              `${r.well}_s${s}_w${c + 1}.png`,
            ),
          ),
        ),
      );
      const size = Math.round(Math.sqrt(ch[0]!.length));
      ch.forEach((a, c) => {
        let t = 0;
        for (let i = 0; i < a.length; i++) t += a[i]!;
        means[c]! += t / a.length / SITES;
      });
      const f = siteFeatures(ch, size);
      shape = s === 1 ? f.map((v) => v / SITES) : shape.map((v, j) => v + f[j]! / SITES);
    }
    out.push({
      split,
      experiment: r.experiment!,
      plate: Number(r.plate),
      well: r.well!,
      label,
      control,
      means,
      shape,
    });
  }
  return out;
}

/**
 * Control-anchored normalisation: each feature minus the mean of the control wells (negative and
 * positive) of the same experiment, divided by their sd. Uses no treatment label.
 */
export function normaliseToControls(wells: WellFeatures[], key: 'means' | 'shape'): number[][] {
  const byExp = new Map<string, number[][]>();
  for (const w of wells)
    if (w.control) byExp.set(w.experiment, [...(byExp.get(w.experiment) ?? []), w[key]]);
  return wells.map((w) => {
    const ctl = byExp.get(w.experiment);
    if (!ctl || ctl.length < 2)
      throw new Error(`experiment ${w.experiment} has fewer than 2 control wells to normalise by`);
    return w[key].map((v, j) => {
      const m = ctl.reduce((a, f) => a + f[j]!, 0) / ctl.length;
      const sd = Math.sqrt(ctl.reduce((a, f) => a + (f[j]! - m) ** 2, 0) / ctl.length) || 1;
      return (v - m) / sd;
    });
  });
}

export interface BaselineScores {
  /** Wells fitted on (train experiments) and scored (held-out test experiments). */
  trainWells: number;
  testWells: number;
  classes: number;
  /** Accuracy 0..1 on the held-out experiments, per feature set and normalisation. */
  meanIntensity: { raw: number; perExperiment: number; controls: number };
  shape: { raw: number; perExperiment: number; controls: number };
}

/**
 * Nearest-centroid accuracy on held-out experiments (`split` 'test') for both feature sets and 3
 * normalisations. `treatmentsOnly`: fit and score on treatment wells only (as a CNN trained without
 * controls is scored); the control wells still anchor the control normalisation.
 */
export function heldOutBaselines(
  wells: WellFeatures[],
  opts: { treatmentsOnly?: boolean } = {},
): BaselineScores {
  const counted = (w: WellFeatures) => !(opts.treatmentsOnly && w.control);
  const score = (features: number[][]): number => {
    const tr: Sample[] = [];
    const te: Sample[] = [];
    features.forEach((f, i) => {
      const w = wells[i]!;
      if (counted(w)) (w.split === 'train' ? tr : te).push({ features: f, label: w.label });
    });
    return nearestCentroidAccuracy(tr, te);
  };
  const three = (key: 'means' | 'shape') => ({
    raw: score(wells.map((w) => w[key])),
    perExperiment: score(
      standardizeWithinBatches(wells.map((w) => ({ batch: w.experiment, features: w[key] }))),
    ),
    controls: score(normaliseToControls(wells, key)),
  });
  return {
    trainWells: wells.filter((w) => counted(w) && w.split === 'train').length,
    testWells: wells.filter((w) => counted(w) && w.split === 'test').length,
    classes: new Set(wells.filter(counted).map((w) => w.label)).size,
    meanIntensity: three('means'),
    shape: three('shape'),
  };
}
