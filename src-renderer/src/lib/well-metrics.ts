// Turns a per-well metric (siRNA, well type, prediction, confidence, correctness, intensity) into
// heatmap colours plus the legend that explains them.
import type { PlateWell } from '../../../src-shared/contract';
import {
  categoryColor,
  continuousColor,
  type ColormapName,
  type Rgb,
} from '../../../src-shared/colormaps';

export type MetricName =
  | 'sirna'
  | 'well_type'
  | 'predicted'
  | 'confidence'
  | 'correct'
  | 'intensity';

export const METRIC_LABELS: Record<MetricName, string> = {
  sirna: 'siRNA',
  well_type: 'Well type',
  predicted: 'Predicted class',
  confidence: 'Confidence',
  correct: 'Correct / wrong',
  intensity: 'Mean intensity',
};

export const METRIC_NEEDS_RUN: Record<MetricName, boolean> = {
  sirna: false,
  well_type: false,
  predicted: true,
  confidence: true,
  correct: true,
  intensity: false,
};

export type Legend = (
  | { kind: 'categories'; items: { label: string; color: Rgb }[]; more: number }
  | { kind: 'range'; min: number; max: number; map: ColormapName; label: string }
) & { missing?: number };

export interface Heatmap {
  colors: Map<string, Rgb>;
  values: Map<string, string>;
  legend: Legend;
}

function categorical(
  wells: PlateWell[],
  pick: (w: PlateWell) => string | null,
  map: ColormapName,
  order?: string[],
): Heatmap {
  const values = new Map<string, string>();
  for (const w of wells) {
    const v = pick(w);
    if (v !== null) values.set(w.well, v);
  }
  const cats =
    order ??
    [...new Set(values.values())].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const colors = new Map<string, Rgb>();
  const palette = new Map(cats.map((c, i) => [c, categoryColor(map, i, cats.length)]));
  for (const [well, v] of values) colors.set(well, palette.get(v) ?? [128, 128, 128]);
  const shown = cats.filter((c) => [...values.values()].includes(c));
  const limit = 16;
  return {
    colors,
    values,
    legend: {
      kind: 'categories',
      items: shown
        .slice(0, limit)
        .map((label) => ({ label, color: palette.get(label) ?? [128, 128, 128] })),
      more: Math.max(0, shown.length - limit),
    },
  };
}

function continuous(
  wells: PlateWell[],
  pick: (w: PlateWell) => number | null,
  map: ColormapName,
  label: string,
  fixed?: [number, number],
): Heatmap {
  const raw = new Map<string, number>();
  for (const w of wells) {
    const v = pick(w);
    if (v !== null && Number.isFinite(v)) raw.set(w.well, v);
  }
  const all = [...raw.values()];
  const min = fixed ? fixed[0] : all.length ? Math.min(...all) : 0;
  const max = fixed ? fixed[1] : all.length ? Math.max(...all) : 1;
  const span = max - min || 1;
  const colors = new Map<string, Rgb>();
  const values = new Map<string, string>();
  for (const [well, v] of raw) {
    colors.set(well, continuousColor(map, (v - min) / span));
    values.set(well, v.toFixed(3));
  }
  return { colors, values, legend: { kind: 'range', min, max, map, label } };
}

/** The well types in legend order (their categorical colours follow this order). */
export const WELL_TYPE_ORDER = [
  'treatment',
  'negative_control',
  'positive_control',
  'unknown',
] as const satisfies readonly PlateWell['wellType'][];

/** A well type's colour in the well-type heatmap legend (categorical colormap). */
export function wellTypeColor(type: PlateWell['wellType']): Rgb {
  return categoryColor('categorical', WELL_TYPE_ORDER.indexOf(type), WELL_TYPE_ORDER.length);
}

export function buildHeatmap(
  wells: PlateWell[],
  metric: MetricName,
  map: ColormapName,
  channel: number,
): Heatmap {
  const h = heatmapOf(wells, metric, map, channel);
  // Wells on the plate without a value (no prediction yet, no label) are counted for the legend.
  h.legend.missing = wells.filter((w) => !h.values.has(w.well)).length;
  return h;
}

function heatmapOf(
  wells: PlateWell[],
  metric: MetricName,
  map: ColormapName,
  channel: number,
): Heatmap {
  switch (metric) {
    case 'sirna':
      return categorical(wells, (w) => w.sirna, map);
    case 'well_type':
      return categorical(wells, (w) => w.wellType, map, [...WELL_TYPE_ORDER]);
    case 'predicted':
      return categorical(wells, (w) => w.prediction?.assigned ?? w.prediction?.top ?? null, map);
    case 'confidence':
      return continuous(wells, (w) => w.prediction?.prob ?? null, map, 'probability', [0, 1]);
    case 'correct': {
      // Correctness keeps its conventional green/red whatever the colormap, so it reads at a glance.
      const fixed: Record<string, Rgb> = { correct: [47, 158, 68], wrong: [224, 49, 49] };
      const h = categorical(
        wells,
        (w) => (w.prediction?.correct == null ? null : w.prediction.correct ? 'correct' : 'wrong'),
        map,
        ['correct', 'wrong'],
      );
      for (const [well, v] of h.values) h.colors.set(well, fixed[v]);
      if (h.legend.kind === 'categories') {
        for (const item of h.legend.items) item.color = fixed[item.label];
      }
      return h;
    }
    case 'intensity':
      return continuous(
        wells,
        (w) => w.meanIntensity?.[channel - 1] ?? w.meanIntensity?.[0] ?? null,
        map,
        `channel ${channel} mean`,
      );
  }
}
