// A prediction set's embedding view: the stored well embeddings (prediction-files.ts), their
// projections and organisation numbers cached beside them in predictions/ (each cache names the
// embedding's SHA-256 and its parameters, so a new prediction invalidates it), and the view's points.
import fs from 'node:fs';
import path from 'node:path';
import {
  EmbeddingOrganisation,
  type EmbeddingPoint,
  type EmbeddingProjection,
  type EmbeddingView,
  type PredictionSplit,
  type WellType,
} from '../../../../src-shared/contract';
import type { DatasetRef } from '../../catalog/dataset-identity';
import { notFound } from '../../errors';
import { writeJsonAtomic } from '../../util/atomic-write';
import { SeededRng } from '../../util/rng';
import {
  loadPredictionSet,
  loadSetEmbedding,
  type LoadedPredictionSet,
} from '../predict/prediction-files';
import { predictionSetInfo } from '../predict/provenance';
import type { WellEmbedding } from '../predict/types';
import { runPath } from '../runs/run-folder';
import {
  DEFAULT_K,
  embeddingOrganisation,
  type OrganisationGroups,
  type OrganisationOptions,
} from './organisation';
import {
  DEFAULT_UMAP,
  pcaProjection,
  umapProjection,
  type Projection2d,
  type UmapParams,
} from './projection';

/** A stored set with its well embeddings and their SHA-256 (the caches' key). */
export interface SetEmbedding {
  runDir: string;
  set: LoadedPredictionSet;
  embedding: WellEmbedding;
  sha256: string;
  /** predictions/<stem>-embed: the caches' common prefix. */
  cacheBase: string;
}

/**
 * The run's `split` set made on `dataset` (omitted: the run's own) with its embeddings. Errors:
 * NOT_FOUND when there is no such set; INVALID_INPUT when it has no (or a damaged) embedding
 * (loadSetEmbedding: "predict again to get embeddings", or an ensemble's explanation).
 */
export function openSetEmbedding(
  runDir: string,
  split: PredictionSplit,
  dataset?: DatasetRef,
): SetEmbedding {
  const set = loadPredictionSet(runDir, split, dataset);
  if (!set)
    throw notFound(
      `${runDir}: no ${split} predictions${dataset ? ` on ${dataset.name}` : ''} yet: run predict first`,
      {
        split,
      },
    );
  const embedding = loadSetEmbedding(runDir, set);
  const ref = set.embeddingRef!;
  return {
    runDir,
    set,
    embedding,
    sha256: ref.sha256,
    cacheBase: path.join(runPath(runDir, 'predictions'), path.basename(ref.file, '.f32')),
  };
}

/** The organisation groups of a set's wells: siRNA = the true class index of labelled treatment wells. */
export function organisationGroups(set: LoadedPredictionSet): OrganisationGroups {
  const classOf = new Map(set.labels.map((l, i) => [l, i]));
  return {
    experiment: set.wells.map((w) => w.experiment),
    cellType: set.wells.map((w) => w.cellType),
    sirna: set.wells.map((w) =>
      w.truth !== null && w.wellType === 'treatment' ? (classOf.get(w.truth) ?? null) : null,
    ),
  };
}

interface CacheFile<T> {
  embeddingSha256: string;
  params: unknown;
  value: T;
}

function readCache<T>(file: string, sha256: string, params: unknown): T | null {
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheFile<T>;
    if (c.embeddingSha256 === sha256 && JSON.stringify(c.params) === JSON.stringify(params))
      return c.value;
  } catch {
    // Missing or unreadable: recomputed and rewritten.
  }
  return null;
}

function writeCache<T>(file: string, sha256: string, params: unknown, value: T): void {
  writeJsonAtomic(file, { embeddingSha256: sha256, params, value } satisfies CacheFile<T>);
}

interface XY {
  x: number[];
  y: number[];
}
const toXY = (p: Projection2d): XY => ({ x: Array.from(p.x), y: Array.from(p.y) });
const cachePath = (e: SetEmbedding, what: string): string => `${e.cacheBase}.${what}.json`;

/** PCA points of the set: cached (predictions/<stem>-embed.pca.json) or computed and cached. */
export function pcaOf(e: SetEmbedding): XY {
  const file = cachePath(e, 'pca');
  const params = { standardised: true };
  const hit = readCache<XY>(file, e.sha256, params);
  if (hit && hit.x.length === e.set.wells.length) return hit;
  const xy = toXY(pcaProjection(e.embedding.values, e.set.wells.length, e.embedding.dims));
  writeCache(file, e.sha256, params, xy);
  return xy;
}

/** The cached UMAP points of the set, or null when none for this embedding and parameters. */
export function cachedUmap(e: SetEmbedding, params: UmapParams = DEFAULT_UMAP): XY | null {
  const hit = readCache<XY>(cachePath(e, 'umap'), e.sha256, params);
  return hit && hit.x.length === e.set.wells.length ? hit : null;
}

/** UMAP points: cached, or computed (seconds to minutes: run it off the main thread) and cached. */
export async function umapOf(
  e: SetEmbedding,
  ctl: {
    signal?: AbortSignal;
    onProgress?(done: number, total: number, message?: string): void;
  } = {},
  params: UmapParams = DEFAULT_UMAP,
): Promise<XY> {
  const hit = cachedUmap(e, params);
  if (hit) return hit;
  const xy = toXY(
    await umapProjection(e.embedding.values, e.set.wells.length, e.embedding.dims, params, ctl),
  );
  writeCache(cachePath(e, 'umap'), e.sha256, params, xy);
  return xy;
}

/**
 * The cached organisation numbers for k, or null (none, or a cache of another shape, e.g. from
 * before the verdict field: recomputed rather than passed on).
 */
export function cachedOrganisation(e: SetEmbedding, k = DEFAULT_K): EmbeddingOrganisation | null {
  const hit = readCache<unknown>(cachePath(e, 'organisation'), e.sha256, {
    k,
    ceiling: 'achievable',
  });
  const parsed = hit === null ? null : EmbeddingOrganisation.safeParse(hit);
  return parsed?.success ? parsed.data : null;
}

/** The organisation numbers: cached, or computed (n² · dims) and cached. */
export async function organisationOf(
  e: SetEmbedding,
  opts: OrganisationOptions = {},
): Promise<EmbeddingOrganisation> {
  const k = opts.k ?? DEFAULT_K;
  const hit = cachedOrganisation(e, k);
  if (hit) return hit;
  const o = await embeddingOrganisation(
    e.embedding.values,
    e.embedding.dims,
    organisationGroups(e.set),
    { ...opts, k },
  );
  writeCache(cachePath(e, 'organisation'), e.sha256, { k, ceiling: 'achievable' }, o);
  return o;
}

/**
 * Quick organisation numbers for a large set: the same numbers (`embeddingOrganisation`) on a
 * seeded random `sample` of its wells (neighbours drawn from the sample too, so farther apart than
 * in the whole set), the note saying so; `wells` is the sample size. Not cached: the 'embed' job
 * computes and caches the whole set's numbers.
 */
export async function organisationEstimate(
  e: SetEmbedding,
  sample: number,
  k = DEFAULT_K,
): Promise<EmbeddingOrganisation> {
  const n = e.set.wells.length;
  const dims = e.embedding.dims;
  const picked = new SeededRng(1)
    .shuffle(Array.from({ length: n }, (_, i) => i))
    .slice(0, Math.min(sample, n))
    .sort((a, b) => a - b);
  const values = new Float32Array(picked.length * dims);
  picked.forEach((w, r) =>
    values.set(e.embedding.values.subarray(w * dims, (w + 1) * dims), r * dims),
  );
  const all = organisationGroups(e.set);
  const o = await embeddingOrganisation(
    values,
    dims,
    {
      experiment: picked.map((i) => all.experiment[i]!),
      cellType: picked.map((i) => all.cellType[i]!),
      sirna: picked.map((i) => all.sirna[i]!),
    },
    { k },
  );
  return {
    ...o,
    note: `estimated on a random ${picked.length} of ${n} wells (the UMAP job computes all of them): ${o.note}`,
  };
}

const wellTypes: readonly string[] = ['treatment', 'positive_control', 'negative_control'];

/** The view's points: each well with its truth and prediction (plate-group assigned where it is). */
export function embeddingPoints(set: LoadedPredictionSet, xy: XY): EmbeddingPoint[] {
  const classOf = new Map(set.labels.map((l, i) => [l, i]));
  return set.wells.map((w, i) => {
    const predicted = w.assigned ?? w.top;
    const truth = w.truth === null ? null : (classOf.get(w.truth) ?? null);
    const K = set.labels.length;
    return {
      idCode: w.idCode,
      experiment: w.experiment,
      cellType: w.cellType,
      plate: w.plate,
      well: w.well,
      wellType: (wellTypes.includes(w.wellType) ? w.wellType : 'unknown') as WellType,
      sirna: truth,
      predicted,
      sirnaLabel: truth === null ? null : set.labels[truth]!,
      predictedLabel: set.labels[predicted]!,
      correct: truth === null ? null : truth === predicted,
      confidence: set.probs[i * K + predicted]!,
      x: xy.x[i]!,
      y: xy.y[i]!,
    };
  });
}

/** The whole view from its parts (the handler and the CLI both build it here). */
export function embeddingView(
  e: SetEmbedding,
  projection: EmbeddingProjection,
  xy: XY,
  organisation: EmbeddingOrganisation,
  umap: EmbeddingView['umap'],
): EmbeddingView {
  return {
    runId: e.set.runId,
    split: e.set.split,
    projection,
    dims: e.embedding.dims,
    points: embeddingPoints(e.set, xy),
    organisation,
    umap,
    source: predictionSetInfo(e.set),
  };
}
