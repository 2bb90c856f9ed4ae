// Renders a plate heatmap PNG (export.platePng): one cell per well of the 16×24 plate, coloured by a
// per-well metric — continuous metrics through viridis/magma, labels through a categorical palette;
// wells without a value are dark grey and positions without a well stay black.
import sharp from 'sharp';
import { CATEGORICAL, continuousColor, type Rgb } from '../../../src-shared/colormaps';
import { PLATE_COLS as COLS, PLATE_ROWS as ROWS } from '../dataset/plate';

export type { Rgb };

export type HeatValue =
  | { kind: 'number'; value: number }
  | { kind: 'label'; value: string }
  | { kind: 'color'; value: Rgb }
  | null;

const MISSING: Rgb = [60, 60, 60];

/** Stable colour of a label: labels sorted, then assigned palette entries in order. */
function labelColors(labels: string[]): Map<string, Rgb> {
  const sorted = [...new Set(labels)].sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
  return new Map(sorted.map((l, i) => [l, CATEGORICAL[i % CATEGORICAL.length]!]));
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
    return continuousColor(continuous, hi > lo ? (v.value - lo) / (hi - lo) : 0.5);
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
