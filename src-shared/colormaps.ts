// Colormaps for plate heatmaps: viridis and magma (piecewise-linear through published anchor
// colours) and a categorical palette for labels; plus CSS helpers. Shared so the UI heatmap and
// the exported heatmap PNG colour wells identically.
export type ColormapName = 'viridis' | 'magma' | 'categorical';
export type Rgb = [number, number, number];

const VIRIDIS: Rgb[] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];
const MAGMA: Rgb[] = [
  [0, 0, 4],
  [28, 16, 68],
  [79, 18, 123],
  [129, 37, 129],
  [181, 54, 122],
  [229, 80, 100],
  [251, 135, 97],
  [254, 194, 135],
  [252, 253, 191],
];
export const CATEGORICAL: Rgb[] = [
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
  [57, 59, 121],
  [173, 73, 74],
];

function ramp(stops: Rgb[], t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as Rgb;
}

/** Colour of a continuous value t in [0, 1]. Categorical bins it into the palette. */
export function continuousColor(map: ColormapName, t: number): Rgb {
  if (map === 'magma') return ramp(MAGMA, t);
  if (map === 'categorical') {
    const bins = 10;
    const i = Math.min(bins - 1, Math.max(0, Math.floor(t * bins)));
    return CATEGORICAL[i];
  }
  return ramp(VIRIDIS, t);
}

/** How many categories get a colour of their own before the colours repeat. */
export const DISTINCT_CATEGORIES = 48;

/** HSL (h in degrees, s and l in [0, 1]) to RGB (CSS Color 4's hslToRgb). */
function hsl(h: number, s: number, l: number): Rgb {
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return [f(0), f(8), f(4)].map((v) => Math.round(v * 255)) as Rgb;
}

/**
 * The categorical colours: the 12 palette entries, then 36 more picked by farthest-point sampling
 * (each the HSL candidate farthest, in RGB distance, from every colour already taken), so every
 * colour stays distinguishable from the others. Deterministic: computed once at load.
 */
const DISTINCT: Rgb[] = (() => {
  const out: Rgb[] = [...CATEGORICAL];
  const candidates: Rgb[] = [];
  for (let h = 0; h < 360; h += 10)
    for (const l of [0.3, 0.45, 0.6, 0.75])
      for (const sat of [0.5, 0.85]) candidates.push(hsl(h, sat, l));
  const dist = (a: Rgb, b: Rgb) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  const nearest = candidates.map((c) => Math.min(...out.map((o) => dist(c, o))));
  while (out.length < DISTINCT_CATEGORIES) {
    let best = 0;
    for (let i = 1; i < candidates.length; i++) if (nearest[i] > nearest[best]) best = i;
    const pick = candidates[best];
    out.push(pick);
    candidates.forEach((c, i) => (nearest[i] = Math.min(nearest[i], dist(c, pick))));
  }
  return out;
})();

/**
 * Colour of category i of n: for categorical, the DISTINCT_CATEGORIES colours (the 12-colour
 * palette first), repeating after that; an evenly spaced ramp otherwise.
 */
export function categoryColor(map: ColormapName, i: number, n: number): Rgb {
  if (map === 'categorical') return DISTINCT[i % DISTINCT_CATEGORIES];
  return continuousColor(map, n <= 1 ? 0.5 : i / (n - 1));
}

export function css([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

export function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

export function parseHex(value: string): Rgb | null {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(value.trim());
  if (!m) return null;
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

/** Black or white text, whichever reads better on the given background. */
export function textOn([r, g, b]: Rgb): string {
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#111' : '#fff';
}
