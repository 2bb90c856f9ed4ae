// Draws one site (6 channels) of synthetic cells into Uint8Arrays: nuclei (w1), ER (w2), actin (w3),
// nucleoli/RNA (w4), mitochondria (w5), Golgi + membrane (w6). The class phenotype decides shape and
// texture; the batch/plate looks add gain, background, blur, noise and illumination; each channel
// is then scaled to a random target mean so mean intensity carries no class information (tiny,
// demo, full), or, for the hard preset, by a fixed per-experiment scale so batch effects stay in.
import type { BatchLook, CellTypeLook, Phenotype, PlateLook } from './phenotype';
import type { Rng } from './prng';
import { addEllipticSpot, addSpot, gaussianBlur, valueNoise } from './raster';

export const NOISE_TABLE_SIZE = 65536;

export interface SiteInput {
  size: number;
  phenotype: Phenotype;
  look: CellTypeLook;
  batch: BatchLook;
  plate: PlateLook;
  /** Illumination map of the plate (size×size), from illuminationMap(). */
  illumination: Float32Array;
  /** Shared table of standard normal values (NOISE_TABLE_SIZE) for pixel noise. */
  noiseTable: Float32Array;
  rng: Rng;
  /** Hard preset only: partial penetrance, stain-intensity changes and a fixed intensity scale. */
  hard?: HardSiteInput;
}

/** The part of SiteInput that decides where cells are and what they look like (before imaging). */
export type CanvasInput = Pick<SiteInput, 'size' | 'phenotype' | 'look' | 'rng' | 'hard'>;

/** What the hard preset changes in renderSite (see hard-effects.ts for where each number comes from). */
export interface HardSiteInput {
  /** Phenotype of the cells that do not show the class phenotype (the negative control's). */
  baseline: Phenotype;
  /** Probability that a cell shows the class phenotype (0..1). */
  penetrance: number;
  /** Per-channel multiplier of the class on stain intensity (1 = unchanged). */
  stain: number[];
  /** Per-channel grey levels per canvas unit at experiment gain 1 (cellTypeMean / baseline canvas mean). */
  scale: number[];
  /** Log-normal sigma of the per-image intensity jitter. */
  jitter: number;
}

interface Cell {
  x: number;
  y: number;
  /** Cell frame: angle and semi-axes. */
  ca: number;
  sa: number;
  A: number;
  B: number;
  h2c: number;
  h2s: number;
  h3c: number;
  h3s: number;
  /** Nucleus centre, frame and semi-axes. */
  nx: number;
  ny: number;
  nc: number;
  ns: number;
  na: number;
  nb: number;
  lobes: number;
  lobeAmp: number;
  bright: number;
  fibreAngle: number;
  fibrePhase: number;
  /** The phenotype this cell shows (the site's, or the baseline for hard-preset non-responders). */
  ph: Phenotype;
}

export function makeNoiseTable(rng: Rng): Float32Array {
  const t = new Float32Array(NOISE_TABLE_SIZE);
  for (let i = 0; i < t.length; i++) t[i] = rng.normal();
  return t;
}

/** Vignetting plus a linear tilt, mean about 1; multiplies signal and background. */
export function illuminationMap(size: number, batch: BatchLook, plate: PlateLook): Float32Array {
  const out = new Float32Array(size * size);
  const h = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = (x + 0.5 - h) / h;
      const dy = (y + 0.5 - h) / h;
      out[y * size + x] =
        (1 - batch.vignette * 0.5 * (dx * dx + dy * dy)) *
        (1 + plate.tiltX * dx + plate.tiltY * dy);
    }
  }
  return out;
}

/** Distance from an elliptic nucleus centre to its boundary along world direction t. */
function nucleusRadiusAt(cell: Cell, t: number): number {
  const rel = t - Math.atan2(cell.ns, cell.nc);
  const c = Math.cos(rel);
  const s = Math.sin(rel);
  return (cell.na * cell.nb) / Math.sqrt((cell.nb * c) ** 2 + (cell.na * s) ** 2);
}

function makeCells(input: CanvasInput): Cell[] {
  const { size, phenotype: ph, look, rng } = input;
  const u = size / 128;
  const count = Math.max(1, rng.poisson(look.cells * ph.density));
  const clusters = look.clustered
    ? Array.from({ length: rng.int(2, 4) }, () => [
        rng.range(0.15, 0.85) * size,
        rng.range(0.15, 0.85) * size,
      ])
    : [];
  const cells: Cell[] = [];
  for (let i = 0; i < count; i++) {
    const rn = 6.4 * u * ph.nucleusScale * look.nucleusFactor * rng.logNormal(0.07);
    let aspect = 1.08 * rng.logNormal(0.05);
    let lobes = 0;
    let lobeAmp = 0;
    if (ph.nucleusShape === 'elongated') aspect = 2.1 * rng.logNormal(0.08);
    if (ph.nucleusShape === 'lobed') {
      lobes = rng.int(3, 4);
      lobeAmp = rng.range(0.28, 0.36);
    }
    const na = rn * Math.sqrt(aspect);
    const nb = rn / Math.sqrt(aspect);
    const cellAspect = look.cellAspect * rng.logNormal(0.1);
    let cr = look.cellRadius * u * rng.logNormal(0.1);
    let A = cr * Math.sqrt(cellAspect);
    let B = cr / Math.sqrt(cellAspect);
    // The nucleus must sit well inside its cell.
    const grow = Math.max(1, (na * 1.45) / A, (nb * 1.6) / B);
    A *= grow;
    B *= grow;
    cr *= grow;

    let placed: [number, number] | null = null;
    for (let tries = 0; tries < 30 && !placed; tries++) {
      let x: number;
      let y: number;
      if (clusters.length > 0) {
        const c = rng.pick(clusters);
        x = c[0]! + rng.normal() * 22 * u;
        y = c[1]! + rng.normal() * 22 * u;
      } else {
        x = rng.range(-0.04, 1.04) * size;
        y = rng.range(-0.04, 1.04) * size;
      }
      const ok = cells.every((o) => {
        const d = Math.hypot(o.x - x, o.y - y);
        return (
          d > 1.1 * (Math.max(o.na, o.nb) + na) && d > 0.55 * (Math.min(o.A, o.B) + Math.min(A, B))
        );
      });
      if (ok) placed = [x, y];
    }
    if (!placed) continue;
    const angle = rng.range(0, Math.PI);
    const nAngle = angle + rng.normal() * 0.25;
    const off = rng.range(0, 0.12) * Math.min(A, B);
    const offT = rng.range(0, 2 * Math.PI);
    const irr = look.irregularity;
    cells.push({
      x: placed[0],
      y: placed[1],
      ca: Math.cos(angle),
      sa: Math.sin(angle),
      A,
      B,
      h2c: rng.normal() * irr,
      h2s: rng.normal() * irr,
      h3c: rng.normal() * irr * 0.7,
      h3s: rng.normal() * irr * 0.7,
      nx: placed[0] + off * Math.cos(offT),
      ny: placed[1] + off * Math.sin(offT),
      nc: Math.cos(nAngle),
      ns: Math.sin(nAngle),
      na,
      nb,
      lobes,
      lobeAmp,
      bright: rng.logNormal(0.15),
      fibreAngle: rng.normal() * 0.3,
      fibrePhase: rng.range(0, 2 * Math.PI),
      ph: input.hard && rng.next() >= input.hard.penetrance ? input.hard.baseline : ph,
    });
  }
  return cells;
}

function drawCellBodies(input: CanvasInput, cells: Cell[], ch: Float32Array[]): void {
  const { size, rng } = input;
  const u = size / 128;
  const smooth = valueNoise(rng, size, 6 * u);
  const fine = valueNoise(rng, size, Math.max(1, 1.8 * u));
  const mid = valueNoise(rng, size, Math.max(1, 2.6 * u));
  const [w1, w2, w3, w4, w5, w6] = ch as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const fibrePeriod = Math.max(2.5, 4.6 * u);
  for (const cell of cells) {
    const ph = cell.ph;
    const reach = Math.max(cell.A, cell.B) * 1.35 + 2;
    const x0 = Math.max(0, Math.floor(cell.x - reach));
    const x1 = Math.min(size - 1, Math.ceil(cell.x + reach));
    const y0 = Math.max(0, Math.floor(cell.y - reach));
    const y1 = Math.min(size - 1, Math.ceil(cell.y + reach));
    const fc = Math.cos(cell.fibreAngle);
    const fs = Math.sin(cell.fibreAngle);
    const fk = (2 * Math.PI) / fibrePeriod;
    for (let py = y0; py <= y1; py++) {
      for (let px = x0; px <= x1; px++) {
        const dx = px + 0.5 - cell.x;
        const dy = py + 0.5 - cell.y;
        const cu = dx * cell.ca + dy * cell.sa;
        const cv = -dx * cell.sa + dy * cell.ca;
        const ru = cu / cell.A;
        const rv = cv / cell.B;
        const rr = Math.sqrt(ru * ru + rv * rv);
        if (rr > 1.4) continue;
        let mod = 1;
        if (rr > 1e-6) {
          const c = ru / rr;
          const s = rv / rr;
          const c2 = c * c - s * s;
          const s2 = 2 * c * s;
          const c3 = c * c2 - s * s2;
          const s3 = s * c2 + c * s2;
          mod = 1 + cell.h2c * c2 + cell.h2s * s2 + cell.h3c * c3 + cell.h3s * s3;
        }
        const rho = rr / mod;
        if (rho > 1.08) continue;
        const mc = Math.min(1, Math.max(0, (1.04 - rho) / 0.1));

        const ndx = px + 0.5 - cell.nx;
        const ndy = py + 0.5 - cell.ny;
        const nu = (ndx * cell.nc + ndy * cell.ns) / cell.na;
        const nv = (-ndx * cell.ns + ndy * cell.nc) / cell.nb;
        let rn = Math.sqrt(nu * nu + nv * nv);
        if (cell.lobes > 0 && rn > 1e-6) {
          // cos(kθ) by repeated complex multiplication: no atan2 in the inner loop.
          const c = nu / rn;
          const s = nv / rn;
          let re = c;
          let im = s;
          for (let k = 1; k < cell.lobes; k++) {
            const t = re * c - im * s;
            im = re * s + im * c;
            re = t;
          }
          rn /= 1 + cell.lobeAmp * re;
        }
        const mn = Math.min(1, Math.max(0, (1.05 - rn) / 0.16));
        const i = py * size + px;
        const b = cell.bright;
        const cyt = mc * (1 - mn);

        if (mn > 0) {
          const tex = ph.chromatinSpeckled
            ? 0.2 + 1.9 * fine[i]! * fine[i]!
            : 0.85 + 0.3 * smooth[i]!;
          w1[i]! += mn * b * tex;
          w4[i]! += mn * b * 0.3;
        }
        if (mc > 0) {
          const profile = 1.25 - 0.8 * rho;
          if (ph.erReticular) {
            const ridge = 1 - Math.abs(2 * mid[i]! - 1);
            w2[i]! += cyt * profile * (0.12 + 1.7 * ridge * ridge * ridge);
          } else {
            w2[i]! += cyt * profile * (0.8 + 0.35 * smooth[i]!);
          }
          const dr = (rho - 0.9) / 0.07;
          const ring = Math.exp(-dr * dr);
          if (ph.actinFibres) {
            const across = -cu * fs + cv * fc;
            const wave = Math.max(0, Math.cos(across * fk + cell.fibrePhase));
            const w2v = wave * wave;
            w3[i]! += mc * b * (0.1 + 0.2 * ring + 1.1 * w2v * w2v * w2v);
          } else {
            w3[i]! += mc * b * (0.12 + 1.0 * ring);
          }
          w4[i]! += cyt * 0.1;
          w5[i]! += cyt * 0.12;
          const dm = (rho - 0.97) / 0.05;
          w6[i]! += mc * 0.1 + 0.5 * Math.exp(-dm * dm);
        }
      }
    }
  }
}

/** A random point of the cell's cytoplasm (outside the nucleus), as a fraction range of its radius. */
function cytoplasmPoint(cell: Cell, rng: Rng, lo: number, hi: number): [number, number] {
  for (let tries = 0; tries < 12; tries++) {
    const t = rng.range(0, 2 * Math.PI);
    const r = Math.sqrt(rng.range(lo * lo, hi * hi));
    const cu = r * cell.A * Math.cos(t);
    const cv = r * cell.B * Math.sin(t);
    const x = cell.x + cu * cell.ca - cv * cell.sa;
    const y = cell.y + cu * cell.sa + cv * cell.ca;
    const ndx = x - cell.nx;
    const ndy = y - cell.ny;
    const nu = (ndx * cell.nc + ndy * cell.ns) / cell.na;
    const nv = (-ndx * cell.ns + ndy * cell.nc) / cell.nb;
    if (nu * nu + nv * nv > 1.2) return [x, y];
  }
  return [cell.x + cell.A * 0.8 * cell.ca, cell.y + cell.A * 0.8 * cell.sa];
}

function drawOrganelles(input: CanvasInput, cells: Cell[], ch: Float32Array[]): void {
  const { size, rng } = input;
  const u = size / 128;
  const [, , , w4, w5, w6] = ch as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  for (const cell of cells) {
    const ph = cell.ph;
    // Nucleoli (w4) inside the nucleus.
    const nNucleoli = ph.nucleoliMany ? rng.int(5, 7) : 1;
    for (let k = 0; k < nNucleoli; k++) {
      const t = rng.range(0, 2 * Math.PI);
      const r = ph.nucleoliMany ? rng.range(0.3, 0.7) : rng.range(0, 0.2);
      const nu = r * cell.na * Math.cos(t);
      const nv = r * cell.nb * Math.sin(t);
      const x = cell.nx + nu * cell.nc - nv * cell.ns;
      const y = cell.ny + nu * cell.ns + nv * cell.nc;
      if (ph.nucleoliMany) addSpot(w4, size, x, y, 0.75 * u, 1.0 * cell.bright);
      else addSpot(w4, size, x, y, 2.1 * u, 1.1 * cell.bright);
    }
    // Mitochondria (w5): short elongated spots, placement set by the phenotype.
    const nMito = rng.poisson(18 * ((cell.A * cell.B) / (15 * 15 * u * u)));
    for (let k = 0; k < nMito; k++) {
      let x: number;
      let y: number;
      if (ph.mito === 'perinuclear') {
        const t = rng.range(0, 2 * Math.PI);
        const d = nucleusRadiusAt(cell, t) * rng.range(1.08, 1.4) + 0.8 * u;
        x = cell.nx + d * Math.cos(t);
        y = cell.ny + d * Math.sin(t);
      } else if (ph.mito === 'peripheral') {
        [x, y] = cytoplasmPoint(cell, rng, 0.78, 0.95);
      } else {
        [x, y] = cytoplasmPoint(cell, rng, 0.05, 0.93);
      }
      addEllipticSpot(
        w5,
        size,
        x,
        y,
        1.5 * u,
        0.75 * u,
        rng.range(0, Math.PI),
        0.9 * rng.logNormal(0.2),
      );
    }
    // Golgi (w6): one compact cap beside the nucleus, or puncta spread through the cytoplasm.
    if (ph.golgiDispersed) {
      const n = rng.int(10, 14);
      for (let k = 0; k < n; k++) {
        const [x, y] = cytoplasmPoint(cell, rng, 0.45, 0.9);
        addSpot(w6, size, x, y, 0.9 * u, 0.9);
      }
    } else {
      const t = rng.range(0, 2 * Math.PI);
      const d = nucleusRadiusAt(cell, t) + 1.8 * u;
      const x = cell.nx + d * Math.cos(t);
      const y = cell.ny + d * Math.sin(t);
      addEllipticSpot(w6, size, x, y, 3.4 * u, 1.5 * u, t + Math.PI / 2, 1.3);
    }
  }
}

/** Draws the cells of one site into 6 float canvases (before blur, scaling, background and noise). */
export function drawSiteCanvas(input: CanvasInput): Float32Array[] {
  const ch = Array.from({ length: 6 }, () => new Float32Array(input.size * input.size));
  const cells = makeCells(input);
  drawCellBodies(input, cells, ch);
  drawOrganelles(input, cells, ch);
  return ch;
}

/** Renders the 6 channels of one site as 8-bit images (row-major, size×size each). */
export function renderSite(input: SiteInput): Uint8Array[] {
  const { size, batch, plate, look, rng, noiseTable, illumination, hard } = input;
  const n = size * size;
  const ch = drawSiteCanvas(input);

  const tmp = new Float32Array(n);
  const u = size / 128;
  const out: Uint8Array[] = [];
  for (let c = 0; c < 6; c++) {
    const canvas = ch[c]!;
    gaussianBlur(canvas, size, batch.blur * u * rng.range(0.9, 1.1), tmp);
    let sum = 0;
    let peak = 0;
    for (let i = 0; i < n; i++) {
      sum += canvas[i]!;
      if (canvas[i]! > peak) peak = canvas[i]!;
    }
    const mean = sum / n;
    const bg = batch.background[c]!;
    let scale: number;
    if (hard) {
      // Fixed scale: density, experiment gain, plate gain, the class's stain change and a small
      // per-image jitter all stay in the pixels (bright pixels may clip, as in real images).
      scale =
        hard.scale[c]! *
        batch.gain[c]! *
        plate.gain[c]! *
        hard.stain[c]! *
        rng.logNormal(hard.jitter);
    } else {
      // Per-image target mean: cell type × experiment gain × plate gain × site jitter, never the class.
      const target = look.channelMeans[c]! * batch.gain[c]! * plate.gain[c]! * rng.logNormal(0.12);
      // Brightest pixel stays below saturation (sparse fields would otherwise clip and lose texture).
      scale = mean > 1e-9 ? Math.min(target / mean, (240 - bg) / Math.max(peak, 1e-9)) : 0;
    }
    const noiseSd = batch.noise;
    let idx = rng.int(0, NOISE_TABLE_SIZE - 1);
    const step = 2 * rng.int(1000, 30000) + 1;
    const img = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const signal = canvas[i]! * scale;
      idx = (idx + step) & (NOISE_TABLE_SIZE - 1);
      const v =
        (signal + bg) * illumination[i]! +
        noiseTable[idx]! * noiseSd * (1 + 0.05 * Math.sqrt(signal));
      img[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
    out.push(img);
  }
  return out;
}
