// The hard preset's model of what makes RxRx1 hard: per-experiment batch effects (density, stain gain
// and offset per channel, illumination field, focus), subtle class phenotypes (two stains,
// partial penetrance), a per-cell-type shift of every phenotype and confusable siRNA pairs.
import { NEGATIVE_CONTROL_ID } from '../plate';
import {
  BASELINE_CODE,
  phenotypeFromCode,
  type BatchLook,
  type CellTypeLook,
  type Phenotype,
  type PlateLook,
} from './phenotype';
import type { DatasetPlan } from './plan';
import type { CellType } from './presets';
import { Rng, hashString } from './prng';
import { drawSiteCanvas, illuminationMap, type HardSiteInput } from './render-site';

/** Every knob of the hard preset; each draw is seeded from the dataset seed and a name. */
export const HARD_EFFECTS = {
  /** Per-experiment cell-density factor: log-normal sigma, clamped to densityClamp. */
  densitySigma: 0.25,
  densityClamp: [0.65, 1.5] as const,
  /** Per-experiment, per-channel multiplicative stain gain: log-normal sigma, clamped. */
  gainSigma: 0.35,
  gainClamp: [0.5, 2.0] as const,
  /** Per-experiment, per-channel additive background in 8-bit grey levels (uniform range). */
  offsetRange: [2, 20] as const,
  /** Illumination: radial vignette strength (uniform range; 0 = flat)… */
  vignetteRange: [0, 0.5] as const,
  /** …times 1 + a smooth random field: 3 cosine waves of 0.3–1.2 cycles per image, this amplitude. */
  fieldAmplitude: 0.12,
  /** Focus: Gaussian blur sigma in pixels at 128 px (uniform range, scaled with the image). */
  blurRange: [0.4, 1.4] as const,
  /**
   * Camera noise sd in grey levels (uniform range). Kept low: pixel noise added after the stain
   * scale turns the shape features' texture ratios (ER, chromatin: |I − local mean| / I) into
   * readouts of a stain's intensity (noise / intensity), which let the shape baseline see the
   * class's intensity change on top of its pattern (51% at 1–3.5, 33–39% at 0.5–1.5).
   */
  noiseRange: [0.5, 1.5] as const,
  /** Per-image intensity jitter: log-normal sigma (every channel, every site). */
  siteJitterSigma: 0.08,
  /** Size of a class's stain-intensity change (fraction: +50% or −50% in one channel). */
  stainShift: 0.5,
  /** Fraction of cells in a well that show the class phenotype (uniform range per class). */
  penetranceRange: [0.9, 1.0] as const,
  /**
   * Stain patterns a class's primary change is drawn from (FACTORS indices): actin fibres, mito
   * placement (2 levels), dispersed Golgi, speckled chromatin. Reticular ER and many small
   * nucleoli are left out: too fine for the CPU recipe's 96-px images (44% and 56% of their
   * held-out wells right, against 75–96% for these, in a 2026-11-30 run).
   */
  primaryPatternFactors: [5, 4, 6, 8] as readonly number[],
  /** Per-cell-type shift of every phenotype: log-normal sigma of its strength per cell type… */
  cellTypeStrengthSigma: 0.2,
  /** …and an extra per-channel stain change (normal sd, fraction) per class and cell type. */
  cellTypeStainSd: 0.03,
  /** Baseline sites drawn per cell type to calibrate the fixed intensity scale. */
  calibrationSites: 6,
} as const;

export type HardEffects = typeof HARD_EFFECTS;

/** One change of a class from the negative control: a stain pattern or a stain intensity. */
export type HardChange =
  | { kind: 'pattern'; factor: number; level: number; channel: number }
  | { kind: 'stain'; channel: number; sign: 1 | -1 };

/** Pattern factors (index into FACTORS) that live in one stain, with the 0-based channel. */
const PATTERN_FACTORS: { factor: number; channel: number }[] = [
  { factor: 8, channel: 0 }, // chromatin texture, w1
  { factor: 7, channel: 1 }, // ER reticular, w2
  { factor: 5, channel: 2 }, // actin stress fibres, w3
  { factor: 3, channel: 3 }, // nucleoli many-small, w4
  { factor: 4, channel: 4 }, // mitochondria placement, w5
  { factor: 6, channel: 5 }, // Golgi dispersed, w6
];

/** The 19 single changes: 7 stain patterns (mito has 2) and 12 intensity shifts (6 channels × ±). */
export function hardChangeOptions(): HardChange[] {
  const out: HardChange[] = [];
  for (const { factor, channel } of PATTERN_FACTORS) {
    const levels = factor === 4 ? 3 : 2;
    for (let level = 0; level < levels; level++)
      if (level !== BASELINE_CODE[factor]) out.push({ kind: 'pattern', factor, level, channel });
  }
  for (let channel = 0; channel < 6; channel++)
    for (const sign of [1, -1] as const) out.push({ kind: 'stain', channel, sign });
  return out;
}

export interface HardClass {
  /** Its changes from the negative control: [primary (shared with its pair), secondary]. */
  changes: HardChange[];
  /** The class it is confusable with (shares the primary change), or null. */
  pair: number | null;
  /** Phenotype code (only stain-pattern factors differ from BASELINE_CODE). */
  code: number[];
  /** Per-channel intensity multiplier before the cell-type shift. */
  stain: number[];
}

function classFromChanges(changes: HardChange[], pair: number | null): HardClass {
  const code = [...BASELINE_CODE];
  const stain = new Array<number>(6).fill(1);
  for (const ch of changes) {
    if (ch.kind === 'pattern') code[ch.factor] = ch.level;
    else stain[ch.channel] = 1 + ch.sign * HARD_EFFECTS.stainShift;
  }
  return { changes, pair, code, stain };
}

/**
 * Gives every class of the plan its subtle phenotype. Treatment siRNAs are paired across plate
 * groups (the i-th of group 0 with the i-th of group 1, group 2 with group 3), positive controls
 * with each other. A pair shares its primary change, a stain pattern, and each member adds its own
 * secondary change, a stain intensity in another channel: both members differ from the control in
 * two stains and from each other in one. Pairs that draw the same pattern get different
 * intensity changes, so no two classes are alike. With patterns as the primaries, a classifier on
 * per-channel means sees only the secondary (12 options for all classes) and one on shape
 * features mostly the primary (5 options): neither can tell every class apart.
 * The negative control keeps the baseline. Same plan and seed → same classes.
 */
export function assignHardClasses(plan: DatasetPlan, seed: number): Map<number, HardClass> {
  const rng = new Rng(seed, hashString('hard:classes'));
  const pairs: number[][] = [];
  const [g0, g1, g2, g3] = plan.groups as [number[], number[], number[], number[]];
  for (let i = 0; i < g0.length; i++) pairs.push([g0[i]!, g1[i]!], [g2[i]!, g3[i]!]);
  for (let i = 0; i < plan.positiveControls.length; i += 2)
    pairs.push(plan.positiveControls.slice(i, i + 2));
  const options = hardChangeOptions();
  const patterns = rng.shuffled(
    options.filter(
      (o) => o.kind === 'pattern' && HARD_EFFECTS.primaryPatternFactors.includes(o.factor),
    ),
  );
  // Per pattern, the intensity changes not yet used with it (drawn without replacement).
  const unused = new Map<HardChange, HardChange[]>(
    patterns.map((p) => [
      p,
      rng.shuffled(options.filter((o) => o.kind === 'stain' && o.channel !== p.channel)),
    ]),
  );
  const out = new Map<number, HardClass>();
  out.set(NEGATIVE_CONTROL_ID, classFromChanges([], null));
  pairs.forEach((members, j) => {
    const primary = patterns[j % patterns.length]!;
    const left = unused.get(primary)!;
    members.forEach((id, m) => {
      const other = members.length === 2 ? members[1 - m]! : null;
      // 10 intensity options per pattern; past that (over 25 pairs) they repeat.
      const secondary =
        left.length > 0
          ? left.pop()!
          : rng.pick(options.filter((o) => o.kind === 'stain' && o.channel !== primary.channel));
      out.set(id, classFromChanges([primary, secondary], other));
    });
  });
  return out;
}

/** A class as drawn in one cell type: phenotype, penetrance and stain multipliers after the shift. */
export interface HardClassLook {
  phenotype: Phenotype;
  penetrance: number;
  stain: number[];
}

/**
 * The per-cell-type shift: the class's strength is scaled by a log-normal factor (σ =
 * cellTypeStrengthSigma) that moves both penetrance and the size of its stain changes, and every
 * channel gets an extra normal shift (sd cellTypeStainSd). The negative control is not shifted.
 */
export function hardClassLook(
  id: number,
  cls: HardClass,
  cellType: CellType,
  seed: number,
): HardClassLook {
  const phenotype = phenotypeFromCode(cls.code);
  if (id === NEGATIVE_CONTROL_ID) return { phenotype, penetrance: 0, stain: [...cls.stain] };
  const rng = new Rng(seed, hashString(`hard:class:${id}:${cellType}`));
  const strength = rng.logNormal(HARD_EFFECTS.cellTypeStrengthSigma);
  const [lo, hi] = HARD_EFFECTS.penetranceRange;
  const penetrance = Math.min(1, Math.max(0.15, rng.range(lo, hi) * strength));
  const stain = cls.stain.map((s) =>
    Math.max(0.5, 1 + (s - 1) * strength + rng.normal() * HARD_EFFECTS.cellTypeStainSd),
  );
  return { phenotype, penetrance, stain };
}

/** One experiment's batch signature under the hard preset (recorded in the dataset marker). */
export interface HardBatch {
  look: BatchLook;
  /** Multiplies the cell type's cell count. */
  density: number;
  /** Smooth illumination field waves: cycles per image in x and y, phase. */
  field: { fx: number; fy: number; phase: number }[];
}

const clamp = (v: number, [lo, hi]: readonly [number, number]): number =>
  Math.min(hi, Math.max(lo, v));

/** Draws an experiment's hard batch effects from HARD_EFFECTS (seeded by the caller's rng). */
export function hardBatch(cellType: CellType, rng: Rng): HardBatch {
  const e = HARD_EFFECTS;
  const look: BatchLook = {
    cellType,
    gain: Array.from({ length: 6 }, () => clamp(rng.logNormal(e.gainSigma), e.gainClamp)),
    background: Array.from({ length: 6 }, () => rng.range(...e.offsetRange)),
    blur: rng.range(...e.blurRange),
    noise: rng.range(...e.noiseRange),
    vignette: rng.range(...e.vignetteRange),
  };
  const density = clamp(rng.logNormal(e.densitySigma), e.densityClamp);
  const field = Array.from({ length: 3 }, () => ({
    fx: rng.range(-1.2, 1.2),
    fy: rng.range(-1.2, 1.2),
    phase: rng.range(0, 2 * Math.PI),
  }));
  return { look, density, field };
}

/** The plate's illumination map (vignette and tilt) times the experiment's smooth random field. */
export function hardIlluminationMap(
  size: number,
  batch: HardBatch,
  plate: PlateLook,
): Float32Array {
  const out = illuminationMap(size, batch.look, plate);
  const amp = HARD_EFFECTS.fieldAmplitude / Math.sqrt(batch.field.length);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let f = 0;
      for (const w of batch.field)
        f += Math.cos((2 * Math.PI * (w.fx * x + w.fy * y)) / size + w.phase);
      out[y * size + x]! *= 1 + amp * f;
    }
  return out;
}

/**
 * Grey levels per canvas unit for each channel of a cell type, so that a negative-control site at
 * gain 1 and density 1 has the cell type's channelMeans: channelMeans / mean canvas of
 * `calibrationSites` baseline sites. Deterministic for (size, cell type, seed).
 */
export function calibrateScale(
  size: number,
  cellType: CellType,
  look: CellTypeLook,
  seed: number,
): number[] {
  const baseline = phenotypeFromCode(BASELINE_CODE);
  const sums = new Array<number>(6).fill(0);
  const n = HARD_EFFECTS.calibrationSites;
  for (let s = 0; s < n; s++) {
    const canvas = drawSiteCanvas({
      size,
      phenotype: baseline,
      look,
      rng: new Rng(seed, hashString(`hard:calibrate:${cellType}:${s}`)),
    });
    canvas.forEach((c, ch) => {
      let t = 0;
      for (let i = 0; i < c.length; i++) t += c[i]!;
      sums[ch]! += t / c.length / n;
    });
  }
  return look.channelMeans.map((m, c) => (sums[c]! > 1e-9 ? m / sums[c]! : 0));
}

/** The hard part of renderSite's input for one well. */
export function hardSiteInput(classLook: HardClassLook, scale: number[]): HardSiteInput {
  return {
    baseline: phenotypeFromCode(BASELINE_CODE),
    penetrance: classLook.penetrance,
    stain: classLook.stain,
    scale,
    jitter: HARD_EFFECTS.siteJitterSigma,
  };
}
