// Per-well plate heatmap colouring, pure (no Node/DOM): a metric (siRNA, well type, prediction,
// confidence, correctness, mean intensity, review decision) → each well's colour, its shown value
// and the legend.
// The one colour function for the screen's grid and the exported figure (SVG and PNG) alike.
import {
  CATEGORICAL,
  categoryColor,
  continuousColor,
  type ColormapName,
  type Rgb,
} from './colormaps';
import type { PlateWell } from './contract';
import { channelLabel } from './display-state';
import { USED_WELL_COUNT } from './plate';

export type MetricName =
  | 'sirna'
  | 'well_type'
  | 'predicted'
  | 'confidence'
  | 'correct'
  | 'intensity'
  | 'review';

export const METRIC_LABELS: Record<MetricName, string> = {
  sirna: 'siRNA',
  well_type: 'Well type',
  predicted: 'Predicted class',
  confidence: 'Confidence',
  correct: 'Correct / wrong',
  intensity: 'Mean intensity',
  review: 'Review decision',
};

export const METRIC_NEEDS_RUN: Record<MetricName, boolean> = {
  sirna: false,
  well_type: false,
  predicted: true,
  confidence: true,
  correct: true,
  intensity: false,
  review: false,
};

/** Continuous metrics take a sequential colormap, category metrics a categorical one. */
export type MetricKind = 'continuous' | 'categorical';
export const METRIC_KIND: Record<MetricName, MetricKind> = {
  sirna: 'categorical',
  well_type: 'categorical',
  predicted: 'categorical',
  confidence: 'continuous',
  correct: 'categorical',
  intensity: 'continuous',
  review: 'categorical',
};

/** The colormaps offered for each kind of metric; the first is the default. */
export const COLORMAPS_FOR: Record<MetricKind, ColormapName[]> = {
  continuous: ['viridis', 'magma'],
  categorical: ['categorical'],
};

/** The colormaps a metric may be drawn with (sequential or categorical by its kind). */
export function colormapChoices(metric: MetricName): ColormapName[] {
  return COLORMAPS_FOR[METRIC_KIND[metric]];
}

/** The metric picker's options; prediction metrics say they need a run when there is none. */
export function metricChoices(hasRun: boolean): Array<{ value: MetricName; label: string }> {
  return (Object.keys(METRIC_LABELS) as MetricName[]).map((m) => ({
    value: m,
    label: METRIC_LABELS[m] + (METRIC_NEEDS_RUN[m] && !hasRun ? ' (needs a run)' : ''),
  }));
}

/** The colormap a metric is drawn with: `chosen` when it fits the metric's kind, else the default. */
export function colormapFor(metric: MetricName, chosen?: ColormapName | null): ColormapName {
  const allowed = colormapChoices(metric);
  return chosen && allowed.includes(chosen) ? chosen : allowed[0]!;
}

/** Fill of a well that is on the plate but has no value for the metric. */
export const NO_VALUE: Rgb = [206, 212, 218];
/** Outline of a well without images (dashed, on the screen and in the figure). */
export const NO_IMAGES_STROKE: Rgb = [52, 58, 64];
/** The two stripes of a position without a well (the unused ring, or a well not in the metadata). */
export const EMPTY_STRIPES: [Rgb, Rgb] = [
  [213, 215, 218],
  [228, 229, 231],
];
/**
 * Review decisions (issue 14) in fixed colours, whatever the colormap: excluded red, suspect label
 * amber, a well without a decision a pale blue (a value, unlike the grey of a well not looked up).
 */
export const REVIEW_LABELS = {
  exclude: 'excluded',
  suspect_label: 'suspect label',
  none: 'no decision',
} as const;
export const REVIEW_COLORS: Record<(typeof REVIEW_LABELS)[keyof typeof REVIEW_LABELS], Rgb> = {
  excluded: [201, 42, 42],
  'suspect label': [247, 167, 0],
  'no decision': [208, 235, 255],
};
/**
 * Correctness keeps its conventional green/red whatever the colormap, so it reads at a glance; a
 * well of a class the run was not trained on is neither (grey, 'not trained on').
 */
export const CORRECT_COLORS: Record<'correct' | 'wrong' | 'not trained on', Rgb> = {
  correct: [47, 158, 68],
  wrong: [224, 49, 49],
  'not trained on': [173, 181, 189],
};

export type Legend = (
  | { kind: 'categories'; items: { label: string; color: Rgb }[]; more: number }
  | {
      kind: 'range';
      min: number;
      max: number;
      map: ColormapName;
      /** What the colour shows, e.g. 'w2 ConA mean intensity'. */
      label: string;
      /** Its units, e.g. 'grey level, 0–255'. */
      unit: string;
    }
) & {
  /** Wells on the plate without a value for the metric. */
  missing: number;
  /** Wells on the plate with at least one readable site. */
  withImages: number;
  /** Wells the plate should hold (308 in RxRx1). */
  expectedWells: number;
  /** The colormap actually used. */
  colormap: ColormapName;
};

export interface Heatmap {
  colors: Map<string, Rgb>;
  values: Map<string, string>;
  legend: Legend;
}

/** Categories shown in the legend before '+N more'. */
export const LEGEND_LIMIT = 16;

type Colouring = { colors: Map<string, Rgb>; values: Map<string, string>; legend: LegendBody };
type LegendBody =
  | { kind: 'categories'; items: { label: string; color: Rgb }[]; more: number }
  | { kind: 'range'; min: number; max: number; map: ColormapName; label: string; unit: string };

function categorical(
  wells: readonly PlateWell[],
  pick: (w: PlateWell) => string | null,
  fixed?: { order: string[]; colors?: Record<string, Rgb> },
): Colouring {
  const values = new Map<string, string>();
  for (const w of wells) {
    const v = pick(w);
    if (v !== null) values.set(w.well, v);
  }
  const present = new Set(values.values());
  const cats =
    fixed?.order ?? [...present].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const palette = new Map(
    cats.map((c, i) => [c, fixed?.colors?.[c] ?? categoryColor('categorical', i, cats.length)]),
  );
  const colors = new Map<string, Rgb>();
  for (const [well, v] of values) colors.set(well, palette.get(v) ?? CATEGORICAL[0]!);
  const shown = cats.filter((c) => present.has(c));
  return {
    colors,
    values,
    legend: {
      kind: 'categories',
      items: shown
        .slice(0, LEGEND_LIMIT)
        .map((label) => ({ label, color: palette.get(label) ?? CATEGORICAL[0]! })),
      more: Math.max(0, shown.length - LEGEND_LIMIT),
    },
  };
}

function continuous(
  wells: readonly PlateWell[],
  pick: (w: PlateWell) => number | null,
  map: ColormapName,
  label: string,
  unit: string,
  fixed?: [number, number],
): Colouring {
  const raw = new Map<string, number>();
  for (const w of wells) {
    const v = pick(w);
    if (v !== null && Number.isFinite(v)) raw.set(w.well, v);
  }
  const all = [...raw.values()];
  const min = fixed ? fixed[0] : all.length ? Math.min(...all) : 0;
  const max = fixed ? fixed[1] : all.length ? Math.max(...all) : 1;
  const span = max - min;
  const colors = new Map<string, Rgb>();
  const values = new Map<string, string>();
  for (const [well, v] of raw) {
    // One distinct value has no range: it takes the middle of the colormap.
    colors.set(well, continuousColor(map, span > 0 ? (v - min) / span : 0.5));
    values.set(well, v.toFixed(3));
  }
  return { colors, values, legend: { kind: 'range', min, max, map, label, unit } };
}

/**
 * Colours, shown values and legend of `metric` over a plate's wells.
 * - categories (siRNA, predicted class): sorted with numeric collation, palette entries in order;
 *   well type in a fixed order; correct/wrong fixed green/red;
 * - confidence: the top-1 probability on a fixed [0, 1] scale (comparable across plates);
 * - intensity: channel `channel`'s (1–6) mean grey level, min–max over the plate's wells;
 * - review: the well's review decision (REVIEW_COLORS), 'no decision' for a well without one.
 * `colormap` is used when it fits the metric's kind (see colormapFor), else that kind's default.
 */
/** The well types in legend order (their categorical colours follow this order). */
export const WELL_TYPE_ORDER = [
  'treatment',
  'negative_control',
  'positive_control',
  'unknown',
] as const satisfies readonly PlateWell['wellType'][];

/** A well type's colour in the well-type legend, e.g. for the plate grid's N/P marks. */
export function wellTypeColor(type: PlateWell['wellType']): Rgb {
  return categoryColor('categorical', WELL_TYPE_ORDER.indexOf(type), WELL_TYPE_ORDER.length);
}

export function buildHeatmap(
  wells: readonly PlateWell[],
  metric: MetricName,
  colormap: ColormapName | null | undefined,
  channel = 1,
): Heatmap {
  const map = colormapFor(metric, colormap);
  const h = heatmapOf(wells, metric, map, channel);
  const legend: Legend = {
    ...h.legend,
    missing: wells.filter((w) => !h.values.has(w.well)).length,
    withImages: wells.filter((w) => w.hasImages).length,
    expectedWells: Math.max(USED_WELL_COUNT, wells.length),
    colormap: map,
  };
  return { colors: h.colors, values: h.values, legend };
}

function heatmapOf(
  wells: readonly PlateWell[],
  metric: MetricName,
  map: ColormapName,
  channel: number,
): Colouring {
  switch (metric) {
    case 'sirna':
      return categorical(wells, (w) => w.sirna);
    case 'well_type':
      return categorical(wells, (w) => w.wellType, { order: [...WELL_TYPE_ORDER] });
    case 'predicted':
      return categorical(wells, (w) => w.prediction?.assigned ?? w.prediction?.top ?? null);
    case 'confidence':
      return continuous(
        wells,
        (w) => w.prediction?.prob ?? null,
        map,
        'confidence (top-1 probability)',
        'probability, 0–1',
        [0, 1],
      );
    case 'correct':
      return categorical(
        wells,
        (w) =>
          w.prediction?.unscored
            ? 'not trained on'
            : w.prediction?.correct == null
              ? null
              : w.prediction.correct
                ? 'correct'
                : 'wrong',
        { order: Object.keys(CORRECT_COLORS), colors: CORRECT_COLORS },
      );
    case 'review':
      return categorical(
        wells,
        (w) =>
          w.review === undefined ? null : w.review ? REVIEW_LABELS[w.review] : REVIEW_LABELS.none,
        { order: Object.keys(REVIEW_COLORS), colors: REVIEW_COLORS },
      );
    case 'intensity':
      return continuous(
        wells,
        (w) => w.meanIntensity?.[channel - 1] ?? null,
        map,
        `${channelLabel(channel)} mean intensity`,
        'grey level, 0–255',
      );
  }
}

/** How one plate position is drawn, on the screen and in the figure. */
export type CellLook =
  | { state: 'empty' }
  | { state: 'value' | 'no-value'; fill: Rgb; noImages: boolean };

/** The look of a position holding `well` (undefined: no well there) under heatmap `h`. */
export function cellLook(h: Pick<Heatmap, 'colors'>, well: PlateWell | undefined): CellLook {
  if (!well) return { state: 'empty' };
  const c = h.colors.get(well.well);
  return c
    ? { state: 'value', fill: c, noImages: !well.hasImages }
    : { state: 'no-value', fill: NO_VALUE, noImages: !well.hasImages };
}

/** 'N of 308 wells have images': its own line under a legend's keys (screen and figure). */
export function coverageText(legend: Pick<Legend, 'withImages' | 'expectedWells'>): string {
  return `${legend.withImages} of ${legend.expectedWells} wells have images`;
}
