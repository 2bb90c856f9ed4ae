// A sweep's plan: the training runs over one dataset that a grid of settings × seeds × k-fold
// cross-validation by experiment makes, each with a complete training config validated by the
// contract's TrainConfig schema (no list of settings of our own).
import type { TrainConfig } from '../../../../src-shared/contract';
import type { Catalog } from '../../catalog/db';
import { listExperiments } from '../../catalog/queries';
import { inputError } from '../../errors';
import { applySetting, parseTrainConfig } from '../config/default-config';

/** One axis of the grid: a config key (dotted for nested ones) and its values as typed. */
export interface GridAxis {
  key: string;
  values: string[];
}

/** k-fold cross-validation: each fold holds out about 1/k of the training experiments. */
export interface FoldSpec {
  by: 'experiment';
  k: number;
}

export interface SweepSpec {
  base: TrainConfig;
  grid: GridAxis[];
  /** Runs per grid point with seeds base.seed, base.seed + 1, …; 1 = the base seed only. */
  seeds: number;
  folds: FoldSpec | null;
}

/** A training experiment of the catalog and its cell type (what folds balance). */
export interface FoldExperiment {
  name: string;
  cellType: string;
}

export interface PlannedRun {
  /** Array task index in Slurm, position in the sweep. */
  index: number;
  /** Run folder name: unique in the sweep, says the grid point, seed and fold. */
  name: string;
  /** The grid point, key → value as given (typed by JSON parsing, as `--set` does). */
  settings: Record<string, string>;
  seed: number;
  /** 0-based fold, null without cross-validation. */
  fold: number | null;
  valExperiments: string[] | null;
  config: TrainConfig;
}

/** Splits `a,b,[1,2],c` on top-level commas (bracketed JSON values keep theirs). */
function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/**
 * `--grid key=v1,v2,…` → an axis. Errors (input): no `=`, an empty value, a repeated value or key
 * (checked by parseSweepSpec), or `seed` / `split.valExperiments` (set by --seeds / --folds).
 */
export function parseGridAxis(text: string): GridAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw inputError(`--grid "${text}": expected key=value1,value2`);
  const key = text.slice(0, eq).trim();
  if (key === 'seed') throw inputError(`--grid "${text}": seeds are swept with --seeds N`);
  if (key === 'split.valExperiments')
    throw inputError(`--grid "${text}": held-out experiments are swept with --folds experiment:K`);
  const values = splitValues(text.slice(eq + 1));
  if (values.some((v) => v === '')) throw inputError(`--grid "${text}": empty value in the list`);
  if (new Set(values).size !== values.length)
    throw inputError(`--grid "${text}": a value is listed twice`);
  return { key, values };
}

/** `--folds experiment:K` → a fold spec (K ≥ 2). */
export function parseFolds(text: string): FoldSpec {
  const m = /^experiment:(\d+)$/.exec(text.trim());
  if (!m) throw inputError(`--folds "${text}": expected experiment:K, e.g. experiment:4`);
  const k = Number(m[1]);
  if (k < 2) throw inputError(`--folds "${text}": need at least 2 folds`);
  return { by: 'experiment', k };
}

/**
 * Assigns training experiments to k folds, balanced by cell type: within each cell type (sorted by
 * name) experiments are dealt round-robin, and the dealing continues across cell types, so every
 * fold holds out about 1/k of each cell type and fold sizes differ by at most one. Returns the
 * held-out experiments of each fold. Error (input): fewer experiments than folds.
 */
export function assignFolds(experiments: FoldExperiment[], k: number): string[][] {
  const names = [...new Set(experiments.map((e) => e.name))];
  if (names.length < k)
    throw inputError(
      `--folds experiment:${k}: the dataset has ${names.length} training experiment(s), fewer than ${k} folds`,
    );
  const byType = new Map<string, string[]>();
  for (const e of [...experiments].sort((a, b) => a.name.localeCompare(b.name))) {
    const list = byType.get(e.cellType) ?? [];
    if (!list.includes(e.name)) list.push(e.name);
    byType.set(e.cellType, list);
  }
  const folds: string[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const type of [...byType.keys()].sort())
    for (const name of byType.get(type)!) folds[next++ % k]!.push(name);
  return folds.map((f) => f.sort());
}

function cartesian(axes: GridAxis[]): Record<string, string>[] {
  let points: Record<string, string>[] = [{}];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => ({ ...p, [a.key]: v })));
  return points;
}

/** A folder-name-safe rendering of a setting value. */
function slug(v: string): string {
  return v.replace(/[^A-Za-z0-9.+-]+/g, '_').slice(0, 40);
}

/**
 * The runs of a sweep: grid points × seeds × folds, in that nesting order, each config the base with
 * the point's settings applied like `--set` (dotted keys, JSON values) and validated by the
 * contract's TrainConfig (errors name the run's settings). Folds set split.strategy 'experiment'
 * and split.valExperiments. `experiments`: the catalog's training experiments (needed for folds).
 */
export function planSweep(spec: SweepSpec, experiments: FoldExperiment[] = []): PlannedRun[] {
  const keys = spec.grid.map((a) => a.key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw inputError(`--grid ${dup}: the same setting is given twice`);
  if (!Number.isInteger(spec.seeds) || spec.seeds < 1)
    throw inputError(`--seeds ${spec.seeds}: expected a positive integer`);
  const folds = spec.folds ? assignFolds(experiments, spec.folds.k) : [null];
  const runs: PlannedRun[] = [];
  for (const point of cartesian(spec.grid)) {
    let cfg = spec.base as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(point)) cfg = applySetting(cfg, `${k}=${v}`);
    for (let s = 0; s < spec.seeds; s++) {
      const seed = spec.base.seed + s;
      folds.forEach((held, f) => {
        const raw = structuredClone(cfg) as Record<string, unknown> & {
          split: Record<string, unknown>;
        };
        raw.seed = seed;
        if (held) raw.split = { ...raw.split, strategy: 'experiment', valExperiments: held };
        const where = Object.entries(point).map(([k, v]) => `${k}=${v}`);
        const config = parseTrainConfig(
          raw,
          `sweep run ${[...where, `seed=${seed}`].join(' ')}${held ? ` fold ${f + 1}` : ''}`,
        );
        const parts = [
          `r${String(runs.length).padStart(3, '0')}`,
          ...Object.entries(point).map(([k, v]) => `${k.split('.').pop()}-${slug(v)}`),
          ...(spec.seeds > 1 ? [`seed-${seed}`] : []),
          ...(held ? [`fold-${f + 1}`] : []),
        ];
        runs.push({
          index: runs.length,
          name: parts.join('_'),
          settings: point,
          seed,
          fold: held ? f : null,
          valExperiments: held,
          config,
        });
      });
    }
  }
  return runs;
}

/** The catalog's training experiments with their cell types (what folds are dealt from). */
export function trainingExperiments(db: Catalog): FoldExperiment[] {
  return listExperiments(db)
    .filter((e) => e.split === 'train')
    .map((e) => ({ name: e.name, cellType: e.cellType }));
}
