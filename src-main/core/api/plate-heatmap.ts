// Renders a plate heatmap PNG (export.platePng): one cell per well of the 16×24 plate, coloured by a
// per-well metric — continuous metrics through viridis/magma, labels through a categorical palette;
// wells without a value are dark grey and positions without a well stay black.
import sharp from 'sharp';
import { PLATE_COLS as COLS, PLATE_ROWS as ROWS } from '../dataset/plate';

export type Rgb = [number, number, number];
export type HeatValue =
  | { kind: 'number'; value: number }
  | { kind: 'label'; value: string }
  | { kind: 'color'; value: Rgb }
  | null;

/** Anchor colours sampled from matplotlib's maps (evenly spaced); interpolated linearly between. */
const MAPS: Record<'viridis' | 'magma', Rgb[]> = {
  viridis: [
    [68, 1, 84],
    [72, 40, 120],
    [62, 74, 137],
    [49, 104, 142],
    [38, 130, 142],
    [31, 158, 137],
    [53, 183, 121],
    [110, 206, 88],
    [181, 222, 43],
    [253, 231, 37],
  ],
  magma: [
    [0, 0, 4],
    [28, 16, 68],
    [79, 18, 123],
    [129, 37, 129],
    [181, 54, 122],
    [229, 80, 100],
    [251, 135, 97],
    [254, 194, 135],
    [252, 253, 191],
  ],
};

/** 20 distinguishable colours (tab20-like) for labels. */
const PALETTE: Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
  [174, 199, 232],
  [255, 187, 120],
  [152, 223, 138],
  [255, 152, 150],
  [197, 176, 213],
  [196, 156, 148],
  [247, 182, 210],
  [199, 199, 199],
  [219, 219, 141],
  [158, 218, 229],
];

const MISSING: Rgb = [60, 60, 60];

export function colormap(name: 'viridis' | 'magma', t: number): Rgb {
  const stops = MAPS[name];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * f)) as Rgb;
}

/** Stable colour of a label: labels sorted, then assigned palette entries in order. */
function labelColors(labels: string[]): Map<string, Rgb> {
  const sorted = [...new Set(labels)].sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
  return new Map(sorted.map((l, i) => [l, PALETTE[i % PALETTE.length]!]));
}

export interface HeatWell {
  row: number;
  col: number;
  value: HeatValue;
}

export async function renderPlateHeatmap(
  wells: HeatWell[],
  colormapName: 'viridis' | 'magma' | 'categorical',
  cell = 24,
  gap = 2,
): Promise<Buffer> {
  const nums = wells.flatMap((w) => (w.value?.kind === 'number' ? [w.value.value] : []));
  const lo = nums.length ? Math.min(...nums) : 0;
  const hi = nums.length ? Math.max(...nums) : 1;
  const labels = labelColors(
    wells.flatMap((w) => (w.value?.kind === 'label' ? [w.value.value] : [])),
  );
  const continuous = colormapName === 'categorical' ? 'viridis' : colormapName;
  const colorOf = (v: HeatValue): Rgb => {
    if (!v) return MISSING;
    if (v.kind === 'color') return v.value;
    if (v.kind === 'label') return labels.get(v.value) ?? MISSING;
    return colormap(continuous, hi > lo ? (v.value - lo) / (hi - lo) : 0.5);
  };
  const width = COLS * (cell + gap) + gap;
  const height = ROWS * (cell + gap) + gap;
  const rgb = new Uint8Array(width * height * 3);
  for (const w of wells) {
    if (w.row < 0 || w.row >= ROWS || w.col < 1 || w.col > COLS) continue;
    const [r, g, b] = colorOf(w.value);
    const x0 = gap + (w.col - 1) * (cell + gap);
    const y0 = gap + w.row * (cell + gap);
    for (let y = y0; y < y0 + cell; y++) {
      for (let x = x0; x < x0 + cell; x++) {
        const o = (y * width + x) * 3;
        rgb[o] = r;
        rgb[o + 1] = g;
        rgb[o + 2] = b;
      }
    }
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
