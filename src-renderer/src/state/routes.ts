// The URL of every screen and its selection (hash routes, same in serve mode and Electron): the pure
// parse/format pair that app-state.tsx keeps in sync with the location, so reload and Back restore.
import { EmbeddingProjection, PredictionSplit, ReviewQueue } from '../../../src-shared/contract';
import { COLOR_BY, type ColorBy } from '../lib/embedding';
import { parseIdCode } from '../../../src-shared/plate';
import { METRIC_LABELS, type MetricName } from '../../../src-shared/plate-heatmap';

export type Screen =
  | 'datasets'
  | 'plates'
  | 'well'
  | 'training'
  | 'sweeps'
  | 'predictions'
  | 'embedding'
  | 'export';
/** A review queue (the contract's ReviewQueue). */
export type Queue = ReviewQueue;
export type PlateMode = 'thumbnails' | 'heatmap';
export type SiteLayout = 'side' | 'switch';
/** A prediction split (the contract's PredictionSplit). */
export type Split = PredictionSplit;

export const SCREENS: readonly Screen[] = [
  'datasets',
  'plates',
  'well',
  'training',
  'sweeps',
  'predictions',
  'embedding',
  'export',
];
const QUEUES: readonly Queue[] = ReviewQueue.options;

/** Everything the URL carries. Fields are null when unset; every screen keeps the others' fields. */
export interface Route {
  screen: Screen;
  /** Open dataset id (informational: a link made on another dataset says so). */
  dataset: string | null;
  experiment: string | null;
  plate: number | null;
  /** Plate browser: thumbnails or heatmap, the heatmap metric, the selected cell ('B02'). */
  mode: PlateMode;
  metric: MetricName;
  cell: string | null;
  /** Well viewer: id_code, layout and the site shown in one-site layout. */
  idCode: string | null;
  layout: SiteLayout;
  site: number;
  run: string | null;
  /** Predictions: split and review queue; `fromQueue` marks a well opened from that queue. */
  split: Split;
  queue: Queue;
  fromQueue: boolean;
  /** Embedding view: the 2-D projection and what the points are coloured by. */
  projection: EmbeddingProjection;
  color: ColorBy;
}

export const HOME_ROUTE: Route = {
  screen: 'datasets',
  dataset: null,
  experiment: null,
  plate: null,
  mode: 'thumbnails',
  metric: 'well_type',
  cell: null,
  idCode: null,
  layout: 'side',
  site: 1,
  run: null,
  split: 'val',
  queue: 'confident-wrong',
  fromQueue: false,
  projection: 'pca',
  color: 'experiment',
};

const oneOf = <T extends string>(v: string | null, all: readonly T[], fallback: T): T =>
  v !== null && (all as readonly string[]).includes(v) ? (v as T) : fallback;

const positiveInt = (v: string | null | undefined): number | null => {
  if (v === null || v === undefined || !/^\d+$/.test(v)) return null;
  const n = Number(v);
  return n >= 1 ? n : null;
};

const decode = (s: string | undefined): string | null => {
  if (!s) return null;
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
};

/**
 * Reads a route from a hash path ('/well/HUVEC-01_1_B02') and its query ('site=2&run=…').
 * Unknown screens and malformed values fall back to the defaults (never throws): a hand-edited or
 * stale URL opens the nearest valid view instead of an error page.
 */
export function parseRoute(path: string, search: string): Route {
  const parts = path.split('/').filter(Boolean);
  const q = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const screen = oneOf(decode(parts[0]), SCREENS, 'datasets');
  const r: Route = {
    ...HOME_ROUTE,
    screen,
    dataset: q.get('dataset'),
    experiment: q.get('experiment'),
    plate: positiveInt(q.get('plate')),
    mode: oneOf(q.get('mode'), ['thumbnails', 'heatmap'] as const, 'thumbnails'),
    metric: oneOf(q.get('metric'), Object.keys(METRIC_LABELS) as MetricName[], 'well_type'),
    cell: q.get('cell'),
    idCode: q.get('well'),
    layout: oneOf(q.get('layout'), ['side', 'switch'] as const, 'side'),
    site: positiveInt(q.get('site')) ?? 1,
    run: q.get('run'),
    split: oneOf(q.get('split'), PredictionSplit.options, 'val'),
    queue: oneOf(q.get('queue'), QUEUES, 'confident-wrong'),
    fromQueue: q.get('from') === 'queue',
    projection: oneOf(q.get('projection'), EmbeddingProjection.options, 'pca'),
    color: oneOf(q.get('color'), COLOR_BY, 'experiment'),
  };
  // The screen's own selection lives in the path: /plates/EXP/PLATE, /well/ID, /predictions/SPLIT.
  if (screen === 'plates' || screen === 'export') {
    r.experiment = decode(parts[1]) ?? r.experiment;
    r.plate = positiveInt(parts[2]) ?? r.plate;
  } else if (screen === 'well') {
    r.idCode = decode(parts[1]) ?? r.idCode;
  } else if (screen === 'predictions') {
    r.split = oneOf(decode(parts[1]), PredictionSplit.options, r.split);
  } else if (screen === 'training') {
    r.run = decode(parts[1]) ?? r.run;
  }
  return r;
}

/** Writes a route as a hash path plus query (defaults omitted); parseRoute(formatRoute(r)) = r. */
export function formatRoute(r: Route): string {
  const enc = encodeURIComponent;
  const path: string[] = [r.screen];
  const q = new URLSearchParams();
  const put = (k: string, v: string | number | null, dflt?: string | number) => {
    if (v !== null && v !== dflt) q.set(k, String(v));
  };
  let inPath: 'plate' | 'well' | 'split' | 'run' | null = null;
  if ((r.screen === 'plates' || r.screen === 'export') && r.experiment && r.plate !== null) {
    path.push(enc(r.experiment), String(r.plate));
    inPath = 'plate';
  } else if (r.screen === 'well' && r.idCode) {
    path.push(enc(r.idCode));
    inPath = 'well';
  } else if (r.screen === 'predictions') {
    path.push(r.split);
    inPath = 'split';
  } else if (r.screen === 'training' && r.run) {
    path.push(enc(r.run));
    inPath = 'run';
  }
  if (inPath !== 'plate') {
    put('experiment', r.experiment);
    put('plate', r.plate);
  }
  if (inPath !== 'well') put('well', r.idCode);
  if (inPath !== 'run') put('run', r.run);
  if (inPath !== 'split') put('split', r.split, HOME_ROUTE.split);
  put('mode', r.mode, HOME_ROUTE.mode);
  put('metric', r.metric, HOME_ROUTE.metric);
  put('cell', r.cell);
  put('layout', r.layout, HOME_ROUTE.layout);
  put('site', r.site, HOME_ROUTE.site);
  put('queue', r.queue, HOME_ROUTE.queue);
  if (r.fromQueue) q.set('from', 'queue');
  put('projection', r.projection, HOME_ROUTE.projection);
  put('color', r.color, HOME_ROUTE.color);
  put('dataset', r.dataset);
  const query = q.toString();
  return `/${path.join('/')}${query ? `?${query}` : ''}`;
}

/**
 * The plate selection of a well: its own experiment, plate and cell ('HEPG2-04_4_G18' ->
 * {experiment: 'HEPG2-04', plate: 4, cell: 'G18'}); empty for an id_code of another shape.
 */
export function wellPlatePatch(idCode: string | null): Partial<Route> {
  const at = idCode ? parseIdCode(idCode) : null;
  return at ? { experiment: at.experiment, plate: at.plate, cell: at.well } : {};
}

/**
 * The route change that opens a well in the viewer: the well's own experiment, plate and cell come
 * with it (so "Back to plate" shows that plate with the well selected, not the plate some other
 * screen had open).
 */
export function openWellPatch(idCode: string, fromQueue = false): Partial<Route> {
  return { ...wellPlatePatch(idCode), idCode, screen: 'well', site: 1, fromQueue };
}
